import { isXenApiError } from "./errors";
import { Ref, VM_FIELDS } from "./records";
import { XenApiSession } from "./session";

/**
 * One view of the pool per session (so per provider process), the way Xen Orchestra's xen-api client keeps its
 * object cache: each class is loaded with one `get_all_records` the first time it is needed, and kept current with
 * `event.from` from a token taken before the first load. Reads of the provider go through it; writes go straight
 * to xapi.
 *
 * When the view catches up (one `event.from` for every class it holds, shared by every caller waiting meanwhile):
 * - `current()`: a catch-up that starts after the call (create, update and delete call it first, so they act on
 *   the pool as it is, whatever changed behind Pulumi's back; concurrent callers share one call);
 * - before any read, if this process completed a write since the last catch-up began (so nothing written here is
 *   read back stale: the write's event has been seen), or if a new operation began since (`beginOperation`, from
 *   the provider's `configure`: a refresh sees what changed before it started, in the same second included);
 * - when a lookup by uuid, name or ref finds nothing (an object made behind Pulumi's back since the last catch-up,
 *   or a ref another class's record names before this class has caught up), before answering "none".
 * Catch-ups and loads run one at a time, so a class loaded while a catch-up is under way misses no event.
 *
 * A pool that refuses `event.from` (old xapi, RBAC) is still served: a catch-up then drops every class, which the
 * next read loads again (`get_all_records`). A re-login (xapi restarted) or a token xapi no longer accepts starts
 * the view over.
 */
/** An object the view found: its ref and its record. */
export interface ObjectRef<R> {
  /** The object's OpaqueRef. */
  ref: Ref;
  /** Its record as the view holds it (as of the view's last catch-up); shared, not a copy: do not modify it. */
  record: R;
}

export interface LookupOptions {
  /** The caller has caught up (`current()`) since its operation began: a miss is an answer, no second look. */
  caughtUp?: boolean;
}

interface EventRecord {
  class: string;
  operation: "add" | "mod" | "del";
  ref: Ref;
  snapshot?: Record<string, unknown>;
}

interface EventBatch {
  events: EventRecord[];
  token: string;
}

interface Batch {
  load: Set<string>;
  sync: boolean;
  done: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

type Rec = Record<string, unknown>;

/** How long a catch-up lets xapi wait for a change, in s (a float on the wire; nothing to wait for, really). */
const CATCH_UP_WAIT_S = 0.001;

/** Event.from refusals that mean "start over" rather than "no events here". */
const RESTART_CODES = new Set(["EVENTS_LOST", "EVENT_FROM_TOKEN_PARSE_FAILURE", "SESSION_NOT_REGISTERED"]);

/** Operations begun in this process (see beginOperation). */
let operation = 0;

/**
 * Marks the start of a provider operation (Pulumi runs one provider process per command and calls `configure`
 * once in it): every view catches up before its next read, so what changed before now is seen.
 */
export function beginOperation(): void {
  operation++;
}

export class PoolView {
  private readonly tables = new Map<string, Map<Ref, Rec>>();
  private readonly byUuidIndex = new Map<string, Map<string, Ref>>();
  private token: string | undefined;
  /** false once xapi refused event.from: every catch-up then reloads. */
  private events = true;
  private loginsAtToken = -1;
  private writesDone = 0;
  private writesSynced = 0;
  private operationSynced = operation;
  private chain: Promise<void> = Promise.resolve();
  private next: Batch | undefined;

  constructor(private readonly session: XenApiSession) {
    session.onWriteDone(() => this.writesDone++);
  }

  /** Resolves once the view reflects xapi as of a moment after this call. */
  current(): Promise<void> {
    return this.request([], true);
  }

  /** Every record of `cls`, by ref. */
  async all<R>(cls: string): Promise<ReadonlyMap<Ref, R>> {
    return (await this.table(cls)) as unknown as ReadonlyMap<Ref, R>;
  }

  /** Loads these classes (one batch, in parallel) and catches up as reads need: call before reading several. */
  async prepare(classes: string[]): Promise<void> {
    await this.request(classes, this.needsSync());
  }

