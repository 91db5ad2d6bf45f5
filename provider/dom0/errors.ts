/**
 * dom0 failures as values: a code, the dom0 they concern (`root@host:port`) and a message that names it.
 * Messages never include private keys or the contents of files written.
 */
export type Dom0ErrorCode =
  /** The dom0 presented a host key whose fingerprint is not the pinned one. */
  | "HOST_KEY_MISMATCH"
  /** The dom0 refused the private key. */
  | "AUTH_FAILED"
  /** The dom0 could not be reached, or the connection broke. */
  | "CONNECT_FAILED"
  /** A command ran and exited non-zero. */
  | "COMMAND_FAILED"
  /** A caller passed something unusable (a NUL byte in an argument, a bad mode, no pinned fingerprint ...). */
  | "BAD_ARGUMENT"
  /** A path holds something other than what the operation manages (a directory where a file was expected ...). */
  | "PATH_CONFLICT"
  /** The content that reached the dom0 was not the content sent (nothing was written). */
  | "INTEGRITY";

export class Dom0Error extends Error {
  constructor(
    /** What kind of failure it is (see Dom0ErrorCode). */
    readonly code: Dom0ErrorCode,
    message: string,
    /** `user@host:port` of the dom0 concerned. */
    readonly target: string,
  ) {
    super(message);
    this.name = "Dom0Error";
  }
}

/** The server's host key is not the pinned one: the connection was refused before authenticating. */
export class Dom0HostKeyMismatchError extends Dom0Error {
  constructor(
    target: string,
    /** The pinned fingerprint (`SHA256:...`). */
    readonly expected: string,
    /** The fingerprint of the key the server presented (`SHA256:...`). */
    readonly actual: string,
  ) {
    super(
      "HOST_KEY_MISMATCH",
      `dom0 ${target}: host key verification failed: the server presented ${actual}, ` +
        `but ${expected} is pinned for it (connection refused before authentication)`,
      target,
    );
    this.name = "Dom0HostKeyMismatchError";
  }
}

/** A command exited non-zero (or was killed). */
export class Dom0CommandError extends Dom0Error {
  constructor(
    target: string,
    /** What the command was doing, e.g. `write /etc/xapi.d/plugins/xenhost`. */
    readonly what: string,
    /** The command's exit status; 128 + n when killed by signal n, -1 when the channel closed without one. */
    readonly exitCode: number,
    /** What the command wrote to stderr (UTF-8, untrimmed); "" when nothing. */
    readonly stderr: string,
    code: Dom0ErrorCode = "COMMAND_FAILED",
  ) {
    super(code, `dom0 ${target}: ${what} failed (exit ${exitCode})${stderr.trim() ? `: ${stderr.trim()}` : ""}`, target);
    this.name = "Dom0CommandError";
  }
}

/** True when `err` is a dom0 failure, optionally with the given code. */
export function isDom0Error(err: unknown, code?: Dom0ErrorCode): err is Dom0Error {
  return err instanceof Dom0Error && (code === undefined || err.code === code);
}
