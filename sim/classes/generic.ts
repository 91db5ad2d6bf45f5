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
  if (f && msg.params.length === 3) { const name = f.name; return (_c, self: string, value: unknown) => db.set(C, self, name, value); }
  f = field("add_to_");
  if (f && msg.params.length === 4) {
    const name = f.name;
    return (_c, self: string, key: string, value: unknown) => {
      const m = { ...(db.field(C, self, name) as Record<string, unknown>) };
      if (key in m) fail("MAP_DUPLICATE_KEY", C, name, self, key);
      m[key] = value;
      db.set(C, self, name, m);
    };
  }
  f = field("remove_from_");
  if (f && msg.params.length === 3) {
    const name = f.name;
    return (_c, self: string, key: string) => {
      const m = { ...(db.field(C, self, name) as Record<string, unknown>) };
      if (!(key in m)) return;
      delete m[key];
      db.set(C, self, name, m);
    };
  }
  f = field("add_");
  if (f && msg.params.length === 3 && f.type.endsWith(" set")) {
    const name = f.name;
    return (_c, self: string, value: unknown) => {
      const s = db.field(C, self, name) as unknown[];
      if (!s.includes(value)) db.set(C, self, name, [...s, value]);
    };
  }
  f = field("remove_");
  if (f && msg.params.length === 3 && f.type.endsWith(" set")) {
    const name = f.name;
    return (_c, self: string, value: unknown) => {
      const s = db.field(C, self, name) as unknown[];
      if (s.includes(value)) db.set(C, self, name, s.filter((x) => x !== value));
    };
  }
  return undefined;
}
