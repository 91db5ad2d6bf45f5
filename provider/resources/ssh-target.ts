/**
 * The SSH side shared by the dom0 resources (Host, Plugins, FirewallDriver, NovaComputeConfig): the `ssh` input
 * (address, port, pinned host key, user), the connection built from it with the stack's private key, and (from
 * ../dom0/edit.ts) the per-file lock so that resources editing the same file on the same machine never lose each
 * other's edits, and edits of a remote text file that keep its mode and owner.
 */
import { sshSettings } from "../context";
import {
  Dom0Connection,
  Dom0Error,
  Dom0Session,
  normalizeFingerprint,
  withDom0,
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

// The per-file lock and remote file edits live in the dom0 layer (../dom0/edit.ts, where authorized_keys edits use
// them too); re-exported here for the resources that import them from this module.
export { editRemoteFile, serialized, statFile } from "../dom0";
export type { FileStat } from "../dom0";

/** A Dom0Error's message, or any error's, for wrapping with the resource and field it concerns. */
export function reason(err: unknown): string {
  return err instanceof Dom0Error || err instanceof Error ? err.message : String(err);
}
