/**
 * Which filesystem a path is on (`stat -L -c %d`, following symlinks), e.g. to check that `/images` lands on the
 * local SR's filesystem rather than on dom0's small root.
 */
import { Dom0CommandError } from "./errors";
import { Dom0Session } from "./session";

/** The device number of the filesystem holding `path` (symlinks followed). */
export async function filesystemId(session: Dom0Session, path: string): Promise<string> {
  const r = await session.run(["stat", "-L", "-c", "%d", "--", path]);
  if (r.code !== 0) throw new Dom0CommandError(session.target, `stat ${path}`, r.code, r.stderr);
  return r.stdout.trim();
}

/** True when both paths (symlinks followed) are on the same filesystem. */
export async function sameFilesystem(session: Dom0Session, a: string, b: string): Promise<boolean> {
  const r = await session.run(["stat", "-L", "-c", "%d", "--", a, b]);
  if (r.code !== 0) throw new Dom0CommandError(session.target, `stat ${a} ${b}`, r.code, r.stderr);
  const [da, db] = r.stdout.trim().split("\n");
  return da !== undefined && da === db;
}
