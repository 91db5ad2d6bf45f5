import { XenApiTransportError } from "./errors";

/**
 * When a call that failed on the wire is repeated: bounded attempts with jittered exponential back-off. Only
 * connection problems are retried (never a TLS refusal, a refused login or xapi's own answer), and a call whose
 * request may have reached xapi only when it is a read.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included (default 5). */
  attempts: number;
  /** Wait before the second attempt, in ms (default 200); doubles each time, up to maxDelayMs. */
  firstDelayMs: number;
  /** Longest wait between two attempts, in ms (default 3000). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, firstDelayMs: 200, maxDelayMs: 3000 };

/**
 * The one definition of a read: a call that changes nothing in xapi, so repeating it after a dropped answer is
 * harmless. Getters (`get_*`, which covers `get_all`, `get_all_records`, `get_record`, `get_by_uuid`,
 * `get_by_name_label`), `event.from` (its token makes it repeatable) and the session's own getters.
 */
export function isReadOnly(method: string): boolean {
  const dot = method.indexOf(".");
  if (dot < 0 || method.startsWith("Async.")) return false;
  const name = method.slice(dot + 1);
  return name.startsWith("get_") || method === "event.from" || method === "event.get_current_id";
}

/**
 * Calls that may be repeated after a dropped answer although they are not reads:
 * - a login: at worst xapi made a session whose ref never reached us, which we cannot log out; xapi evicts a
 *   user's oldest sessions beyond its limit, so such an orphan is bounded, and it is rare (the answer lost after
 *   xapi logged us in), while the alternative is failing the run;
 * - a logout, and destroying a task: repeating them is harmless (the second finds the object gone and fails with
 *   SESSION_INVALID / HANDLE_INVALID, which their callers ignore), and not repeating them leaves one behind.
 */
const REPEATABLE_WRITES = new Set([
  "session.login_with_password",
  "session.slave_local_login_with_password",
  "session.logout",
  "task.destroy",
]);

/** True when a call of `method` may be repeated even though its request may have reached xapi. */
export function isRepeatable(method: string): boolean {
  return isReadOnly(method) || REPEATABLE_WRITES.has(method);
}

/** True when `err` may be retried for `method`: a connection problem, and either not sent or repeatable. */
export function isRetryable(err: unknown, method: string): boolean {
  if (!(err instanceof XenApiTransportError) || err.timedOut) return false;
  return err.delivery === "not-sent" || isRepeatable(method);
}

/** Wait before attempt `attempt + 1` (attempt counts from 1): half fixed, half random, so clients spread out. */
export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** (attempt - 1));
  return Math.round(base / 2 + (random() * base) / 2);
}

export interface RetryContext {
  /** What is being done, for the final message: "login", "host.get_all". */
  what: string;
  /**
   * The XenAPI method called (e.g. `session.login_with_password`): decides whether a maybe-sent call may be repeated.
   */
  method: string;
  /** The xapi URL called, for the messages. */
  url: string;
  /** How many attempts, and the waits between them. */
  policy: RetryPolicy;
  /** Waits `ms` milliseconds between attempts; default a real timer (tests pass a fake one). */
  sleep?: (ms: number) => Promise<void>;
  /** Observer of each failed attempt that will be retried (for logs and tests). */
  onRetry?: (err: XenApiTransportError, attempt: number) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it succeeds, fails with something not retryable, or the attempts run out; then the error
 * says what was tried: "login to https://… failed after 5 attempts over 6.2 s: ECONNREFUSED …". A write whose
 * request may have reached xapi fails at once with a message saying it may have run.
 */
export async function withRetry<T>(ctx: RetryContext, attempt: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const sleep = ctx.sleep ?? defaultSleep;
  const attempts = Math.max(1, ctx.policy.attempts);
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof XenApiTransportError)) throw err;
      if (!isRetryable(err, ctx.method)) {
        if (err.delivery === "maybe-sent" && !err.timedOut) {
          throw new XenApiTransportError(
            `${ctx.what} at ${ctx.url}: the connection dropped after the request was sent (${err.reason}); ` +
              `xapi may have run it, so it is not repeated (a connection problem, not an input or xapi error)`,
            ctx.url,
            err,
            { delivery: "maybe-sent", reason: err.reason },
          );
        }
        throw err;
      }
      if (n >= attempts) {
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        throw new XenApiTransportError(
          `cannot reach the pool at ${ctx.url}: ${ctx.what} failed after ${n} attempts over ${seconds} s: ${err.reason}`,
          ctx.url,
          err,
          { delivery: err.delivery, reason: err.reason },
        );
      }
      ctx.onRetry?.(err, n);
      await sleep(backoffMs(ctx.policy, n));
    }
  }
}
