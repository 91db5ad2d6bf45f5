import { TripWire } from "./tripwire";

/**
 * Where a dropped connection is cut:
 * - "accept": a new connection is closed as soon as it is accepted (before the TLS handshake): the client can
 *   tell its request was never sent;
 * - "request": a request's connection is closed when the request arrives, before it runs;
 * - "answer": the call runs, then the connection is closed instead of answering: the client cannot tell.
 */
export type DropPoint = "accept" | "request" | "answer";

/** Fault injection state: latency, dropped connections, failing tasks, a fault at the Nth write (`trip`). */
export class Faults {
  /** A fault at the Nth write call (./tripwire.ts). */
  readonly trip = new TripWire();
  /** A toolstack restart: wired by the simulator (it owns the listeners). */
  restart: () => Promise<void> = async () => undefined;
  private latencyAll = 0;
  private latencyBy = new Map<string, number>();
  dropCount = 0;
  private failNext = new Map<string, string[][]>();

  setLatency(ms: number, method?: string): void {
    if (method) this.latencyBy.set(stripAsync(method), ms); else this.latencyAll = ms;
  }
  latencyFor(method: string): number { return this.latencyBy.get(stripAsync(method)) ?? this.latencyAll; }

  /** Drops pending at one point only (dropNextConnections' drops apply at whichever of accept or request comes first). */
  private dropsAt = new Map<DropPoint, number>();

  dropNextConnections(n: number): void { this.dropCount += n; }
  /** The next `n` connections or calls are cut at `point` (see DropPoint). */
  dropNext(n: number, point: DropPoint): void { this.dropsAt.set(point, (this.dropsAt.get(point) ?? 0) + n); }
  /** Consumes one pending drop for this point; true when this connection/request must be dropped. */
  takeDrop(point: DropPoint = "request"): boolean {
    const at = this.dropsAt.get(point) ?? 0;
    if (at > 0) { this.dropsAt.set(point, at - 1); return true; }
    if (point !== "answer" && this.dropCount > 0) { this.dropCount--; return true; }
    return false;
  }

  failNextTask(method: string, errorDescription: string[]): void {
    const k = stripAsync(method);
    this.failNext.set(k, [...(this.failNext.get(k) ?? []), errorDescription]);
  }
  /** The queued failure for the next call of this method (sync or Async), if any. */
  takeFailure(method: string): string[] | undefined {
    const q = this.failNext.get(stripAsync(method));
    const d = q?.shift();
    if (q && q.length === 0) this.failNext.delete(stripAsync(method));
    return d;
  }
  clear(): void { this.latencyAll = 0; this.latencyBy.clear(); this.dropCount = 0; this.dropsAt.clear(); this.failNext.clear(); this.trip.disarm(); }
}

export const stripAsync = (m: string): string => (m.startsWith("Async.") ? m.slice(6) : m);
