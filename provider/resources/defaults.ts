import { isDeepStrictEqual } from "node:util";

/**
 * Stored inputs without their defaults, and back. A field left at its default costs checkpoint bytes for every
 * resource (twice: inputs and outputs), so check may store only what differs from `defaults`; everything that reads
 * stored inputs (diff, create, update, check's olds) puts the defaults back first, which also reads states written
 * before a field existed as holding its default.
 */

/** `value` without the top-level keys whose value is undefined or equals the default (unknown values always kept). */
export function withoutDefaults<T extends object>(value: T, defaults: Partial<T>): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(value) as [keyof T, T[keyof T]][]) {
    if (v === undefined || (k in defaults && isDeepStrictEqual(v, defaults[k]))) continue;
    out[k] = v;
  }
  return out;
}

/** `value` with every absent (or undefined) key that has a default set to a fresh copy of it. */
export function withDefaults<T extends object>(value: Partial<T> | Record<string, unknown>, defaults: Partial<T>): T {
  const out = { ...value } as Record<string, unknown>;
  for (const [k, v] of Object.entries(defaults)) if (out[k] === undefined) out[k] = structuredClone(v);
  return out as T;
}

/** What the engine stores of check's result: the inputs without the contract's defaults (all of them, if it has none). */
export function storedInputs<I extends object>(contract: { defaults?: Partial<I> }, inputs: I): Partial<I> {
  return contract.defaults ? withoutDefaults(inputs, contract.defaults) : inputs;
}

/** Stored inputs or outputs, of this version or an older one, as the resource's code reads them: defaults filled. */
export function withStoredDefaults<I extends object>(contract: { defaults?: Partial<I> }, stored: Record<string, unknown>): I {
  return contract.defaults ? withDefaults<I>(stored, contract.defaults) : (stored as I);
}
