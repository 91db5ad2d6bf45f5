/**
 * The SSH side shared by the dom0 resources (Host, Plugins, FirewallDriver, NovaComputeConfig): the `ssh` input
 * (address, port, pinned host key, user), the connection built from it with the stack's private key, a per-file
 * lock so that resources editing the same file on the same machine never lose each other's edits, and edits of a
 * remote text file that keep its mode and owner.
 */
import { sshSettings } from "../context";
import {
  Dom0Connection,
  Dom0Error,
  Dom0Session,
  normalizeFingerprint,
  readTextFile,
  removeFile,
  withDom0,
  writeFileAtomic,
} from "../dom0";
import { Checker } from "./check";
import { isUnknown } from "./unknown";

/** How to reach one machine (a dom0, or the nova-compute VM) over SSH. */
export interface SshTarget {
  /** Host name or address. */
  address: string;
  /** SSH port (22 when not given). */
  port: number;
  /** Pinned SHA256 fingerprint of the machine's host key (`SHA256:...`). */
  hostKeyFingerprint: string;
  /** SSH user; absent = stack config `xen:sshUser` (default root). */
  user?: string;
}

/** `address:port`, how state and messages name a target. */
export function targetId(t: SshTarget): string {
  return `${t.address}:${t.port}`;
}

/** Normalizes and validates an `ssh` input (an object), reporting failures under `property`. */
export function checkSshTarget(c: Checker, value: unknown, property: string): SshTarget {
  if (isUnknown(value) && (typeof value !== "object" || value === null)) return value as SshTarget;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    c.fail(property, `${property} must be an object { address, port?, hostKeyFingerprint, user? }`);
    return { address: "", port: 22, hostKeyFingerprint: "" };
  }
  const v = value as Record<string, unknown>;
  const out: SshTarget = { address: "", port: 22, hostKeyFingerprint: "" };
  if (isUnknown(v.address)) out.address = v.address as string;
  else if (typeof v.address !== "string" || !v.address.trim() || /[\s\0]/.test(v.address.trim())) {
    c.fail(property, `${property}.address is required: the machine's host name or address`);
  } else out.address = v.address.trim();
  if (v.port === undefined || v.port === null) out.port = 22;
  else if (isUnknown(v.port)) out.port = v.port as number;
  else if (!Number.isInteger(v.port) || (v.port as number) < 1 || (v.port as number) > 65535) {
    c.fail(property, `${property}.port must be an integer from 1 to 65535, got ${JSON.stringify(v.port)}`);
  } else out.port = v.port as number;
  if (isUnknown(v.hostKeyFingerprint)) out.hostKeyFingerprint = v.hostKeyFingerprint as string;
  else {
    try {
      out.hostKeyFingerprint = normalizeFingerprint(String(v.hostKeyFingerprint ?? ""), String(v.address ?? "?"));
    } catch {
      c.fail(
        property,
        `${property}.hostKeyFingerprint must be the pinned host key fingerprint, SHA256:<43 base64 characters> as ` +
          `\`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\` prints it; got ${JSON.stringify(v.hostKeyFingerprint ?? "")}`,
      );
    }
  }
  if (v.user !== undefined && v.user !== null) {
    if (isUnknown(v.user)) out.user = v.user as string;
    else if (typeof v.user !== "string" || !/^[A-Za-z0-9._][A-Za-z0-9._-]*$/.test(v.user)) {
      c.fail(property, `${property}.user must be a user name, got ${JSON.stringify(v.user)}`);
    } else out.user = v.user;
  }
  return out;
}

/** A list of targets, de-duplicated by address:port and sorted, so that order never shows as a diff. */
export function checkSshTargets(c: Checker, value: unknown, property: string): SshTarget[] {
  if (value === undefined || value === null) return [];
  if (isUnknown(value) && !Array.isArray(value)) return value as SshTarget[];
  if (!Array.isArray(value)) {
    c.fail(property, `${property} must be a list of { address, port?, hostKeyFingerprint }`);
    return [];
  }
  const targets = value.map((v, i) => checkSshTarget(c, v, `${property}[${i}]`));
  if (targets.some(isUnknown)) return targets;
  const byId = new Map<string, SshTarget>();
  for (const t of targets) byId.set(targetId(t), t);
  return [...byId.values()].sort((a, b) => targetId(a).localeCompare(targetId(b)));
}

/** The dom0 layer's connection for a target, with the stack's private key (never stored, never logged). */
export function connectionFor(t: SshTarget): Dom0Connection {
  const ssh = sshSettings();
  return {
    host: t.address,
    port: t.port,
    username: t.user ?? ssh.username,
    privateKey: ssh.privateKey,
    hostKeyFingerprint: t.hostKeyFingerprint,
  };
}

/** Connects to the target, runs `fn`, and always closes the connection. */
export function withTarget<T>(t: SshTarget, fn: (session: Dom0Session) => Promise<T>): Promise<T> {
  return withDom0(connectionFor(t), fn);
}

const queues = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` after every earlier call with the same key has finished. Pulumi runs resources in parallel in one
 * provider process; read-modify-write edits of one file (authorized_keys, nova.conf) are serialized by
 * `<address>:<port>:<path>` so that none is lost.
 */
export async function serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(fn);
  const tail = run.catch(() => undefined);
  queues.set(key, tail);
  try {
    return await run;
  } finally {
    if (queues.get(key) === tail) queues.delete(key);
  }
}

export interface FileStat {
  mode: number;
  uid: string;
  gid: string;
}

/** Mode and owner of a file, or undefined when nothing is there. */
export async function statFile(session: Dom0Session, path: string): Promise<FileStat | undefined> {
  const r = await session.run(["stat", "-c", "%a %u %g", "--", path]);
  if (r.code !== 0) return undefined;
  const [mode, uid, gid] = r.stdout.trim().split(" ");
  return { mode: parseInt(mode, 8), uid, gid };
}

/**
 * Edits a remote text file under the per-file lock: `edit` gets the current text (undefined when missing) and
 * returns the new text, or `null` to remove the file. A changed file is written atomically with its old mode and
 * owner (nova.conf is typically root:nova 0640); a new one with `mode`. Returns the text before and after.
 */
export async function editRemoteFile(
  session: Dom0Session,
  lockKey: string,
  path: string,
  edit: (current: string | undefined) => string | null,
  options: { mode?: number } = {},
): Promise<{ before: string | undefined; after: string | null; changed: boolean }> {
  return serialized(`${lockKey}:${path}`, async () => {
    const before = await readTextFile(session, path);
    const after = edit(before);
    if (after === (before ?? null)) return { before, after, changed: false };
    if (after === null) {
      await removeFile(session, path);
      return { before, after, changed: true };
    }
    const stat = before === undefined ? undefined : await statFile(session, path);
    await writeFileAtomic(session, path, after, { mode: stat?.mode ?? options.mode ?? 0o644 });
    if (stat) await session.runChecked(["chown", `${stat.uid}:${stat.gid}`, "--", path], { what: `chown ${path}` });
    return { before, after, changed: true };
  });
}

/** A Dom0Error's message, or any error's, for wrapping with the resource and field it concerns. */
export function reason(err: unknown): string {
  return err instanceof Dom0Error || err instanceof Error ? err.message : String(err);
}
