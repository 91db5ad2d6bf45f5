/**
 * The host's own xapi fields that Host manages: name label, description, other-config keys and tags. Applied with
 * "what this resource added" recorded in `added` (other-config keys absent before, tags it added) so that an
 * unmanaged key or delete takes back exactly those. Entries are written one by one through the generic
 * ../../xenapi/field-entry.ts, since each key's "added by us" is recorded.
 */
import { addToSet, HostRecord, Ref, removeFromSet, setDelta, setFieldEntry, XenApiSession } from "../../xenapi";
import type { HostInputs, HostOutputs } from "./index";
import type { HostAdded } from "./undo";

/** Brings name, description, other-config and tags to `news`, recording in `added` what it adds. */
export async function convergeXapiFields(session: XenApiSession, ref: Ref, record: HostRecord, olds: HostOutputs | undefined, news: HostInputs, added: HostAdded) {
  if (news.name !== undefined && record.name_label !== news.name) await session.call("host.set_name_label", ref, news.name);
  if (news.description !== undefined && record.name_description !== news.description) {
    await session.call("host.set_name_description", ref, news.description);
  }
  // A key no longer managed is removed only if this resource added it; a key that was there before stays.
  for (const key of Object.keys(olds?.otherConfig ?? {}).filter((k) => !(k in news.otherConfig))) {
    if (!added.otherConfigKeys.includes(key)) continue;
    await setFieldEntry(session, "host", ref, "other_config", key, null, record.other_config);
    added.otherConfigKeys = added.otherConfigKeys.filter((k) => k !== key);
  }
  for (const [key, value] of Object.entries(news.otherConfig)) {
    if (record.other_config[key] === value) continue;
    if (!(key in record.other_config) && !added.otherConfigKeys.includes(key)) added.otherConfigKeys.push(key);
    await setFieldEntry(session, "host", ref, "other_config", key, value, record.other_config);
  }
  if (news.tags !== undefined) {
    const t = setDelta(record.tags, news.tags);
    for (const tag of t.remove) {
      await removeFromSet(session, "host", ref, "tags", tag);
      added.tags = added.tags.filter((x) => x !== tag);
    }
    for (const tag of t.add) {
      await addToSet(session, "host", ref, "tags", tag);
      added.tags.push(tag);
    }
  } else if (olds?.tags !== undefined) {
    // tags are no longer managed: take back the ones this resource added
    for (const tag of added.tags) await removeFromSet(session, "host", ref, "tags", tag);
    added.tags = [];
  }
}

/** Takes back the other-config keys and tags this resource added. */
export async function undoXapiFields(session: XenApiSession, ref: Ref, added: HostAdded): Promise<void> {
  for (const key of added.otherConfigKeys) await setFieldEntry(session, "host", ref, "other_config", key, null);
  for (const tag of added.tags) await removeFromSet(session, "host", ref, "tags", tag);
}

/** The fields as they are, in the terms of `declared`: only the other-config keys it manages, and name, description, tags when it manages them. */
export function currentXapiFields(record: HostRecord, declared: HostInputs): Pick<HostInputs, "otherConfig" | "name" | "description" | "tags"> {
  const current: Pick<HostInputs, "otherConfig" | "name" | "description" | "tags"> = {
    otherConfig: pick(record.other_config, Object.keys(declared.otherConfig ?? {})),
  };
  if (declared.name !== undefined) current.name = record.name_label;
  if (declared.description !== undefined) current.description = record.name_description;
  if (declared.tags !== undefined) current.tags = [...record.tags].sort();
  return current;
}

function pick(map: Record<string, string>, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys.sort()) if (key in map) out[key] = map[key];
  return out;
}
