/**
 * The dom0 symlinks into the local SR: `/boot/guest` -> `<SR mount>/os-guest-kernels` (AMI kernels and ramdisks)
 * and `/images` -> `<SR mount>/images` (resize/migration), with the directories they point to. What this resource
 * made is recorded in `added` (symlinks, directories) and only that is undone.
 */
import { Dom0Session, ensureSymlink, filesystemId, mkdirp, pathExists, removeSymlink, symlinkTarget } from "../../dom0";
import { checkSrMount, SR_MOUNT } from "./local-sr";
import type { HostInputs } from "./index";
import type { HostAdded } from "./undo";

export const BOOT_GUEST = "/boot/guest";
export const IMAGES = "/images";

/** The links `news` wants, each with the directory in the local SR's mount it points to. */
function wantedLinks(news: Pick<HostInputs, "bootGuest" | "images">, localSrUuid: string): Array<{ link: string; dir: string }> {
  const wanted: Array<{ link: string; dir: string }> = [];
  const mount = `${SR_MOUNT}/${localSrUuid}`;
  if (news.bootGuest) wanted.push({ link: BOOT_GUEST, dir: `${mount}/os-guest-kernels` });
  if (news.images) wanted.push({ link: IMAGES, dir: `${mount}/images` });
  return wanted;
}

/**
 * Symlinks into the local SR: drops the ones this resource made that are no longer wanted (or point at another
 * SR) first, then makes each wanted directory (on the SR's filesystem) and link, recording what it made.
 */
export async function convergeSymlinks(s: Dom0Session, news: HostInputs, localSrUuid: string, added: HostAdded): Promise<void> {
  const mount = `${SR_MOUNT}/${localSrUuid}`;
  const wanted = wantedLinks(news, localSrUuid);
  if (wanted.length > 0) await checkSrMount(s, mount, localSrUuid, news.localSr);
  for (const made of [...added.symlinks]) {
    if (!wanted.some((w) => w.link === made.link && w.dir === made.target)) await undoSymlink(s, made, added);
  }
  for (const w of wanted) {
    if (!(await pathExists(s, w.dir))) {
      await mkdirp(s, w.dir);
      added.dirs.push(w.dir);
    }
    if ((await filesystemId(s, w.dir)) !== (await filesystemId(s, mount))) {
      throw new Error(`${w.link}: ${w.dir} is not on the local SR's filesystem (${mount})`);
    }
    if ((await ensureSymlink(s, w.link, w.dir)) === "created") added.symlinks.push({ link: w.link, target: w.dir });
  }
}

/** Whether each declared link is there as this resource makes it, pointing into `localSrUuid`'s mount. Only reads. */
export async function currentSymlinks(
  s: Dom0Session,
  declared: Pick<HostInputs, "bootGuest" | "images">,
  localSrUuid: string,
): Promise<Pick<HostInputs, "bootGuest" | "images">> {
  const current = { bootGuest: declared.bootGuest, images: declared.images };
  const mount = `${SR_MOUNT}/${localSrUuid}`;
  if (declared.bootGuest) current.bootGuest = (await symlinkTarget(s, BOOT_GUEST)) === `${mount}/os-guest-kernels`;
  if (declared.images) current.images = (await symlinkTarget(s, IMAGES)) === `${mount}/images`;
  return current;
}

/** Removes a link this resource made, and the directory it made for it while that is still empty. */
export async function undoSymlink(s: Dom0Session, made: { link: string; target: string }, added: HostAdded): Promise<void> {
  await removeSymlink(s, made.link, made.target);
  added.symlinks = added.symlinks.filter((m) => m.link !== made.link);
  if (added.dirs.includes(made.target)) {
    // Only while empty: kernels or images left there are the operator's to keep.
    await s.run(["rmdir", "--", made.target]);
    added.dirs = added.dirs.filter((d) => d !== made.target);
  }
}
