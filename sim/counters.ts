/** Call counters for benchmarks and leak checks. */
export class Counters {
  private byMethod = new Map<string, number>();
  private writes = 0;
  sessionsOpened = 0;
  sessionsClosed = 0;
  get sessionsOpen(): number { return this.sessionsOpened - this.sessionsClosed; }

  record(method: string): void {
    this.byMethod.set(method, (this.byMethod.get(method) ?? 0) + 1);
    if (isWrite(method)) this.writes++;
  }
  calls(): Record<string, number> { return Object.fromEntries(this.byMethod); }
  writeCalls(): number { return this.writes; }
  /** Zeroes call counts and the opened/closed totals, keeping sessionsOpen equal to the live session count. */
  reset(liveSessions: number): void {
    this.byMethod.clear();
    this.writes = 0;
    this.sessionsOpened = liveSessions;
    this.sessionsClosed = 0;
  }
  snapshot(): { calls: Record<string, number>; writeCalls: number; sessionsOpened: number; sessionsClosed: number; sessionsOpen: number } {
    return { calls: this.calls(), writeCalls: this.writes, sessionsOpened: this.sessionsOpened, sessionsClosed: this.sessionsClosed, sessionsOpen: this.sessionsOpen };
  }
}

/** A call changes state unless it is a getter, a login/logout, an event call or a task read. */
export function isWrite(method: string): boolean {
  const m = method.startsWith("Async.") ? method.slice(6) : method;
  const dot = m.indexOf(".");
  const cls = m.slice(0, dot), msg = m.slice(dot + 1);
  if (msg.startsWith("get_")) return false;
  if (cls === "session" && (msg.startsWith("login") || msg.endsWith("logout") || msg.includes("login"))) return false;
  if (cls === "event") return false;
  return true;
}
