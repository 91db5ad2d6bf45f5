/**
 * XenAPI failures as values: the code and parameters xapi sent, and the method that failed.
 * Messages never include call arguments, so a password passed to a call cannot leak into an error.
 */
export class XenApiError extends Error {
  constructor(
    /** XenAPI error code, e.g. `HANDLE_INVALID`. */
    readonly code: string,
    /** The error's parameters as xapi sent them. */
    readonly params: string[],
    /** The XenAPI method that failed, e.g. `SR.create`. */
    readonly method: string,
  ) {
    super(`${method} failed: ${[code, ...params].join(" ")}`.trim());
    this.name = "XenApiError";
  }

  /** Builds the error from a `{Status: "Failure", ErrorDescription}` envelope. */
  static fromDescription(method: string, description: unknown): XenApiError {
    const parts = Array.isArray(description) ? description.map((p) => String(p)) : [String(description)];
    return new XenApiError(parts[0] ?? "UNKNOWN_ERROR", parts.slice(1), method);
  }
}

/** True when `err` is a XenAPI failure with the given code. */
export function isXenApiError(err: unknown, code?: string): err is XenApiError {
  return err instanceof XenApiError && (code === undefined || err.code === code);
}

/** A failure to reach xapi at all (connection refused, reset, TLS verification, timeout). */
export class XenApiTransportError extends Error {
  constructor(message: string, readonly url: string, override readonly cause?: unknown) {
    super(message);
    this.name = "XenApiTransportError";
  }
}
