/**
 * Connecting to a dom0 over SSH with a pinned host key, and `withDom0`, which always closes the connection.
 *
 * The server's host key is accepted only when its SHA256 fingerprint (the `SHA256:...` form `ssh-keygen -lf`
 * prints) equals the pinned one; there is no way to skip the check. The private key is handed to ssh2 and never
 * appears in an error or a log line.
 */
import { createHash } from "node:crypto";
import { Client, ConnectConfig } from "ssh2";
import { Dom0Error, Dom0HostKeyMismatchError } from "./errors";
import { Dom0Session } from "./session";

/** How to reach one dom0 over SSH. */
export interface Dom0Connection {
  /** Host name or address of the dom0. */
  host: string;
  /** SSH port; default 22. */
  port?: number;
  /** SSH user; default `root`. */
  username?: string;
  /** OpenSSH (or PEM) private key authorized for `username` on the dom0. Secret. */
  privateKey: string;
  /** Pinned fingerprint of the dom0's host key, `SHA256:<base64>` as `ssh-keygen -lf` prints it. */
  hostKeyFingerprint: string;
}

export interface Dom0ConnectOptions {
  /** How long to wait for the connection and authentication; default 20 s. */
  readyTimeoutMs?: number;
}

/** `user@host:port`, how errors name a dom0. */
export function describeDom0(connection: Dom0Connection): string {
  return `${connection.username ?? "root"}@${connection.host}:${connection.port ?? 22}`;
}

/** The OpenSSH SHA256 fingerprint (`SHA256:<unpadded base64>`) of a public key blob in SSH wire format. */
export function sshFingerprint(keyBlob: Buffer): string {
  return "SHA256:" + createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "");
}

/** The fingerprint of an OpenSSH public key line (`ssh-ed25519 AAAA... comment`). */
export function sshFingerprintOfPublicKey(publicKeyLine: string): string {
  const blob = publicKeyLine.trim().split(/\s+/)[1];
  if (!blob) throw new TypeError("not an OpenSSH public key line");
  return sshFingerprint(Buffer.from(blob, "base64"));
}

/** Checks and normalizes a pinned fingerprint: `SHA256:` followed by 43 base64 characters (padding dropped). */
export function normalizeFingerprint(fingerprint: string, target: string): string {
  const f = (fingerprint ?? "").trim().replace(/=+$/, "");
  const m = /^(?:SHA256:)?([A-Za-z0-9+/]{43})$/.exec(f);
  if (!m) {
    throw new Dom0Error(
      "BAD_ARGUMENT",
      `dom0 ${target}: the pinned host key fingerprint must look like SHA256:<43 base64 characters> ` +
        `(as \`ssh-keygen -lf\` prints it), got ${JSON.stringify(fingerprint ?? "")}`,
      target,
    );
  }
  return `SHA256:${m[1]}`;
}

/** Opens an SSH connection to the dom0, refusing any host key but the pinned one. Close it with `session.close()`. */
export function connectDom0(connection: Dom0Connection, options: Dom0ConnectOptions = {}): Promise<Dom0Session> {
  const target = describeDom0(connection);
  let expected: string;
  try {
    expected = normalizeFingerprint(connection.hostKeyFingerprint, target);
  } catch (e) {
    return Promise.reject(e);
  }
  if (!connection.host) return Promise.reject(new Dom0Error("BAD_ARGUMENT", `dom0 ${target}: no host given`, target));
  if (!connection.privateKey) {
    return Promise.reject(new Dom0Error("BAD_ARGUMENT", `dom0 ${target}: no private key given`, target));
  }

  return new Promise<Dom0Session>((resolve, reject) => {
    const client = new Client();
    let presented: string | undefined;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      client.end();
      reject(err);
    };
    client.once("ready", () => {
      if (settled) return;
      settled = true;
      resolve(new Dom0Session(client, target));
    });
    client.on("error", (err: Error & { level?: string }) => {
      if (presented !== undefined && presented !== expected) {
        fail(new Dom0HostKeyMismatchError(target, expected, presented));
      } else if (err.level === "client-authentication") {
        fail(new Dom0Error("AUTH_FAILED", `dom0 ${target}: the server refused the private key (publickey)`, target));
      } else {
        fail(new Dom0Error("CONNECT_FAILED", `dom0 ${target}: cannot connect: ${err.message}`, target));
      }
    });
    client.once("close", () =>
      fail(new Dom0Error("CONNECT_FAILED", `dom0 ${target}: connection closed before it was ready`, target)),
    );
    const config: ConnectConfig = {
      host: connection.host,
      port: connection.port ?? 22,
      username: connection.username ?? "root",
      privateKey: connection.privateKey,
      readyTimeout: options.readyTimeoutMs ?? 20_000,
      hostVerifier: (key: Buffer): boolean => {
        presented = sshFingerprint(key);
        return presented === expected;
      },
      // Only the key is offered; never an agent or a password.
      tryKeyboard: false,
    };
    try {
      client.connect(config);
    } catch (e) {
      // ssh2 throws synchronously for an unparsable key; its message does not include the key.
      const why = e instanceof Error ? e.message : String(e);
      fail(new Dom0Error("BAD_ARGUMENT", `dom0 ${target}: the private key cannot be used: ${why}`, target));
    }
  });
}

/** Connects, runs `fn` with the session, and always closes the connection, whether `fn` succeeds or throws. */
export async function withDom0<T>(
  connection: Dom0Connection,
  fn: (session: Dom0Session) => Promise<T>,
  options?: Dom0ConnectOptions,
): Promise<T> {
  const session = await connectDom0(connection, options);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}
