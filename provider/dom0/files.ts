/**
 * Files on a dom0: atomic writes with a mode, reads, sha256 hashes, removal, `mkdir -p`.
 *
 * Every operation is one fixed `sh` script run with the paths as positional arguments, so a path is always data.
 * An atomic write sends the content on standard input to a temp file in the target's directory, checks that what
 * arrived has the sha256 of what was sent, sets the mode, syncs and renames it over the target. A connection lost
 * mid-write leaves the target as it was (the check fails and the temp file is removed); a temp file left by a
 * write killed harder than that is removed by the next write of the same target.
 */
import { createHash } from "node:crypto";
import { Dom0CommandError, Dom0Error } from "./errors";
import { Dom0Session } from "./session";

/** Prefix of a temp file next to `<dir>/<name>`: `<dir>/.<name>.pulumi-xen-tmp.` + the writer's pid. */
export const TEMP_INFIX = ".pulumi-xen-tmp.";

export interface WriteFileOptions {
  /** Permission bits of the file, e.g. `0o755`; default `0o644`. */
  mode?: number;
}

export interface WriteFileResult {
  /** sha256 (hex) of the content now at the path. */
  sha256: string;
  /** False when the file already had this content and mode, and was left untouched. */
  changed: boolean;
}

const WRITE_SCRIPT = `set -u
target=$1 mode=$2 sum=$3
case "$target" in /*) ;; *) echo "not an absolute path: $target" >&2; exit 2 ;; esac
dir=$(dirname -- "$target") base=$(basename -- "$target")
[ -d "$dir" ] || { echo "directory $dir does not exist" >&2; exit 3; }
if [ -d "$target" ] && [ ! -L "$target" ]; then echo "$target is a directory" >&2; exit 4; fi
prefix="$dir/.$base${TEMP_INFIX}"
for f in "$prefix"*; do
  if [ -e "$f" ] || [ -L "$f" ]; then rm -f -- "$f" || exit 5; fi
done
if [ -f "$target" ] && [ ! -L "$target" ]; then
  old=$(sha256sum -- "$target") && old=\${old%% *}
  if [ "$old" = "$sum" ] && [ "$(stat -c %a -- "$target")" = "$mode" ]; then cat >/dev/null; echo unchanged; exit 0; fi
fi
tmp="$prefix$$"
trap 'rm -f -- "$tmp"' EXIT
trap 'rm -f -- "$tmp"; exit 129' HUP PIPE TERM INT
umask 077
cat > "$tmp" || exit 6
got=$(sha256sum < "$tmp") && got=\${got%% *}
if [ "$got" != "$sum" ]; then
  rm -f -- "$tmp"
  echo "the content that arrived (sha256 $got) is not the content sent (sha256 $sum): nothing written" >&2
  exit 7
fi
chmod "$mode" "$tmp" || exit 6
sync -- "$tmp" 2>/dev/null || sync
mv -f -T -- "$tmp" "$target" || exit 6
trap - EXIT
sync -- "$dir" 2>/dev/null || true
echo written
`;

/**
 * The argument vector of an atomic write of content with this sha256 (content on standard input). Exported for
 * tests that interrupt a write; use `writeFileAtomic`.
 */
export function writeFileAtomicArgv(path: string, mode: number, sha256: string): string[] {
  return ["sh", "-c", WRITE_SCRIPT, "sh", path, mode.toString(8), sha256];
}

/** Exit statuses the scripts below use, and the error codes they stand for. */
function failure(session: Dom0Session, what: string, r: { code: number; stderr: string }): Dom0CommandError {
  const code = r.code === 7 ? "INTEGRITY" : r.code === 4 ? "PATH_CONFLICT" : "COMMAND_FAILED";
  return new Dom0CommandError(session.target, what, r.code, r.stderr, code);
}

function checkPath(session: Dom0Session, path: string): void {
  if (!path.startsWith("/")) {
    const message = `dom0 ${session.target}: path must be absolute: ${JSON.stringify(path)}`;
    throw new Dom0Error("BAD_ARGUMENT", message, session.target);
  }
}

function checkMode(session: Dom0Session, mode: number): void {
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) {
    throw new Dom0Error("BAD_ARGUMENT", `dom0 ${session.target}: bad file mode ${mode}`, session.target);
  }
}

