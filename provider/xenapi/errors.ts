/**
 * What can go wrong talking to a pool, by cause, so that messages say whose problem it is:
 * - "connection": the pool could not be reached or the connection dropped (XenApiTransportError);
 * - "tls": the pool's certificate was refused (XenApiTlsError); never transient, never retried;
 * - "auth": xapi refused the credentials (XenApiAuthError);
 * - "xapi": xapi ran the call and refused it (XenApiError).
 * A problem with an input (a name that resolves to nothing) is a plain Error naming the field.
 * Messages never include call arguments, so a password passed to a call cannot leak into an error.
 */
export type ErrorKind = "connection" | "tls" | "auth" | "xapi";

/** XenAPI failures as values: the code and parameters xapi sent, and the method that failed. */
export class XenApiError extends Error {
  /** The cause, for messages and for errorKind: "xapi" (xapi ran the call and refused it). */
  readonly kind: ErrorKind = "xapi";

  constructor(
    /** XenAPI error code, e.g. `HANDLE_INVALID`. */
    readonly code: string,
    /** The error's parameters exactly as xapi sent them (OpaqueRefs included), for code that inspects them. */
    readonly params: string[],
    /** The XenAPI method that failed, e.g. `SR.create`. */
    readonly method: string,
  ) {
    super(`${method} failed: ${[code, ...params].join(" ")}`.trim());
    this.name = "XenApiError";
  }

  /**
   * Rewrites the message with readable parameters (an OpaqueRef shown as the object's name and uuid). `params`
   * stays as xapi sent it.
   */
  describeParams(readable: string[]): this {
    const shown = readable.filter((p) => p !== "");
    this.message = `${this.method} failed: ${this.code}${shown.length ? `: ${shown.join(", ")}` : ""}`;
    return this;
  }

  /** Builds the error from a `{Status: "Failure", ErrorDescription}` envelope. */
  static fromDescription(method: string, description: unknown): XenApiError {
    const parts = Array.isArray(description) ? description.map((p) => String(p)) : [String(description)];
    const code = parts[0] ?? "UNKNOWN_ERROR";
    if (AUTH_CODES.has(code)) return new XenApiAuthError(code, parts.slice(1), method);
    return new XenApiError(code, parts.slice(1), method);
  }
}

/** Codes with which xapi refuses a login. */
const AUTH_CODES = new Set(["SESSION_AUTHENTICATION_FAILED", "SESSION_AUTHORIZATION_FAILED"]);

/** xapi refused the login: the cause is the credentials (`xen:username` / `xen:password`), not an input. */
export class XenApiAuthError extends XenApiError {
  /** The cause: "auth" (the credentials were refused), not "xapi". */
  override readonly kind: ErrorKind = "auth";

  constructor(code: string, params: string[], method: string) {
    super(code, params, method);
    this.name = "XenApiAuthError";
  }

  /** Names who was refused where; the password is never part of the message. */
  at(url: string, username: string): this {
    this.message = `login refused for user ${username} at ${url}: ${this.code} (check xen:username / xen:password)`;
    return this;
  }
}

/** True when `err` is a XenAPI failure with the given code. */
export function isXenApiError(err: unknown, code?: string): err is XenApiError {
  return err instanceof XenApiError && (code === undefined || err.code === code);
}

/**
 * Whether a request that failed on the wire can have reached xapi:
 * - "not-sent": the connection was never established (refused, reset during the TLS handshake, DNS, timeout before
 *   connecting), so no byte of the request left this process: any call can be repeated;
 * - "maybe-sent": the request was written and no answer came: xapi may have run it; only a read can be repeated.
 */
export type Delivery = "not-sent" | "maybe-sent";

/** The pool could not be reached at all, or the connection dropped: a connection problem, not xapi's answer. */
export class XenApiTransportError extends Error {
  /** The cause: "connection" (the pool could not be reached, or the connection dropped). */
  readonly kind: ErrorKind = "connection";

  /** Whether the request can have reached xapi. */
  readonly delivery: Delivery;
  /** The low-level reason (`ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1`), for summaries after retries. */
  readonly reason: string;
  /** No answer came within the call's timeout (not retried: it would multiply the wait). */
  readonly timedOut: boolean;

  constructor(
    message: string,
    /** The xapi URL the call was made to. */
    readonly url: string,
    /** The underlying error (a socket or HTTP error, or the last attempt's XenApiTransportError); absent if none. */
    override readonly cause?: unknown,
    details: { delivery?: Delivery; reason?: string; timedOut?: boolean } = {},
  ) {
    super(message);
    this.delivery = details.delivery ?? "maybe-sent";
    this.reason = details.reason ?? message;
    this.timedOut = details.timedOut ?? false;
    this.name = "XenApiTransportError";
  }
}

/** The pool's TLS certificate was refused (pin mismatch, unknown CA, wrong name): not transient, not retried. */
export class XenApiTlsError extends Error {
  /** The cause: "tls" (the certificate was refused); never transient, never retried. */
  readonly kind: ErrorKind = "tls";

  constructor(
    message: string,
    /** The xapi URL whose certificate was refused. */
    readonly url: string,
    /** The underlying refusal (Node's TLS error, or a TlsVerificationError for a pin mismatch); absent if none. */
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = "XenApiTlsError";
  }
}

/** The cause of `err` when it is one of ours; undefined for anything else (an input problem, a bug). */
export function errorKind(err: unknown): ErrorKind | undefined {
  if (err instanceof XenApiError || err instanceof XenApiTransportError || err instanceof XenApiTlsError) return err.kind;
  return undefined;
}

/** True when the pool could not be reached, its certificate was refused or the login was refused. */
export function isConnectionProblem(err: unknown): boolean {
  const kind = errorKind(err);
  return kind === "connection" || kind === "tls" || kind === "auth";
}
