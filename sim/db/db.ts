/**
 * In-memory xapi database: tables of records keyed by OpaqueRef, a uuid index, derived relation sets,
 * and a generation counter that feeds event.from (every change bumps the object's generation).
 */
import { randomUUID } from "crypto";
import { Datamodel, ClassDef } from "../datamodel";
import { fail } from "../errors";
import { fromWire } from "../wire/values";
import { relations, Relation } from "./relations";

export type Rec = Record<string, unknown>;
interface Obj { cls: string; ref: string; rec: Rec; created: number; modified: number }
export interface Tombstone { cls: string; ref: string; uuid: string; gen: number }

/** A database's objects in stored form (derived relation sets left out) and its generation, for a state file. */
export interface DbDump { gen: number; objects: Array<{ cls: string; ref: string; rec: Rec }> }

export const NULL_REF = "OpaqueRef:NULL";
export const newRef = (): string => "OpaqueRef:" + randomUUID();

export class Db {
  private tables = new Map<string, Map<string, Obj>>();
  private byUuidIdx = new Map<string, Obj>();
  private derived = new Map<string, Relation>();      // "VM.VBDs" -> relation
  private pointers = new Map<string, Relation[]>();   // "VBD.VM" -> relations using it
  private index = new Map<string, Map<string, Set<string>>>(); // "VBD.VM" -> target ref -> source refs
  gen = 0;
  tombstones: Tombstone[] = [];
  private waiters = new Set<() => void>();
  private listeners = new Set<() => void>();

  constructor(readonly dm: Datamodel) {
    for (const c of dm.classes.keys()) this.tables.set(c, new Map());
    for (const r of relations) {
      if (!dm.classes.get(r.cls)?.fieldMap.has(r.field) || !dm.classes.get(r.otherCls)?.fieldMap.has(r.otherField)) continue;
      this.derived.set(r.cls + "." + r.field, r);
      const key = r.otherCls + "." + r.otherField;
      this.pointers.set(key, [...(this.pointers.get(key) ?? []), r]);
      this.index.set(key, new Map());
    }
  }

  private table(cls: string): Map<string, Obj> {
    const t = this.tables.get(this.dm.canonical(cls) ?? "");
    if (!t) throw new Error("sim: unknown class " + cls);
    return t;
  }

  private obj(cls: string, ref: string): Obj {
    const o = this.table(cls).get(ref);
    if (!o) fail("HANDLE_INVALID", this.dm.canonical(cls) ?? cls, ref);
    return o;
  }

  exists(cls: string, ref: unknown): boolean { return typeof ref === "string" && this.table(cls).has(ref); }

  /** Which class a ref belongs to (refs are unique across classes). */
  classOf(ref: string): string | undefined {
    for (const [c, t] of this.tables) if (t.has(ref)) return c;
    return undefined;
  }

  /** Creates a record with every field at its datamodel default, overridden by `fields` (stored form). */
  create(cls: string, fields: Rec = {}, ref = newRef()): string {
    const def = this.dm.cls(cls);
    const rec: Rec = {};
    for (const f of def.fields) rec[f.name] = structuredClone(f.default);
    for (const [k, v] of Object.entries(fields)) if (def.fieldMap.has(k)) rec[k] = this.normalize(def, k, v);
    if (!rec.uuid) rec.uuid = randomUUID();
    for (const r of this.derivedOf(def.name)) delete rec[r.field];
    const o: Obj = { cls: def.name, ref, rec, created: ++this.gen, modified: this.gen };
    this.table(def.name).set(ref, o);
    this.byUuidIdx.set(String(rec.uuid), o);
    for (const [field, v] of Object.entries(rec)) this.indexAdd(def.name, field, ref, v);
    this.notify();
    return ref;
  }

  /** Full record with derived relation sets filled in (a copy). */
  get(cls: string, ref: string): Rec {
    const o = this.obj(cls, ref);
    const out = structuredClone(o.rec);
    for (const r of this.derivedOf(o.cls)) out[r.field] = [...(this.index.get(r.otherCls + "." + r.otherField)?.get(ref) ?? [])];
    return out;
  }

  field(cls: string, ref: string, field: string): unknown {
    const o = this.obj(cls, ref);
    const r = this.derived.get(o.cls + "." + field);
    if (r) return [...(this.index.get(r.otherCls + "." + r.otherField)?.get(ref) ?? [])];
    return structuredClone(o.rec[field]);
  }

  set(cls: string, ref: string, field: string, value: unknown): void {
    const o = this.obj(cls, ref);
    const def = this.dm.cls(o.cls);
    if (!def.fieldMap.has(field)) throw new Error(`sim: ${o.cls} has no field ${field}`);
    if (this.derived.has(o.cls + "." + field)) return; // derived sets follow the other side
    const v = this.normalize(def, field, value);
    this.indexRemove(o.cls, field, ref, o.rec[field]);
    o.rec[field] = v;
    this.indexAdd(o.cls, field, ref, v);
    if (field === "uuid") this.byUuidIdx.set(String(v), o);
    this.touch(o);
  }

