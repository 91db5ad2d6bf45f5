/**
 * The byte-code Python leaves beside the modules it imports: Python 2 writes `utils.pyc` (or `.pyo`) next to
 * `utils.py`, Python 3 writes `__pycache__/utils.<tag>.pyc` (e.g. `utils.cpython-311.pyc`, `.opt-1.pyc`). When a
 * resource removes files it installed, it removes that byte-code too, and only that: regular files named after a
 * `.py` it removed; `__pycache__` itself only when that leaves it empty.
 */
import { Dom0Session, removeFile } from "../dom0";

/** The names of the byte-code files of `stem` among the entries of a `__pycache__` directory. */
export function pycacheEntriesOf(stem: string, entries: string[]): string[] {
  const prefix = `${stem}.`;
  return entries.filter((e) => e.startsWith(prefix) && /^[A-Za-z][A-Za-z0-9_-]*(\.opt-\d+)?\.pyc$/.test(e.slice(prefix.length)));
}

/** Python module stems of the named files (`utils.py` → `utils`); other files have no byte-code. */
export function moduleStems(names: string[]): string[] {
  return names.filter((n) => /^[A-Za-z_][A-Za-z0-9_]*\.py$/.test(n)).map((n) => n.slice(0, -3));
}

const LIST_PYCACHE = `[ -d "$1" ] && [ ! -L "$1" ] || exit 0
for f in "$1"/* "$1"/.[!.]*; do [ -f "$f" ] && [ ! -L "$f" ] && printf '%s\\n' "\${f##*/}"; done; exit 0`;

/** Removes the byte-code of the named (already removed) modules from `dir`. */
export async function removeBytecode(session: Dom0Session, dir: string, names: string[]): Promise<void> {
  const stems = moduleStems(names);
  if (stems.length === 0) return;
  for (const stem of stems) {
    for (const ext of [".pyc", ".pyo"]) await removeRegularFile(session, `${dir}/${stem}${ext}`);
  }
  const cache = `${dir}/__pycache__`;
  const listed = await session.run(["sh", "-c", LIST_PYCACHE, "sh", cache]);
  const entries = listed.code === 0 ? listed.stdout.split("\n").filter(Boolean) : [];
  const ours = stems.flatMap((s) => pycacheEntriesOf(s, entries));
  for (const e of ours) await removeRegularFile(session, `${cache}/${e}`);
  if (ours.length > 0) await session.run(["rmdir", "--", cache]); // fails, harmlessly, unless now empty
}

async function removeRegularFile(session: Dom0Session, path: string): Promise<void> {
  const r = await session.run(["sh", "-c", `[ -f "$1" ] && [ ! -L "$1" ]`, "sh", path]);
  if (r.code === 0) await removeFile(session, path);
}
