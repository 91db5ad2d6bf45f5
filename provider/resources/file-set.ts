/**
 * A set of files from a local directory installed into a directory on remote machines, tracked by sha256 (the
 * mechanics of Plugins and of FirewallDriver's VIF isolation rules). Hashes are computed in `check` from the
 * local directory, so that a changed file previews as an update naming that file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { createHash } from "node:crypto";
import { Dom0Session, fileSha256, removeFile, writeFileAtomic } from "../dom0";
import { Checker } from "./check";
import { isUnknown } from "./unknown";

/** A file name that is safe as one path component on the remote side. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9._+-]*$/;

/**
 * name → sha256 of every regular file directly in `dir` (resolved from the program's directory). Hidden files are
 * skipped; a subdirectory or an odd name is a failure under `property`.
 */
export function hashLocalDirectory(c: Checker, dir: string, property: string): Record<string, string> {
  if (isUnknown(dir)) return dir as unknown as Record<string, string>;
  const abs = path.resolve(dir);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(abs, { withFileTypes: true });
  } catch (e) {
    c.fail(property, `${property}: cannot read the directory ${abs}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    return {};
  }
  const files: Record<string, string> = {};
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith(".")) continue;
    const full = path.join(abs, e.name);
    const st = fs.statSync(full);
    if (!st.isFile()) {
      c.fail(property, `${property}: ${full} is not a regular file (the directory must hold the files themselves, no subdirectories)`);
      continue;
    }
    if (!NAME.test(e.name)) {
      c.fail(property, `${property}: ${JSON.stringify(e.name)} is not a usable file name (letters, digits, . _ + -)`);
      continue;
    }
    files[e.name] = sha256(fs.readFileSync(full));
  }
  if (Object.keys(files).length === 0 && c.failures.length === 0) c.fail(property, `${property}: ${abs} holds no files`);
  return files;
}

export function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The local file's content, checked against the hash `check` recorded (it must not change in between). */
export function readLocal(dir: string, name: string, expected: string): Buffer {
  const data = fs.readFileSync(path.join(path.resolve(dir), name));
  if (sha256(data) !== expected) {
    throw new Error(`${path.join(dir, name)} changed while Pulumi was running (its sha256 is no longer the checked one); run again`);
  }
  return data;
}

/**
 * Installs the files into `remoteDir` with `mode`, writing only what differs. Returns the names it wrote (a file
 * that was there with the same content and mode was not installed by us).
 */
export async function installFiles(
  session: Dom0Session,
  localDir: string,
  remoteDir: string,
  files: Record<string, string>,
  mode: number,
  onWritten: (name: string) => void,
): Promise<void> {
  for (const [name, sum] of Object.entries(files)) {
    const r = await writeFileAtomic(session, `${remoteDir}/${name}`, readLocal(localDir, name, sum), { mode });
    if (r.changed) onWritten(name);
  }
}

/** Removes the named files from `remoteDir` (absent ones are fine). */
export async function removeFiles(session: Dom0Session, remoteDir: string, names: string[]): Promise<void> {
  for (const name of names) await removeFile(session, `${remoteDir}/${name}`);
}

/** name → sha256 of the named files in `remoteDir`, leaving out the missing ones. */
export async function remoteHashes(session: Dom0Session, remoteDir: string, names: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const sum = await fileSha256(session, `${remoteDir}/${name}`);
    if (sum !== undefined) out[name] = sum;
  }
  return out;
}