  update(cls: string, ref: string, fields: Rec): void { for (const [k, v] of Object.entries(fields)) this.set(cls, ref, k, v); }

  destroy(cls: string, ref: string): void {
    const o = this.obj(cls, ref);
    for (const [field, v] of Object.entries(o.rec)) this.indexRemove(o.cls, field, ref, v);
    this.table(o.cls).delete(ref);
    this.byUuidIdx.delete(String(o.rec.uuid));
    this.tombstones.push({ cls: o.cls, ref, uuid: String(o.rec.uuid), gen: ++this.gen });
    if (this.tombstones.length > 10000) this.tombstones.splice(0, 5000);
    this.notify();
  }

  refs(cls: string): string[] { return [...this.table(cls).keys()]; }
  all(cls: string): Array<{ ref: string; record: Rec }> { return this.refs(cls).map((ref) => ({ ref, record: this.get(cls, ref) })); }
  find(cls: string, pred: (r: Rec) => boolean): string[] { return [...this.table(cls).values()].filter((o) => pred(o.rec)).map((o) => o.ref); }
  byUuid(cls: string, uuid: string): { ref: string; record: Rec } | undefined {
    const o = this.byUuidIdx.get(uuid);
    return o && o.cls === this.dm.canonical(cls) ? { ref: o.ref, record: this.get(o.cls, o.ref) } : undefined;
  }

  /** Objects changed after generation `since`, for event.from. */
  changedSince(since: number): Array<{ cls: string; ref: string; created: number; modified: number }> {
    const out: Array<{ cls: string; ref: string; created: number; modified: number }> = [];
    for (const t of this.tables.values()) for (const o of t.values()) if (o.modified > since) out.push({ cls: o.cls, ref: o.ref, created: o.created, modified: o.modified });
    return out;
  }
  count(cls: string): number { return this.table(cls).size; }

  /** Resolves on the next change (or after ms). */
  waitForChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => { clearTimeout(timer); this.waiters.delete(done); resolve(); };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }
  wakeAll(): void { for (const w of [...this.waiters]) w(); }

  /** Every object except those of the classes in `skip` (e.g. sessions, which a restart forgets). */
  dump(skip: string[] = []): DbDump {
    const objects: DbDump["objects"] = [];
    for (const [cls, t] of this.tables) if (!skip.includes(cls)) for (const o of t.values()) objects.push({ cls, ref: o.ref, rec: structuredClone(o.rec) });
    return { gen: this.gen, objects };
  }

  /** Loads what dump() wrote, keeping refs and uuids; generations continue after the dumped one. */
  load(d: DbDump): void {
    for (const o of d.objects) this.create(o.cls, o.rec, o.ref);
    this.gen = Math.max(this.gen, d.gen);
  }

  /** Calls `fn` (synchronously, so keep it cheap) after every change; returns the unsubscribe function. */
  onChange(fn: () => void): () => void { this.listeners.add(fn); return () => this.listeners.delete(fn); }

  /** Marks an object modified without changing it (event.inject). */
  touchRef(cls: string, ref: string): void { this.touch(this.obj(cls, ref)); }

  private notify(): void {
    if (this.waiters.size) setImmediate(() => this.wakeAll());
    for (const l of this.listeners) l();
  }
  private touch(o: Obj): void { o.modified = ++this.gen; this.notify(); }

  private derivedOf(cls: string): Relation[] { return relations.filter((r) => r.cls === cls && this.derived.has(r.cls + "." + r.field)); }

  private normalize(def: ClassDef, field: string, v: unknown): unknown {
    const f = def.fieldMap.get(field)!;
    return fromWire(this.dm, v, this.dm.parseType(f.type), field);
  }

  private indexAdd(cls: string, field: string, ref: string, v: unknown): void {
    const idx = this.index.get(cls + "." + field);
    if (!idx || typeof v !== "string" || v === NULL_REF || v === "") return;
    let s = idx.get(v);
    if (!s) idx.set(v, (s = new Set()));
    s.add(ref);
    this.touchTargets(cls, field, v);
  }
  private indexRemove(cls: string, field: string, ref: string, v: unknown): void {
    const idx = this.index.get(cls + "." + field);
    if (!idx || typeof v !== "string") return;
    idx.get(v)?.delete(ref);
    this.touchTargets(cls, field, v);
  }
  // The derived side changed too: xapi emits a "mod" for it.
  private touchTargets(cls: string, field: string, target: string): void {
    for (const r of this.pointers.get(cls + "." + field) ?? []) {
      const o = this.tables.get(r.cls)?.get(target);
      if (o) this.touch(o);
    }
  }
}