  /** The record of `ref`, or undefined when xapi has no such object (after catching up once). */
  async get<R>(cls: string, ref: Ref, options?: LookupOptions): Promise<R | undefined> {
    const found = await this.lookup(cls, options, (t) => (t.has(ref) ? [{ ref, record: t.get(ref)! }] : []));
    return found[0]?.record as R | undefined;
  }

  /** The object with `uuid`, or undefined when xapi has none (after catching up once). */
  async byUuid<R>(cls: string, uuid: string, options?: LookupOptions): Promise<ObjectRef<R> | undefined> {
    const found = await this.lookup(cls, options, (t) => {
      const ref = this.byUuidIndex.get(cls)?.get(uuid);
      return ref && t.has(ref) ? [{ ref, record: t.get(ref)! }] : [];
    });
    return found[0] as ObjectRef<R> | undefined;
  }

  /** The objects of `cls` that `accept` takes (none only after catching up once). */
  async find<R>(cls: string, accept: (record: R) => boolean, options?: LookupOptions): Promise<Array<ObjectRef<R>>> {
    return (await this.lookup(cls, options, (t) => {
      const out: Array<ObjectRef<Rec>> = [];
      for (const [ref, record] of t) if (accept(record as R)) out.push({ ref, record });
      return out;
    })) as unknown as Array<ObjectRef<R>>;
  }

  /** Objects of `cls` named `name`. */
  byName<R>(cls: string, name: string, accept: (record: R) => boolean = () => true, options?: LookupOptions): Promise<Array<ObjectRef<R>>> {
    return this.find<R>(cls, (r) => (r as Rec).name_label === name && accept(r), options);
  }

  // -------------------------------------------------------------------------------------------------------------

  private async lookup(cls: string, options: LookupOptions | undefined, pick: (table: Map<Ref, Rec>) => Array<ObjectRef<Rec>>): Promise<Array<ObjectRef<Rec>>> {
    const found = pick(await this.table(cls));
    if (found.length > 0 || options?.caughtUp) return found;
    // Nothing: maybe made since the last catch-up. Look once more after one that started after this lookup.
    await this.current();
    return pick(await this.table(cls));
  }

  private async table(cls: string): Promise<Map<Ref, Rec>> {
    for (;;) {
      const needed = !this.tables.has(cls);
      const sync = this.needsSync();
      if (needed || sync) await this.request([cls], sync);
      const table = this.tables.get(cls);
      if (table) return table;
    }
  }

  private needsSync(): boolean {
    return this.tables.size > 0 && (this.writesDone > this.writesSynced || this.operationSynced < operation);
  }

  /** Joins the batch that has not started yet (or makes one): it runs after the one under way. */
  private request(classes: string[], sync: boolean): Promise<void> {
    let batch = this.next;
    if (!batch) {
      let resolve!: () => void;
      let reject!: (err: unknown) => void;
      const done = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      batch = this.next = { load: new Set(), sync: false, done, resolve, reject };
      const started = batch;
      this.chain = this.chain.then(() => this.run(started));
    }
    for (const c of classes) batch.load.add(c);
    if (sync) batch.sync = true;
    return batch.done;
  }

  private async run(batch: Batch): Promise<void> {
    if (this.next === batch) this.next = undefined;
    const writes = this.writesDone;
    const op = operation;
    const hadTables = this.tables.size > 0;
    try {
      if (this.events) {
        if (this.token !== undefined && this.session.logins !== this.loginsAtToken) this.reset(); // xapi restarted
        if (this.token === undefined) await this.start();
        else if (batch.sync) await this.catchUp();
        if (this.events && this.token === undefined) await this.start(); // the catch-up started the view over
      }
      if (!this.events && batch.sync) this.reset(); // no events to follow: what is read next is loaded again
      const missing = [...batch.load].filter((c) => !this.tables.has(c));
      await Promise.all(missing.map((c) => this.load(c)));
      if (batch.sync || !hadTables) {
        this.writesSynced = Math.max(this.writesSynced, writes);
        this.operationSynced = Math.max(this.operationSynced, op);
      }
      batch.resolve();
    } catch (err) {
      batch.reject(err);
    }
  }

