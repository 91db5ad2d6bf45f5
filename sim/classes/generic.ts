/**
 * The datamodel-driven implementation of xapi's implicit messages for every class: get_all, get_all_records,
 * get_record, get_by_uuid, get_by_name_label, field getters/setters, map add_to_/remove_from_, set add_/remove_,
 * and the generic create/destroy. Explicit setters of the same shape fall back to it too.
 */
import type { ClassDef, MessageDef } from "../datamodel";
import type { Handler } from "../registry";
import type { SimState } from "../state";
import { fail } from "../errors";

export function generic(st: SimState, cls: ClassDef, msg: MessageDef): Handler | undefined {
  const C = cls.name;
  const db = st.db;
  const n = msg.name;
  const field = (prefix: string) => (n.startsWith(prefix) ? cls.fieldMap.get(n.slice(prefix.length)) : undefined);
  switch (n) {
    case "get_all": return () => db.refs(C);
    case "get_all_records": return () => Object.fromEntries(db.refs(C).map((r) => [r, db.get(C, r)]));
    case "get_record": return (_c, self: string) => db.get(C, self);
    case "get_by_uuid": return (_c, uuid: string) => db.byUuid(C, uuid)?.ref ?? fail("UUID_INVALID", C, uuid);
    case "get_by_name_label": return (_c, label: string) => db.find(C, (r) => r.name_label === label);
    case "create": if (msg.implicit) return (_c, rec: Record<string, unknown>) => db.create(C, rec); break;
    case "destroy": if (msg.implicit) return (_c, self: string) => db.destroy(C, self); break;
  }
  let f = field("get_");
  if (f && msg.params.length === 2) { const name = f.name; return (_c, self: string) => db.field(C, self, name); }
  f = field("set_");
  if (f && msg.params.length === 3) {
    const name = f.name;
    const isMap = f.type.endsWith(" map");
    return (_c, self: string, value: unknown) => {
      if (isMap && value && typeof value === "object" && "" in value) emptyKey();
      db.set(C, self, name, value);
    };
  }
  // Map entries and set members as xapi's database does them (db_cache_types.ml): add_to_ refuses a key that is
  // there, whatever its value, with MAP_DUPLICATE_KEY [table, field, ref, key] (the master's map is not
  // "idempotent": db_idempotent_map is off by default), and an empty key; a new key or member goes first; removing
  // an absent key or member, or adding a member that is there, changes nothing but is still a write of the field
  // (the object's generation moves: event.from reports it modified).
  f = field("add_to_");
  if (f && msg.params.length === 4) {
    const name = f.name;
    return (_c, self: string, key: string, value: unknown) => {
      const m = db.field(C, self, name) as Record<string, unknown>;
      if (key === "") emptyKey();
      if (Object.hasOwn(m, key)) fail("MAP_DUPLICATE_KEY", C, name, self, key);
      db.set(C, self, name, { [key]: value, ...m });
    };
  }
  f = field("remove_from_");
  if (f && msg.params.length === 3) {
    const name = f.name;
    return (_c, self: string, key: string) => {
      const m = { ...(db.field(C, self, name) as Record<string, unknown>) };
      delete m[key];
      db.set(C, self, name, m);
    };
  }
  f = field("add_");
  if (f && msg.params.length === 3 && f.type.endsWith(" set")) {
    const name = f.name;
    return (_c, self: string, value: unknown) => {
      const s = db.field(C, self, name) as unknown[];
      db.set(C, self, name, s.includes(value) ? s : [value, ...s]);
    };
  }
  f = field("remove_");
  if (f && msg.params.length === 3 && f.type.endsWith(" set")) {
    const name = f.name;
    return (_c, self: string, value: unknown) => {
      const s = db.field(C, self, name) as unknown[];
      db.set(C, self, name, s.filter((x) => x !== value));
    };
  }
  return undefined;
}

/** xapi refuses an empty map key (Db_exn.Empty_key_in_map), which reaches the client as an INTERNAL_ERROR. */
function emptyKey(): never {
  fail("INTERNAL_ERROR", "Db_exn.Empty_key_in_map");
}
