/**
 * A set of files from a local directory installed into a directory on remote machines, tracked by sha256 (the
 * mechanics of Plugins and of FirewallDriver's VIF isolation rules). Hashes are computed in `check` from the
 * local directory, so that a changed file previews as an update naming that file. Only regular files are taken
 * from the operator's machine: links, devices, FIFOs and sockets are refused at check and again at apply.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { createHash } from "node:crypto";
import { Dom0Session, fileSha256, removeFile, writeFileAtomic } from "../dom0";
import { Checker } from "./check";
import { isUnknown } from "./unknown";
import { removeBytecode } from "./python-bytecode";

/** A file name that is safe as one path component on the remote side. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9._+-]*$/;

/**
 * name → sha256 of every regular file directly in `dir` (resolved from the program's directory). Hidden files are
 * skipped. Everything else fails under `property`, naming the file and why: a subdirectory, an odd name, and any
 * entry that is not a plain regular file of the directory itself — a symbolic link (even to a sibling: links are
 * never followed, so a link to /etc/shadow cannot carry that file into dom0), a device, a FIFO or a socket.
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
  let refused = false;
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith(".")) continue;
    const full = path.join(abs, e.name);
    const problem = notARegularFile(full);
    if (problem) {
      c.fail(property, `${property}: ${full} ${problem}`);
      refused = true;
      continue;
    }
    if (!NAME.test(e.name)) {
      c.fail(property, `${property}: ${JSON.stringify(e.name)} is not a usable file name (letters, digits, . _ + -)`);
      refused = true;
      continue;
    }
    try {
      files[e.name] = sha256(readRegularFile(full));
    } catch (err) {
      c.fail(property, `${property}: ${(err as Error).message}`);
      refused = true;
    }
  }
  if (Object.keys(files).length === 0 && !refused) c.fail(property, `${property}: ${abs} holds no files`);
  return files;
}

/** Why `full` (not followed if a link) is not a regular file that may be installed; undefined when it is one. */
function notARegularFile(full: string): string | undefined {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(full);
  } catch (e) {
    return `cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
  if (st.isSymbolicLink()) {
    let target = "?";
    try {
      target = fs.readlinkSync(full);
    } catch {
      // gone meanwhile: the link itself is the reason
    }
    return `is a symbolic link (to ${target}): refused, links are never followed; put the file itself in the directory`;
  }
  if (st.isDirectory()) return "is a directory: refused (the directory must hold the files themselves, no subdirectories)";
  if (st.isFIFO()) return "is a FIFO (named pipe): refused, only regular files are installed";
  if (st.isSocket()) return "is a socket: refused, only regular files are installed";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "is a device: refused, only regular files are installed";
  if (!st.isFile()) return "is not a regular file: refused";
  return undefined;
}

/**
 * The content of the regular file `full`, opened without following a link (O_NOFOLLOW) and without blocking on a
 * FIFO, then checked to be a regular file through the open descriptor: what is read is what was checked, even if
 * the path was swapped for a link or a pipe in between.
 */
function readRegularFile(full: string): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(full, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ELOOP") throw new Error(`${full} is a symbolic link: refused, links are never followed`);
    throw new Error(`${full} cannot be read: ${code ?? (e as Error).message}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new Error(`${full} is not a regular file (${notARegularFile(full) ?? "its type changed"}): refused`);
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * The local file's content, read without following links and checked to be a regular file with the hash `check`
 * recorded (it must not change, nor be swapped for a link, in between).
 */
export function readLocal(dir: string, name: string, expected: string): Buffer {
  if (!NAME.test(name)) throw new Error(`${JSON.stringify(name)} is not a usable file name`);
  const data = readRegularFile(path.join(path.resolve(dir), name));
  if (sha256(data) !== expected) {
    throw new Error(`${path.join(dir, name)} changed while Pulumi was running (its sha256 is no longer the checked one); run again`);
  }
  return data;
}

/** Reads and verifies every file of the set (see readLocal) before anything is written anywhere. */
export function readLocalFiles(dir: string, files: Record<string, string>): Map<string, Buffer> {
  return new Map(Object.entries(files).map(([name, sum]) => [name, readLocal(dir, name, sum)]));
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
  const contents = readLocalFiles(localDir, files);
  for (const [name, data] of contents) {
    const r = await writeFileAtomic(session, `${remoteDir}/${name}`, data, { mode });
    if (r.changed) onWritten(name);
  }
}

/**
 * Removes the named files from `remoteDir` (absent ones are fine), and the Python byte-code generated from them
 * there (`utils.pyc`, `__pycache__/utils.*.pyc`), nothing else.
 */
export async function removeFiles(session: Dom0Session, remoteDir: string, names: string[]): Promise<void> {
  for (const name of names) await removeFile(session, `${remoteDir}/${name}`);
  await removeBytecode(session, remoteDir, names);
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