  /** The token every later catch-up starts from, taken before any class is loaded (with the pool's record). */
  private async start(): Promise<void> {
    try {
      const answer = await this.session.call<EventBatch>("event.from", ["pool"], "", CATCH_UP_WAIT_S);
      this.token = answer.token;
      this.loginsAtToken = this.session.logins;
      const pool = new Map<Ref, Rec>();
      this.tables.set("pool", pool);
      this.byUuidIndex.set("pool", new Map());
      for (const ev of answer.events) this.apply(ev);
    } catch (err) {
      if (!isXenApiError(err)) throw err;
      this.events = false; // this pool does not let us follow events: reload on every catch-up instead
    }
  }

  private async catchUp(): Promise<void> {
    if (!this.events) {
      this.reset();
      return;
    }
    let answer: EventBatch;
    try {
      answer = await this.session.call<EventBatch>("event.from", [...this.tables.keys()], this.token, CATCH_UP_WAIT_S);
    } catch (err) {
      if (isXenApiError(err) && RESTART_CODES.has(err.code)) {
        this.reset();
        return;
      }
      throw err;
    }
    if (this.session.logins !== this.loginsAtToken) {
      this.reset(); // logged in again meanwhile (xapi restarted): the token may not mean what it meant
      return;
    }
    for (const ev of answer.events) this.apply(ev);
    this.token = answer.token;
  }

  private reset(): void {
    this.tables.clear();
    this.byUuidIndex.clear();
    this.token = undefined;
  }

  private async load(cls: string): Promise<void> {
    const records = await this.session.call<Record<Ref, Rec>>(`${cls}.get_all_records`);
    const table = new Map<Ref, Rec>(Object.entries(records).map(([ref, record]) => [detached(ref), kept(cls, record)]));
    const uuids = new Map<string, Ref>();
    for (const [ref, record] of table) uuids.set(String(record.uuid), ref);
    this.tables.set(cls, table);
    this.byUuidIndex.set(cls, uuids);
  }

  private apply(ev: EventRecord): void {
    const cls = this.classOf(ev.class);
    if (!cls) return;
    const table = this.tables.get(cls)!;
    const uuids = this.byUuidIndex.get(cls)!;
    const old = table.get(ev.ref);
    if (old) uuids.delete(String(old.uuid));
    if (ev.operation === "del" || !ev.snapshot) {
      table.delete(ev.ref);
      return;
    }
    const record = kept(cls, ev.snapshot);
    const ref = detached(ev.ref);
    table.set(ref, record);
    uuids.set(String(record.uuid), ref);
  }

  /** Our name for an event's class (xapi writes it in lower case). */
  private classOf(eventClass: string): string | undefined {
    const lower = eventClass.toLowerCase();
    for (const cls of this.tables.keys()) if (cls.toLowerCase() === lower) return cls;
    return undefined;
  }
}

/**
 * What the view keeps of a record: all of it, except for VMs only the fields the provider reads (VM_FIELDS); and
 * as a copy. The XML-RPC parser's strings are slices of the answer's 16 KB chunks, so keeping them would keep every
 * chunk alive (measured: most of the provider's memory growing with the pool's size); the JSON round trip copies
 * them out.
 */
function kept(cls: string, record: Rec): Rec {
  let out = record;
  if (cls === "VM") {
    out = {};
    for (const field of VM_FIELDS) if (field in record) out[field] = record[field];
  }
  return JSON.parse(JSON.stringify(out)) as Rec;
}

/** A copy of `s` that does not keep the string it was sliced from alive (see kept). */
function detached(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

const views = new WeakMap<XenApiSession, PoolView>();

/** The view of the pool `session` talks to (one per session, so one per pool per process). */
export function poolView(session: XenApiSession): PoolView {
  let view = views.get(session);
  if (!view) views.set(session, (view = new PoolView(session)));
  return view;
}
