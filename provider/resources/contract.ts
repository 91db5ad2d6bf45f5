import { CheckFailure } from "./check";
import { DiffResult } from "./diff";

type Raw = Record<string, unknown>;

/**
 * What one resource kind implements, once, for both surfaces that serve it: the dynamic provider (sdk/provider.ts)
 * and the provider plugin (provider/plugin). Each resource module ends with
 * `export const contract = { ... } satisfies ResourceContract<Inputs, Outputs>`.
 *
 * `updatable` and `replacing` are the module's diff rules (the fields changed in place, and those that need a new
 * object); a unit test checks them, and the TypeScript SDK's Args, against the package schema
 * (provider/plugin/schema.json), so that a field cannot be added in one place only.
 */
export interface ResourceContract<Inputs, Outputs extends Inputs> {
  /** Normalizes and validates raw inputs (pure where it can be; unknown values tolerated). */
  check(olds: Raw, news: Raw): { inputs: Inputs; failures: CheckFailure[] } | Promise<{ inputs: Inputs; failures: CheckFailure[] }>;
  /** Pure diff of old outputs against new (checked) inputs. */
  diff(id: string, olds: Raw, news: Raw): DiffResult;
  create(inputs: Inputs): Promise<{ id: string; outs: Outputs }>;
  /** `inputs` as the program would declare them, so that refresh then preview shows no change; id "" = gone. */
  read(id: string, props: Outputs): Promise<{ id: string; props?: Outputs; inputs?: Inputs }>;
  update(id: string, olds: Outputs, news: Inputs): Promise<{ outs: Outputs }>;
  remove(id: string, props: Outputs): Promise<void>;
  /** Fields changed in place. */
  updatable: readonly (keyof Inputs)[];
  /** Fields whose change replaces the object. */
  replacing: readonly (keyof Inputs)[];
  /**
   * Input values the engine need not store: both surfaces leave fields at these values out of check's result and
   * put them back (./defaults.ts) before calling check (its olds), diff, create or update, so these functions always
   * see every field, also in states written before a field existed. Omitted: everything is stored.
   */
  defaults?: Partial<Inputs>;
  /** Outputs (not inputs) that an in-place update never changes, e.g. the uuid. */
  stableOutputs: readonly Exclude<keyof Outputs, keyof Inputs>[];
}
