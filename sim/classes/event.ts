/**
 * event.from(classes, token, timeout): every object changed after the token's generation, as add/mod/del
 * events with snapshots, plus valid_ref_counts and the next token. Subscriptions are "*", a class name or
 * "class/ref". event.register/next/unregister is the older per-session queue.
 */
import { on } from "../registry";
import { fail } from "../errors";
import type { Ctx, SimState } from "../state";
import { toWire, XDouble, xapiDate } from "../wire/values";

/** Classes "*" does not cover (they change on every call or are not objects). */
const NOT_IN_STAR = new Set(["session", "event", "message", "data_source", "user"]);

interface Sub { all: boolean; classes: Set<string>; objects: Set<string> }

function parseSubs(st: SimState, classes: string[]): Sub {
  const sub: Sub = { all: false, classes: new Set(), objects: new Set() };
  for (const c of classes) {
    if (c === "*") { sub.all = true; continue; }
    const slash = c.indexOf("/");
    const cls = st.dm.canonical(slash >= 0 ? c.slice(0, slash) : c);
    if (!cls) continue; // xapi ignores classes it does not know
    if (slash >= 0) sub.objects.add(c.slice(slash + 1)); else sub.classes.add(cls);
  }
  return sub;
}
const matches = (sub: Sub, cls: string, ref: string) => sub.objects.has(ref) || sub.classes.has(cls) || (sub.all && !NOT_IN_STAR.has(cls));

export function formatToken(gen: number): string { return `${String(gen).padStart(20, "0")},${"0".repeat(20)}`; }
function parseToken(token: string): number {
  if (token === "") return 0;
  const m = /^(\d+)(,\d+)?$/.exec(token.trim());
  if (!m) fail("EVENT_FROM_TOKEN_PARSE_FAILURE", token);
  return parseInt(m[1], 10);
}

function eventsSince(st: SimState, sub: Sub, since: number, withUuid = false): Array<Record<string, unknown>> {
  const out: Array<{ id: number; ev: Record<string, unknown> }> = [];
  // event.from stamps events with float seconds; event.next records have a datetime field
  const ts = withUuid ? xapiDate() : new XDouble(String(Date.now() / 1000));
  for (const o of st.db.changedSince(since)) {
    if (!matches(sub, o.cls, o.ref)) continue;
    const rec = st.db.get(o.cls, o.ref);
    const ev: Record<string, unknown> = { id: String(o.modified), timestamp: ts, class: o.cls.toLowerCase(), operation: o.created > since ? "add" : "mod",
      ref: o.ref, snapshot: toWire(st.dm, rec, { kind: "record", cls: o.cls }) };
    if (withUuid) ev.obj_uuid = rec.uuid;
    out.push({ id: o.modified, ev });
  }
  for (const t of st.db.tombstones) {
    if (t.gen <= since || !matches(sub, t.cls, t.ref)) continue;
    const ev: Record<string, unknown> = { id: String(t.gen), timestamp: ts, class: t.cls.toLowerCase(), operation: "del", ref: t.ref };
    if (withUuid) ev.obj_uuid = t.uuid;
    out.push({ id: t.gen, ev });
  }
  return out.sort((a, b) => a.id - b.id).map((x) => x.ev);
}

on("event.from", async (ctx: Ctx, classes: string[], token: string, timeout: number) => {
  const st = ctx.st;
  const sub = parseSubs(st, classes);
  const since = parseToken(token);
  const deadline = Date.now() + Math.max(0, Number(timeout) || 0) * 1000;
  for (;;) {
    const gen = st.db.gen;
    const events = eventsSince(st, sub, since);
    if (events.length || Date.now() >= deadline) {
      const counts: Record<string, string> = {};
      for (const c of st.dm.classes.keys()) {
        if (sub.classes.has(c) || (sub.all && !NOT_IN_STAR.has(c))) counts[c.toLowerCase()] = String(st.db.count(c));
      }
      return { events, valid_ref_counts: counts, token: formatToken(events.length ? gen : Math.max(since, gen)) };
    }
    await st.db.waitForChange(Math.min(deadline - Date.now(), 60_000));
    if (!st.sessions.isLive(ctx.sessionRef)) fail("SESSION_INVALID", ctx.sessionRef); // restarted or logged out meanwhile
  }
});

// Older API: per-session registration and a blocking next().
const registrations = new WeakMap<SimState, Map<string, { classes: string[]; last: number }>>();
function regs(st: SimState) { let m = registrations.get(st); if (!m) registrations.set(st, (m = new Map())); return m; }

on("event.register", (ctx: Ctx, classes: string[]) => {
  const r = regs(ctx.st).get(ctx.sessionRef);
  if (r) r.classes = [...new Set([...r.classes, ...classes])];
  else regs(ctx.st).set(ctx.sessionRef, { classes, last: ctx.st.db.gen });
});
on("event.unregister", (ctx: Ctx, classes: string[]) => {
  const r = regs(ctx.st).get(ctx.sessionRef);
  if (r) r.classes = r.classes.filter((c) => !classes.includes(c));
});
on("event.next", async (ctx: Ctx) => {
  const st = ctx.st;
  const r = regs(st).get(ctx.sessionRef);
  if (!r) fail("SESSION_NOT_REGISTERED", ctx.sessionRef);
  for (;;) {
    const gen = st.db.gen;
    const events = eventsSince(st, parseSubs(st, r.classes), r.last, true);
    if (events.length) { r.last = gen; return events; }
    await st.db.waitForChange(30_000);
    if (!st.sessions.isLive(ctx.sessionRef)) fail("SESSION_INVALID", ctx.sessionRef);
  }
});
on("event.get_current_id", (ctx: Ctx) => String(ctx.st.db.gen));
on("event.inject", (ctx: Ctx, cls: string, ref: string) => {
  const c = ctx.st.dm.canonical(cls);
  if (!c || !ctx.st.db.exists(c, ref)) fail("HANDLE_INVALID", cls, ref);
  ctx.st.db.touchRef(c, ref);
  return formatToken(ctx.st.db.gen);
});
