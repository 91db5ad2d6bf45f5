import { canonical } from "./diff";

/**
 * Adoption: a resource with `adopt: <uuid>` takes an object that already exists under management instead of making
 * one. As with Pulumi's import, the program must describe the object as it is: every declared field is compared
 * with the object's current value (in the program's own terms, as `read` reports it), and any difference fails the
 * create with a field-by-field message, so adopting never changes anything in xapi.
 */
export function assertAdoptable(
  what: string,
  uuid: string,
  declared: Record<string, unknown>,
  actual: Record<string, unknown>,
  fields: readonly string[],
): void {
  const differences = fields
    .filter((f) => canonical(declared[f]) !== canonical(actual[f]))
    .map((f) => `  ${f}: the program says ${canonical(declared[f])}, it is ${canonical(actual[f])}`);
  if (differences.length > 0) {
    throw new Error(
      `adopt: ${what} ${uuid} differs from the program, so adopting it would change it:\n${differences.join("\n")}\n` +
        "Make the program match (pulumi-xen discover writes it with the current values), then run again.",
    );
  }
}
