/**
 * A dom0's `authorized_keys` file, read and written through the one text editor (`authorized-keys.ts`): each edit
 * is a read-modify-write under the per-file lock (`edit.ts`), so parallel resources editing one file never lose
 * each other's keys; an existing file keeps its mode and owner, a new one is 0600 (and starts with the editor's
 * created-file marker, so that it is removed again with its last key).
 */
import { Dom0Error } from "./errors";
import { editRemoteFile } from "./edit";
import { mkdirp, pathExists, readTextFile } from "./files";
import { Dom0Session } from "./session";
import { authorizedKeyIds, authorizedKeyLines, publicKeyId, withKeyLine, withoutKey } from "./authorized-keys";

export const ROOT_AUTHORIZED_KEYS = "/root/.ssh/authorized_keys";

export interface AuthorizedKeysFileOptions {
  /** The file; default root's (`/root/.ssh/authorized_keys`). */
  file?: string;
  /** What the per-file lock is keyed by besides the path (`address:port` of the machine); default the session's target. */
  lockKey?: string;
}

/** The key id of `key` (one OpenSSH public key line, or a `type base64` key id); a BAD_ARGUMENT Dom0Error if it is not one. */
function requireKey(session: Dom0Session, key: string): string {
  const id = publicKeyId(key);
  if (!id || key.includes("\n")) {
    throw new Dom0Error("BAD_ARGUMENT", `dom0 ${session.target}: not one OpenSSH public key line`, session.target);
  }
  return id;
}

/**
 * Adds the public key line `publicKey` to an authorized_keys file unless a line with the same key is there. A
 * missing directory is made (0700 for root's `.ssh`); a missing file is created. True when the line was added.
 */
export async function addAuthorizedKey(session: Dom0Session, publicKey: string, options: AuthorizedKeysFileOptions = {}): Promise<boolean> {
  const file = options.file ?? ROOT_AUTHORIZED_KEYS;
  requireKey(session, publicKey);
  const dir = file.slice(0, file.lastIndexOf("/")) || "/";
  if (!(await pathExists(session, dir))) await mkdirp(session, dir, file === ROOT_AUTHORIZED_KEYS ? 0o700 : undefined);
  const r = await editRemoteFile(session, options.lockKey ?? session.target, file, (cur) => withKeyLine(cur, publicKey), { mode: 0o600 });
  return r.changed;
}

/**
 * Removes every line holding `key`'s key (`key`: a public key line or a `type base64` key id) from an
 * authorized_keys file; a file this editor created goes with its last key. True when a line was removed.
 */
export async function removeAuthorizedKey(session: Dom0Session, key: string, options: AuthorizedKeysFileOptions = {}): Promise<boolean> {
  const file = options.file ?? ROOT_AUTHORIZED_KEYS;
  const id = requireKey(session, key);
  const r = await editRemoteFile(session, options.lockKey ?? session.target, file, (cur) => withoutKey(cur, id));
  return r.changed;
}

/** The keys (`type base64`) listed in an authorized_keys file, in file order; empty when it is missing. */
export async function listAuthorizedKeys(session: Dom0Session, file = ROOT_AUTHORIZED_KEYS): Promise<string[]> {
  return authorizedKeyIds((await readTextFile(session, file)) ?? "");
}

/** The key lines of an authorized_keys file, normalized as the Host resource's check does (`authorizedKeyLines`). */
export async function listAuthorizedKeyLines(session: Dom0Session, file = ROOT_AUTHORIZED_KEYS): Promise<string[]> {
  return authorizedKeyLines((await readTextFile(session, file)) ?? "");
}
