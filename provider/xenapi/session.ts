import { XenApiAuthError, XenApiError, isXenApiError } from "./errors";
import { createTransport, DEFAULT_TIMEOUT_MS, Transport, TransportOptions } from "./transport";
import { DEFAULT_RETRY, isReadOnly, RetryPolicy, withRetry } from "./retry";
import { describeXenApiError } from "./describe";

/** What `session.login_with_password` is given. */
export interface Credentials {
  /** XenAPI user, e.g. root. */
  username: string;
  /** Its password; held in memory only. */
  password: string;
}

export interface SessionOptions extends TransportOptions {
  /** How calls that failed on the wire are repeated (tests shorten the waits). Defaults: DEFAULT_RETRY. */
  retry?: Partial<RetryPolicy>;
}

/** Sent with every login so that xapi's session list (and an operator reading it) shows who opened it. */
export const ORIGINATOR = "pulumi-xen";
const CLIENT_API_VERSION = "2.21";
const MAX_MASTER_REDIRECTS = 3;
/** Logging out is tried twice at most: it runs on the way out of the process. */
const LOGOUT_ATTEMPTS = 2;

/**
 * A logged-in XenAPI session on a pool. Lazily logs in, follows `HOST_IS_SLAVE` to the master, logs in again
 * once when xapi answers `SESSION_INVALID` (xapi restarted or evicted the session).
 *
 * Connection problems are retried with bounded, jittered back-off (retry.ts): a login, a read, and any call whose
 * request provably never left this process; a write whose connection dropped after it was sent is not repeated
 * (it may have run) and fails saying so. A TLS refusal and a refused login are never retried.
 *
 * Every session this object logs in to is logged out by logout(), except one case it cannot see: a login that
 * xapi performed but whose answer was lost (connection dropped after the request was sent). The retried login
 * makes a second session; the first one's ref never reached us. xapi evicts a user's oldest sessions beyond its
 * limit, so that orphan is bounded and does not accumulate beyond one per such drop.
 */
export class XenApiSession {
  private transport: Transport;
  private ref: string | undefined;
  private loggingIn: Promise<string> | undefined;
  private closed = false;
  private readonly retry: RetryPolicy;
  private readonly writeObservers: Array<() => void> = [];
  private loginCount = 0;

  constructor(
    url: string,
    private readonly credentials: Credentials,
    private readonly transportOptions: SessionOptions = {},
    /** Follow HOST_IS_SLAVE to the master (default). Off to ask a host itself whether it is a member. */
    private readonly followMaster = true,
  ) {
    this.transport = createTransport(url, transportOptions);
    this.retry = { ...DEFAULT_RETRY, ...transportOptions.retry };
  }

  /** The URL currently talked to (the master's, after a redirect). */
  get url(): string {
    return this.transport.url;
  }

  /** Logins made so far (a change means xapi forgot the session, e.g. it restarted). */
  get logins(): number {
    return this.loginCount;
  }

  /** Calls `observer` each time a call that may change the pool (anything but a read) has come back or failed. */
  onWriteDone(observer: () => void): void {
    this.writeObservers.push(observer);
  }

  get isLoggedIn(): boolean {
    return this.ref !== undefined;
  }

  /** The per-call timeout in ms (a blocking call such as event.from must ask xapi to answer well before it). */
  get callTimeoutMs(): number {
    return this.transportOptions.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /**
   * Calls `method` with the session prepended to `args`. Connection problems are retried where safe (see the
   * class); a session xapi no longer knows (restart, eviction: the call was refused before it ran) logs in again
   * once. xapi's refusals come back as XenApiError with the objects in their parameters named (describe()).
   */
  async call<T = unknown>(method: string, ...args: unknown[]): Promise<T> {
    if (this.closed) throw new Error(`XenAPI session to ${this.url} is closed`);
    if (isReadOnly(method)) return this.callOnce<T>(method, args);
    try {
      return await this.callOnce<T>(method, args);
    } finally {
      for (const observe of this.writeObservers) observe();
    }
  }

  private async callOnce<T>(method: string, args: unknown[]): Promise<T> {
    let loggedInAgain = false;
    for (;;) {
      const session = await this.login();
      try {
        return (await withRetry({ what: method, method, url: this.url, policy: this.retry }, () =>
          this.transport.call(method, [session, ...args]),
        )) as T;
      } catch (err) {
        if (isXenApiError(err, "SESSION_INVALID") && !loggedInAgain) {
          loggedInAgain = true;
          this.forget(session);
          continue;
        }
        if (err instanceof XenApiError) throw await this.describe(err);
        throw err;
      }
    }
  }

  /**
   * Names the objects behind the OpaqueRefs in `err`'s parameters in its message (at most a couple of extra
   * reads, best effort; `params` stays raw). For errors that did not come through call(), e.g. a task's.
   */
  async describe(err: XenApiError): Promise<XenApiError> {
    const session = this.ref;
    if (!session || err.kind !== "xapi") return err;
    return describeXenApiError(err, (method, ref) => this.transport.call(method, [session, ref]));
  }

  /** The host this session is logged in to (xapi's `session.get_this_host`). */
  async thisHost(): Promise<string> {
    return this.call<string>("session.get_this_host", await this.login());
  }

  /** Logs out (once) and releases the connection. Never throws: it runs on the way out of the process. */
  async logout(): Promise<void> {
    this.closed = true;
    const ref = this.ref ?? (await this.loggingIn?.catch(() => undefined));
    this.ref = undefined;
    if (ref) {
      const policy = { ...this.retry, attempts: Math.min(this.retry.attempts, LOGOUT_ATTEMPTS) };
      await withRetry({ what: "logout", method: "session.logout", url: this.url, policy }, () =>
        this.transport.call("session.logout", [ref]),
      ).catch(() => undefined);
    }
    this.transport.close();
  }

  private login(): Promise<string> {
    if (this.ref) return Promise.resolve(this.ref);
    this.loggingIn ??= this.loginFollowingMaster().finally(() => (this.loggingIn = undefined));
    return this.loggingIn;
  }

  private async loginFollowingMaster(): Promise<string> {
    const { username, password } = this.credentials;
    const method = "session.login_with_password";
    for (let redirects = 0; ; redirects++) {
      const url = this.transport.url;
      try {
        this.ref = (await withRetry({ what: "login", method, url, policy: this.retry }, () =>
          this.transport.call(method, [username, password, CLIENT_API_VERSION, ORIGINATOR]),
        )) as string;
        this.loginCount++;
        return this.ref;
      } catch (err) {
        if (err instanceof XenApiAuthError) throw err.at(url, username);
        if (!isXenApiError(err, "HOST_IS_SLAVE") || !this.followMaster || redirects >= MAX_MASTER_REDIRECTS) throw err;
        const masterUrl = masterUrlFrom(url, err);
        this.transport.close();
        this.transport = createTransport(masterUrl, this.transportOptions);
      }
    }
  }

  private forget(session: string): void {
    if (this.ref === session) this.ref = undefined;
  }
}

/** xapi names the master by address (`10.0.0.1`, or `host:port` where it listens elsewhere); keep our scheme. */
export function masterUrlFrom(memberUrl: string, err: XenApiError): string {
  const address = err.params[0];
  if (!address) throw new XenApiError(err.code, err.params, err.method);
  const url = new URL(memberUrl);
  const hasPort = /^[^:\[\]]+:\d+$/.test(address) || /^\[.*\]:\d+$/.test(address);
  if (hasPort) url.host = address;
  else url.hostname = address.includes(":") && !address.startsWith("[") ? `[${address}]` : address;
  return url.toString();
}
