/**
 * `value` with every undefined left out, however deep (in arrays: null). Inputs and outputs travel to the engine as
 * a protobuf Struct, which cannot encode undefined ("Unexpected struct type."): what check, create, read and update
 * return goes through this.
 */
export function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : withoutUndefined(v))) as T;
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = withoutUndefined(v);
    return out as T;
  }
  return value;
}
