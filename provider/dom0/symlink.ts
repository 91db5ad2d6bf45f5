/**
 * Symlinks on a dom0, made idempotently: create when missing, succeed when the link already points at the target,
 * fail clearly when anything else is there. Removal likewise touches only a link that points where we said.
 */
import { Dom0CommandError, Dom0Error } from "./errors";
import { Dom0Session } from "./session";

const ENSURE_SCRIPT = `link=$1 target=$2
if [ -L "$link" ]; then
  cur=$(readlink -- "$link"; echo .) && cur=\${cur%?} && cur=\${cur%?}
  [ "$cur" = "$target" ] && { echo unchanged; exit 0; }
  echo "$link is a symlink to $cur, not to $target" >&2; exit 4
fi
if [ -d "$link" ]; then echo "$link is a directory, not a symlink to $target" >&2; exit 4; fi
if [ -e "$link" ]; then echo "$link is a file, not a symlink to $target" >&2; exit 4; fi
ln -s -T -- "$target" "$link" && echo created`;

/** Makes `link` a symlink to `target`; `"unchanged"` when it already was one. */
export async function ensureSymlink(
  session: Dom0Session,
  link: string,
  target: string,
): Promise<"created" | "unchanged"> {
  check(session, link, target);
  const r = await session.run(["sh", "-c", ENSURE_SCRIPT, "sh", link, target]);
  if (r.code === 4) {
    throw new Dom0Error("PATH_CONFLICT", `dom0 ${session.target}: cannot make symlink: ${r.stderr.trim()}`, session.target);
  }
  if (r.code !== 0) throw new Dom0CommandError(session.target, `symlink ${link} -> ${target}`, r.code, r.stderr);
  return r.stdout.trim() === "unchanged" ? "unchanged" : "created";
}

const READ_SCRIPT = `if [ -L "$1" ]; then readlink -- "$1"; echo .; exit 0; fi
if [ -e "$1" ]; then exit 4; fi
exit 3`;

/** Where `link` points, `undefined` when nothing is there; throws `PATH_CONFLICT` when it is not a symlink. */
export async function readSymlink(session: Dom0Session, link: string): Promise<string | undefined> {
  check(session, link, "/");
  const r = await session.run(["sh", "-c", READ_SCRIPT, "sh", link]);
  if (r.code === 3) return undefined;
  if (r.code === 4) {
    throw new Dom0Error("PATH_CONFLICT", `dom0 ${session.target}: ${link} is not a symlink`, session.target);
  }
  if (r.code !== 0) throw new Dom0CommandError(session.target, `readlink ${link}`, r.code, r.stderr);
  return r.stdout.slice(0, -3); // drop "\n.\n"
}

/** The target of `link` when it is a symlink; undefined when nothing, or something else, is there. */
export async function symlinkTarget(session: Dom0Session, link: string): Promise<string | undefined> {
  try {
    return await readSymlink(session, link);
  } catch (e) {
    if (e instanceof Dom0Error && e.code === "PATH_CONFLICT") return undefined;
    throw e;
  }
}

/**
 * Removes `link` only if it is a symlink to `target`: `"removed"`, `"absent"` when nothing is there, `"kept"` when
 * something else is there (left alone: it is not ours).
 */
export async function removeSymlink(
  session: Dom0Session,
  link: string,
  target: string,
): Promise<"removed" | "absent" | "kept"> {
  const cur = await readSymlink(session, link).catch((e: unknown) => {
    if (e instanceof Dom0Error && e.code === "PATH_CONFLICT") return null;
    throw e;
  });
  if (cur === undefined) return "absent";
  if (cur !== target) return "kept";
  await session.runChecked(["rm", "-f", "--", link], { what: `remove symlink ${link}` });
  return "removed";
}

function check(session: Dom0Session, link: string, target: string): void {
  if (!link.startsWith("/") || link.endsWith("/") || !target) {
    const what = `${JSON.stringify(link)} -> ${JSON.stringify(target)}`;
    throw new Dom0Error("BAD_ARGUMENT", `dom0 ${session.target}: bad symlink ${what}`, session.target);
  }
}