/** sha256 (hex) of `content`, as `sha256sum` prints it. */
export function sha256Hex(content: string | Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}

/** Writes `content` to `path` atomically (temp file in the same directory, sync, rename) with `mode`. */
export async function writeFileAtomic(
  session: Dom0Session,
  path: string,
  content: string | Buffer,
  options: WriteFileOptions = {},
): Promise<WriteFileResult> {
  const mode = options.mode ?? 0o644;
  checkPath(session, path);
  checkMode(session, mode);
  const data = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  const sum = sha256Hex(data);
  const r = await session.run(writeFileAtomicArgv(path, mode, sum), { stdin: data });
  if (r.code !== 0) throw failure(session, `write ${path}`, r);
  return { sha256: sum, changed: r.stdout.trim() !== "unchanged" };
}

const READ_SCRIPT = `if [ ! -e "$1" ] && [ ! -L "$1" ]; then exit 3; fi
[ -f "$1" ] || { echo "$1 is not a regular file" >&2; exit 4; }
exec cat -- "$1"`;

/** The bytes of a regular file, or `undefined` when nothing is at `path`. */
export async function readFile(session: Dom0Session, path: string): Promise<Buffer | undefined> {
  checkPath(session, path);
  const r = await session.runRaw(["sh", "-c", READ_SCRIPT, "sh", path]);
  if (r.code === 3) return undefined;
  if (r.code !== 0) throw failure(session, `read ${path}`, r);
  return r.stdout;
}

/** A regular file as UTF-8 text, or `undefined` when nothing is at `path`. */
export async function readTextFile(session: Dom0Session, path: string): Promise<string | undefined> {
  return (await readFile(session, path))?.toString("utf8");
}

const HASH_SCRIPT = `if [ ! -e "$1" ] && [ ! -L "$1" ]; then exit 3; fi
[ -f "$1" ] || { echo "$1 is not a regular file" >&2; exit 4; }
exec sha256sum -- "$1"`;

/** sha256 (hex) of a regular file, or `undefined` when nothing is at `path`. */
export async function fileSha256(session: Dom0Session, path: string): Promise<string | undefined> {
  checkPath(session, path);
  const r = await session.run(["sh", "-c", HASH_SCRIPT, "sh", path]);
  if (r.code === 3) return undefined;
  if (r.code !== 0) throw failure(session, `hash ${path}`, r);
  const m = /^\\?([0-9a-f]{64})\s/.exec(r.stdout);
  if (!m) throw failure(session, `hash ${path}`, { code: r.code, stderr: `unexpected output: ${r.stdout.slice(0, 200)}` });
  return m[1];
}

const REMOVE_SCRIPT = `if [ ! -e "$1" ] && [ ! -L "$1" ]; then echo absent; exit 0; fi
if [ -d "$1" ] && [ ! -L "$1" ]; then echo "$1 is a directory" >&2; exit 4; fi
rm -f -- "$1" && echo removed`;

/** Removes a file (or symlink). Returns false when nothing was there; refuses a directory. */
export async function removeFile(session: Dom0Session, path: string): Promise<boolean> {
  checkPath(session, path);
  const r = await session.run(["sh", "-c", REMOVE_SCRIPT, "sh", path]);
  if (r.code !== 0) throw failure(session, `remove ${path}`, r);
  return r.stdout.trim() === "removed";
}

/** `mkdir -p` (and, when `mode` is given, that mode on the last directory). */
export async function mkdirp(session: Dom0Session, path: string, mode?: number): Promise<void> {
  checkPath(session, path);
  await session.runChecked(["mkdir", "-p", "--", path], { what: `mkdir -p ${path}` });
  if (mode !== undefined) {
    checkMode(session, mode);
    await session.runChecked(["chmod", mode.toString(8), "--", path], { what: `chmod ${path}` });
  }
}

/** Whether something (a file, directory or symlink, even a dangling one) is at `path`. */
export async function pathExists(session: Dom0Session, path: string): Promise<boolean> {
  checkPath(session, path);
  const r = await session.run(["sh", "-c", `[ -e "$1" ] || [ -L "$1" ]`, "sh", path]);
  return r.code === 0;
}
