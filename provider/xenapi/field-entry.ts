/**
 * Entries of XenAPI map fields (other_config, xenstore_data ...) and members of set fields (tags), changed one at a
 * time through the implicit messages xapi generates for every RW map and set field:
 *
 *   <Class>.add_to_<field>(self, key, value)   fails MAP_DUPLICATE_KEY [table, field, ref, key] when the key is there,
 *                                             whatever its value (the pool master's database is not "idempotent";
 *                                             xapi's db_idempotent_map setting is off by default)
 *   <Class>.remove_from_<field>(self, key)    "if the key is not in that Map, then do nothing"
 *   <Class>.add_<field>(self, value)          "if the value is already in that Set, then do nothing"
 *   <Class>.remove_<field>(self, value)       "if the value is not in that Set, then do nothing"
 *
 * Every such field also has a whole-field setter (set_other_config, set_tags), but it writes back a copy read
 * earlier: keys xapi, the storage backend or another client wrote in between would be lost. So an entry is changed
 * on its own; there is no "replace" for a map entry, hence remove_from_ then add_to_ for a changed value.
 *
 * The pure delta functions say what to change; the appliers make the calls. Callers that hold the field as they
 * last read it pass it as `known`, which saves the calls that would change nothing (and the remove before adding
 * a key that is not there). A `known` that turns out stale costs a call, never a wrong result: an add refused
 * with MAP_DUPLICATE_KEY is redone as remove then add.
 */
import { isXenApiError } from "./errors";
import type { XenApiSession } from "./session";
import type { Ref, StringMap } from "./records";

/** What to change in a map field: keys to set (new or with another value) and keys to remove. */
export interface MapDelta {
  /** Keys to set, with their new values ({} = none). */
  set: StringMap;
  /** Keys to remove ([] = none). */
  remove: string[];
}

/** What to change in a set field: members to add and members to remove. */
export interface SetDelta {
  /** Members to add ([] = none). */
  add: string[];
  /** Members to remove ([] = none). */
  remove: string[];
}

/**
 * Pure: the changes that take map `olds` to `news`. Keys of `olds` missing from `news` are removed; with
 * `managedKeys`, only those among them (keys xapi or other tools keep in the same map stay).
 */
export function mapDelta(olds: StringMap | undefined, news: StringMap | undefined, managedKeys?: Iterable<string>): MapDelta {
  const before = olds ?? {};
  const after = news ?? {};
  const managed = managedKeys === undefined ? undefined : new Set(managedKeys);
  const set: StringMap = {};
  for (const [key, value] of Object.entries(after)) if (!Object.hasOwn(before, key) || before[key] !== value) set[key] = value;
  const remove = Object.keys(before).filter((key) => !Object.hasOwn(after, key) && (managed === undefined || managed.has(key)));
  return { set, remove };
}

/** Pure: the members to add and to remove that take set `olds` to `news` (duplicates count once). */
export function setDelta(olds: readonly string[] | undefined, news: readonly string[] | undefined): SetDelta {
  const before = new Set(olds ?? []);
  const after = new Set(news ?? []);
  return { add: [...after].filter((m) => !before.has(m)), remove: [...before].filter((m) => !after.has(m)) };
}

/**
 * Sets entry `key` of map field `field` of object `ref` of class `cls` to `value`; `null` or `undefined` removes it.
 * Calls: none when `known` shows the entry already as wanted; one (add_to_) for a key `known` shows absent, or one
 * (remove_from_) to remove; two (remove_from_, add_to_) to change a value, or when nothing is known.
 */
export async function setFieldEntry(
  session: XenApiSession,
  cls: string,
  ref: Ref,
  field: string,
  key: string,
  value: string | null | undefined,
  known?: StringMap,
): Promise<void> {
  const present = known === undefined ? undefined : Object.hasOwn(known, key);
  if (value === null || value === undefined) {
    if (present !== false) await session.call(`${cls}.remove_from_${field}`, ref, key);
    return;
  }
  if (present && known![key] === value) return;
  if (present === false) {
    try {
      await session.call(`${cls}.add_to_${field}`, ref, key, value);
      return;
    } catch (err) {
      if (!isXenApiError(err, "MAP_DUPLICATE_KEY")) throw err;
      // `known` was stale: someone added the key since. Fall through to replace it.
    }
  }
  await session.call(`${cls}.remove_from_${field}`, ref, key);
  await session.call(`${cls}.add_to_${field}`, ref, key, value);
}

/**
 * Adds entry `key` that must not be there yet: one `<cls>.add_to_<field>`, which xapi refuses with MAP_DUPLICATE_KEY
 * when the key is there, whatever its value. For marks such as an owner key, where replacing another's value would
 * be wrong.
 */
export async function addFieldEntry(session: XenApiSession, cls: string, ref: Ref, field: string, key: string, value: string): Promise<void> {
  await session.call(`${cls}.add_to_${field}`, ref, key, value);
}

/** Applies `delta` to map field `field` (removals first), entry by entry through setFieldEntry. */
export async function applyMapDelta(session: XenApiSession, cls: string, ref: Ref, field: string, delta: MapDelta, known?: StringMap): Promise<void> {
  for (const key of delta.remove) await setFieldEntry(session, cls, ref, field, key, null, known);
  for (const [key, value] of Object.entries(delta.set)) await setFieldEntry(session, cls, ref, field, key, value, known);
}

/** Adds `member` to set field `field` (e.g. a tag): one `<cls>.add_<field>` call, a no-op in xapi if it is there. */
export async function addToSet(session: XenApiSession, cls: string, ref: Ref, field: string, member: string): Promise<void> {
  await session.call(`${cls}.add_${field}`, ref, member);
}

/** Removes `member` from set field `field`: one `<cls>.remove_<field>` call, a no-op in xapi if it is absent. */
export async function removeFromSet(session: XenApiSession, cls: string, ref: Ref, field: string, member: string): Promise<void> {
  await session.call(`${cls}.remove_${field}`, ref, member);
}

/** Applies `delta` to set field `field` (removals first): one call per member. */
export async function applySetDelta(session: XenApiSession, cls: string, ref: Ref, field: string, delta: SetDelta): Promise<void> {
  for (const member of delta.remove) await removeFromSet(session, cls, ref, field, member);
  for (const member of delta.add) await addToSet(session, cls, ref, field, member);
}
