/**
 * The local SR that /boot/guest and /images point into: which SR it is (over XenAPI: the one named, or the host's
 * SR tagged i18n-key=local-storage) and where it is mounted in dom0 (on a filesystem of its own).
 */
import { HostRecord, PbdRecord, Ref, SrRecord, XenApiSession } from "../../xenapi";
import { Dom0Session, filesystemId, pathExists } from "../../dom0";
import { resolveObject } from "../lookup";

/** Where dom0 mounts SRs: `<SR_MOUNT>/<SR uuid>`. */
export const SR_MOUNT = "/var/run/sr-mount";

/** The local SR's uuid: the one named, or the host's SR with other-config i18n-key=local-storage. */
export async function findLocalSr(session: XenApiSession, hostRef: Ref, host: HostRecord, wanted: string): Promise<string> {
  const pbds = await Promise.all(host.PBDs.map((p) => session.call<PbdRecord>("PBD.get_record", p)));
  const srRefs = new Set(pbds.map((p) => p.SR));
  if (wanted) {
    const { ref, record } = await resolveObject<SrRecord>(session, "SR", "localSr", wanted);
    if (!srRefs.has(ref)) throw new Error(`localSr: SR "${wanted}" has no PBD on host ${host.name_label}, so it is not local to it`);
    return record.uuid;
  }
  const local: SrRecord[] = [];
  for (const sr of srRefs) {
    const record = await session.call<SrRecord>("SR.get_record", sr);
    if (record.other_config["i18n-key"] === "local-storage" && !record.shared) local.push(record);
  }
  void hostRef;
  if (local.length === 0) {
    throw new Error(
      `localSr: host ${host.name_label} has no SR with other-config i18n-key=local-storage; name the local SR with localSr ` +
        "(or set bootGuest and images to false)",
    );
  }
  if (local.length > 1) throw new Error(`localSr: host ${host.name_label} has ${local.length} local-storage SRs; name one with localSr`);
  return local[0].uuid;
}

/** The SR must be mounted, on a filesystem of its own: /boot/guest and /images must not fill dom0's root. */
export async function checkSrMount(s: Dom0Session, mount: string, srUuid: string, declared: string): Promise<void> {
  const what = declared ? `localSr "${declared}" (${srUuid})` : `the local SR ${srUuid}`;
  if (!(await pathExists(s, mount))) throw new Error(`localSr: ${what} is not mounted at ${mount} on ${s.target}`);
  if ((await filesystemId(s, mount)) === (await filesystemId(s, "/"))) {
    throw new Error(
      `localSr: ${mount} on ${s.target} is on dom0's root filesystem, not on the SR's own; /boot/guest and /images ` +
        `must point into ${what}, not fill dom0's small root (is the SR an ext (file-based) SR, and plugged?)`,
    );
  }
}
