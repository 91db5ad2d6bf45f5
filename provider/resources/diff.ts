import { isUnknown } from "./unknown";

/** What a resource kind does when a field changes. Fields in neither list are outputs or bookkeeping. */
export interface DiffRules<K extends string> {
  /** Fields updated in place. */
  update: readonly K[];
  /** Fields whose change replaces the object. */
  replace: readonly K[];
  /** Whether the replacement must delete the old object first (it holds the same name or device). */
  deleteBeforeReplace?: (olds: Record<string, unknown>, news: Record<string, unknown>) => boolean;
}

/** The engine's answer to `diff`: whether anything changes, and what needs a new object. */
export interface DiffResult {
  /** Whether any field of the rules (updated or replacing) differs; false: no update is planned. */
  changes: boolean;
  /** The replacing fields that differ; non-empty: the object is replaced. */
  replaces: string[];
  /** Whether the old object must be deleted before its replacement is made (false when nothing replaces). */
  deleteBeforeReplace: boolean;
}

/**
 * Pure diff of normalized old outputs against normalized new inputs (no network). Values are compared in a
 * canonical form (map key order ignored), and a value not known yet counts as a change.
 */
export function diffByRules<K extends string>(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  rules: DiffRules<K>,
): DiffResult {
  const changed = (field: K) => isUnknown(news[field]) || canonical(olds[field]) !== canonical(news[field]);
  const replaces = rules.replace.filter(changed);
  const updates = rules.update.filter(changed);
  return {
    changes: replaces.length > 0 || updates.length > 0,
    replaces: [...replaces],
    deleteBeforeReplace: replaces.length > 0 && (rules.deleteBeforeReplace?.(olds, news) ?? false),
  };
}

/** Fields of `rules.update` that differ, for update() to act on. */
export function changedFields<K extends string>(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  fields: readonly K[],
): K[] {
  return fields.filter((f) => canonical(olds[f]) !== canonical(news[f]));
}

/** JSON with object keys sorted; undefined and null both read as absent. */
export function canonical(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
      : v,
  );
}

/**
 * The entries of `actual` whose keys the program declares (sorted): how `read` reports maps such as other-config,
 * where xapi and other tools keep keys of their own that the program does not manage.
 */
export function declaredKeys(actual: Record<string, string> | undefined, declared: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(declared ?? {}).sort()) if (actual && key in actual) out[key] = actual[key];
  return out;
}
