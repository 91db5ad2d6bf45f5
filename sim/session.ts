/**
 * Sessions: login/logout and xapi's per-user limit. xapi keeps at most 500 sessions per user+originator
 * (400 for root logging in without an originator) and silently destroys the least recently used beyond that,
 * so an evicted session answers SESSION_INVALID on its next call.
 */
import { fail } from "./errors";
import type { SimState } from "./state";
import { xapiDate } from "./wire/values";

interface Live { ref: string; group: string }

export class Sessions {
  private live = new Map<string, Live>();
  private groups = new Map<string, Map<string, true>>(); // insertion order = recency (LRU first)
  constructor(private st: () => SimState) {}

  static limitFor(uname: string, originator: string): number { return uname === "root" && !originator ? 400 : 500; }

  login(uname: string, pwd: string, originator: string, hostRef: string): string {
    const st = this.st();
    if (!(uname in st.users) || st.users[uname] !== pwd) fail("SESSION_AUTHENTICATION_FAILED", uname, "Authentication failure");
    const now = xapiDate();
    const ref = st.db.create("session", {
      this_host: hostRef, this_user: "OpaqueRef:NULL", last_active: now, validation_time: now, pool: false,
      is_local_superuser: uname === "root", auth_user_name: uname, originator, rbac_permissions: [],
    });
    const group = uname + "\u0000" + originator;
    this.live.set(ref, { ref, group });
    let g = this.groups.get(group);
    if (!g) this.groups.set(group, (g = new Map()));
    g.set(ref, true);
    st.counters.sessionsOpened++;
    const limit = Sessions.limitFor(uname, originator);
    while (g.size > limit) this.destroy(g.keys().next().value as string);
    return ref;
  }

  /** Checks a session and marks it recently used. */
  check(ref: unknown): string {
    const s = typeof ref === "string" ? this.live.get(ref) : undefined;
    if (!s) fail("SESSION_INVALID", String(ref ?? ""));
    const g = this.groups.get(s.group)!;
    g.delete(s.ref);
    g.set(s.ref, true);
    return s.ref;
  }

  isLive(ref: string): boolean { return this.live.has(ref); }

  destroy(ref: string): void {
    const s = this.live.get(ref);
    if (!s) return;
    this.live.delete(ref);
    this.groups.get(s.group)?.delete(ref);
    const st = this.st();
    if (st.db.exists("session", ref)) st.db.destroy("session", ref);
    st.counters.sessionsClosed++;
  }

  /** A toolstack restart forgets every session. */
  destroyAll(): void { for (const ref of [...this.live.keys()]) this.destroy(ref); }
  count(): number { return this.live.size; }
}
