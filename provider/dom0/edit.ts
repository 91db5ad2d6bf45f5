/**
 * Read-modify-write edits of a text file on a machine reached over SSH, serialized per file: Pulumi runs resources
 * in parallel in one provider process, and two resources editing one file (authorized_keys, nova.conf) on the same
 * machine must never lose each other's edits. A changed file keeps its mode and owner.
 */
import { readTextFile, removeFile, writeFileAtomic } from "./files";
import { Dom0Session } from "./session";

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

/** A file's mode and owner, as `stat -c "%a %u %g"` reports them (statFile). */
export interface FileStat {
  /** The permission bits, as a number (parsed from stat's octal `%a`, e.g. 0o600). */
  mode: number;
  /** The owner's numeric user id, as stat prints it (a decimal string, e.g. "0"). */
  uid: string;
  /** The owner's numeric group id, as stat prints it (a decimal string, e.g. "0"). */
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
 * Edits a remote text file under the per-file lock (`<lockKey>:<path>`): `edit` gets the current text (undefined
 * when missing) and returns the new text, or `null` to remove the file. A changed file is written atomically with
 * its old mode and owner (nova.conf is typically root:nova 0640); a new one with `mode`. Returns the text before
 * and after.
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
