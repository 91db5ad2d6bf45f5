import { XenApiError, XenApiTransportError, isXenApiError } from "./errors";
import { createTransport, Transport, TransportOptions } from "./transport";

export interface Credentials {
  username: string;
  password: string;
}

/** Sent with every login so that xapi's session list (and an operator reading it) shows who opened it. */
export const ORIGINATOR = "pulumi-xen";
const CLIENT_API_VERSION = "2.21";
const MAX_MASTER_REDIRECTS = 3;

/**
 * A logged-in XenAPI session on a pool. Lazily logs in, follows `HOST_IS_SLAVE` to the master, logs in again
 * once when xapi answers `SESSION_INVALID` (xapi restarted or evicted the session), and retries a read once when
 * the connection dropped.
 */
export class XenApiSession {
  private transport: Transport;
  private ref: string | undefined;
  private loggingIn: Promise<string> | undefined;
  private closed = false;

  constructor(
    url: string,
    private readonly credentials: Credentials,
    private readonly transportOptions: TransportOptions = {},
    /** Follow HOST_IS_SLAVE to the master (default). Off to ask a host itself whether it is a member. */
    private readonly followMaster = true,
  ) {
    this.transport = createTransport(url, transportOptions);
  }

  /** The URL currently talked to (the master's, after a redirect). */
  get url(): string {
    return this.transport.url;
  }

  get isLoggedIn(): boolean {
    return this.ref !== undefined;
  }

  /**
   * Calls `method` with the session prepended to `args`. Recovers once from each of: a session xapi no longer
   * knows (restart, eviction: the call was refused before it ran, so repeating it is safe), and a dropped
   * connection on a read (repeating a read is harmless; a write is not repeated, it may have run).
   */
  async call<T = unknown>(method: string, ...args: unknown[]): Promise<T> {
    if (this.closed) throw new Error(`XenAPI session to ${this.url} is closed`);
    let loggedInAgain = false;
    let reconnected = false;
    for (;;) {
      const session = await this.login();
      try {
        return (await this.transport.call(method, [session, ...args])) as T;
      } catch (err) {
        if (isXenApiError(err, "SESSION_INVALID") && !loggedInAgain) {
          loggedInAgain = true;
          this.forget(session);
          continue;
        }
        if (err instanceof XenApiTransportError && isReadOnly(method) && !reconnected) {
          reconnected = true;
          continue;
        }
        throw err;
      }
    }
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
      await this.transport.call("session.logout", [ref]).catch(() => undefined);
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
    for (let redirects = 0; ; redirects++) {
      try {
        this.ref = (await this.transport.call("session.login_with_password", [
          username,
          password,
          CLIENT_API_VERSION,
          ORIGINATOR,
        ])) as string;
        return this.ref;
      } catch (err) {
        if (!isXenApiError(err, "HOST_IS_SLAVE") || !this.followMaster || redirects >= MAX_MASTER_REDIRECTS) throw err;
        const masterUrl = masterUrlFrom(this.transport.url, err);
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

function isReadOnly(method: string): boolean {
  const name = method.slice(method.indexOf(".") + 1);
  return name.startsWith("get_") || method === "event.from";
}
