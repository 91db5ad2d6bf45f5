/**
 * An open SSH connection to one dom0 and running commands on it. Commands are argument vectors, quoted for the
 * remote shell by `shellCommand` so that every argument arrives as data.
 */
import type { Client, ClientChannel } from "ssh2";
import { Dom0CommandError, Dom0Error } from "./errors";
import { shellCommand } from "./quote";

export interface Dom0RunOptions {
  /** Bytes for the command's standard input (closed after them; closed at once when absent). */
  stdin?: string | Buffer;
  /**
   * Kill the command after this long (no limit by default): it runs under the dom0's `timeout -s KILL`, since sshd
   * refuses SSH "signal" requests for root sessions; the channel is closed too if no answer comes soon after.
   */
  timeoutMs?: number;
}

/** How a command run on the dom0 ended, and what it wrote. */
export interface Dom0RunResult<T = string> {
  /** Exit status; 128 + n when killed by signal n, -1 when the channel closed without one. */
  code: number;
  /** The signal that ended the command, if any (e.g. `KILL`). */
  signal?: string;
  /** What the command wrote to stdout: UTF-8 text from run, the raw bytes (a Buffer) from runRaw. */
  stdout: T;
  /** What the command wrote to stderr, as UTF-8 text; "" when nothing. */
  stderr: string;
}

const SIGNALS: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, KILL: 9, PIPE: 13, ALRM: 14, TERM: 15 };

export class Dom0Session {
  private closed = false;
  private ended = false;

  constructor(
    /** The underlying ssh2 client (for tests and for streaming uses this class does not cover). */
    readonly client: Client,
    /** `user@host:port`, how errors name this dom0. */
    readonly target: string,
  ) {
    client.once("close", () => (this.ended = true));
  }

  /** Runs `argv`, returning its exit status and its output as bytes. Never throws for a non-zero exit. */
  runRaw(argv: readonly string[], options: Dom0RunOptions = {}): Promise<Dom0RunResult<Buffer>> {
    let command: string;
    const timeoutMs = options.timeoutMs;
    if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
      return Promise.reject(new Dom0Error("BAD_ARGUMENT", `dom0 ${this.target}: bad timeout ${timeoutMs}`, this.target));
    }
    try {
      const timed = timeoutMs === undefined ? argv : ["timeout", "-s", "KILL", (timeoutMs / 1000).toFixed(3), ...argv];
      command = shellCommand(timed);
    } catch (e) {
      return Promise.reject(new Dom0Error("BAD_ARGUMENT", `dom0 ${this.target}: ${(e as Error).message}`, this.target));
    }
    if (this.closed || this.ended) {
      return Promise.reject(new Dom0Error("CONNECT_FAILED", `dom0 ${this.target}: the connection is closed`, this.target));
    }
    return new Promise((resolve, reject) => {
      this.client.exec(command, (err: Error | undefined, channel: ClientChannel) => {
        if (err) {
          reject(new Dom0Error("CONNECT_FAILED", `dom0 ${this.target}: cannot run ${argv[0]}: ${err.message}`, this.target));
          return;
        }
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        let code: number | undefined;
        let signal: string | undefined;
        const started = Date.now();
        const timedOutError = () =>
          new Dom0Error("COMMAND_FAILED", `dom0 ${this.target}: ${argv[0]} timed out after ${timeoutMs} ms`, this.target);
        let timer: NodeJS.Timeout | undefined;
        let timedOut = false;
        if (timeoutMs !== undefined) {
          // Backstop: the remote `timeout` should have ended the command well before this.
          timer = setTimeout(() => {
            timedOut = true;
            channel.close();
            reject(timedOutError());
          }, timeoutMs + 10_000);
        }
        channel.on("data", (b: Buffer) => out.push(b));
        channel.stderr.on("data", (b: Buffer) => errOut.push(b));
        channel.on("exit", (c: number | null, s?: string) => {
          if (typeof c === "number") code = c;
          if (s) signal = s.replace(/^SIG/, ""); // ssh2 reports "SIGKILL"; the protocol says "KILL"
        });
        channel.on("close", () => {
          if (timer) clearTimeout(timer);
          if (timedOut) return;
          const status = code ?? (signal ? 128 + (SIGNALS[signal] ?? 0) : -1);
          if (timeoutMs !== undefined && status === 137 && Date.now() - started >= timeoutMs) {
            reject(timedOutError());
            return;
          }
          resolve({
            code: status,
            ...(signal ? { signal } : {}),
            stdout: Buffer.concat(out),
            stderr: Buffer.concat(errOut).toString("utf8"),
          });
        });
        channel.on("error", () => undefined); // reported through close without an exit status
        if (options.stdin !== undefined) channel.end(options.stdin);
        else channel.end();
      });
    });
  }

  /** Runs `argv`, returning its exit status and its output as text (UTF-8). Never throws for a non-zero exit. */
  async run(argv: readonly string[], options?: Dom0RunOptions): Promise<Dom0RunResult> {
    const r = await this.runRaw(argv, options);
    return { ...r, stdout: r.stdout.toString("utf8") };
  }

  /** Runs `argv` and throws a `Dom0CommandError` (naming `what`, the exit status and stderr) unless it exits 0. */
  async runChecked(argv: readonly string[], options?: Dom0RunOptions & { what?: string }): Promise<Dom0RunResult> {
    const r = await this.run(argv, options);
    if (r.code !== 0) throw new Dom0CommandError(this.target, options?.what ?? argv.join(" "), r.code, r.stderr);
    return r;
  }

  /** Closes the connection and waits until it is closed. Idempotent. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    if (this.ended) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.client.destroy();
        resolve();
      }, 5000);
      this.client.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      this.client.end();
    });
  }
}
