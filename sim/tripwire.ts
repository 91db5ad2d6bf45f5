/**
 * A fault at the Nth write call, for crash-recovery tests: kill points are chosen by call count, never by sleeps.
 * Armed by a test, it counts the write calls that reach xapi (task bookkeeping aside) in order, keeps their log,
 * and at the chosen one lets the call take effect in xapi and then:
 *   - `kill`: calls the test's `onTrip` (which kills every process of the run) and never answers; for an
 *     `Async.*` call, once its task has done the work, so the client never learns that it finished;
 *   - `restart`: restarts the toolstack (connections cut, sessions and tasks forgotten) before answering; for an
 *     `Async.*` call, once its task has done the work;
 *   - `drop`: cuts the connection instead of answering (an `Async.*` call's task still runs);
 *   - `fail-task`: an `Async.*` call's task fails without doing the work.
 */
import { isWrite } from "./counters";

export type TripAction = "kill" | "restart" | "drop" | "fail-task";

export interface TripSpec {
  /** 1-based index of the write call to trip at; 0 only logs. */
  at: number;
  action: TripAction;
  /** Called when a `kill` trips (synchronously, before any answer leaves). */
  onTrip?: (method: string) => void;
}

export class TripWire {
  private spec: TripSpec | undefined;
  /** The write calls seen since arming, in order, as called (`Async.` prefix kept). */
  readonly log: string[] = [];
  /** The method the wire tripped at, once it has. */
  tripped: string | undefined;

  arm(spec: TripSpec): void {
    this.spec = spec;
    this.log.length = 0;
    this.tripped = undefined;
  }

  disarm(): void {
    this.spec = undefined;
  }

  /** Counts `method` if it is a write; the action to take when it is the armed one. */
  take(method: string): TripAction | undefined {
    if (!this.spec || !isTripWrite(method)) return undefined;
    this.log.push(method);
    if (this.log.length !== this.spec.at) return undefined;
    this.tripped = method;
    return this.spec.action;
  }

  /** Runs the test's kill hook. */
  kill(method: string): void {
    this.spec?.onTrip?.(method);
  }
}

/** A write the provider makes, as opposed to reads and the task bookkeeping every async call brings. */
export function isTripWrite(method: string): boolean {
  return isWrite(method) && !/^(Async\.)?task\./.test(method);
}
