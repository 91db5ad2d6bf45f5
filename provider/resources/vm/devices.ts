import { callAsync, fromInt64, int64, isXenApiError, NULL_REF, poolView, Ref, VbdRecord, VdiRecord, VifRecord, XenApiSession, isNullRef } from "../../xenapi";
import { recordOf, resolveObject, thePool } from "../lookup";
import { DiskSpec, NetworkInterfaceSpec } from "./inputs";

import { OWNER_KEY } from "../owner";

/** A disk attached to a VM: its VBD and VDI, with their records. */
export interface AttachedDisk {
  /** The VBD attaching the disk (type Disk). */
  vbd: Ref;
  /** The VBD's record, from the pool view. */
  vbdRecord: VbdRecord;
  /** The disk's VDI (the VBD's, never NULL). */
  vdi: Ref;
  /** The VDI's record, from the pool view. */
  vdiRecord: VdiRecord;
}

/** The VM's disks (VBDs of type Disk with a VDI), by userdevice; records from the pool view. */
export async function disksOf(session: XenApiSession, vbds: Ref[]): Promise<Map<string, AttachedDisk>> {
  const view = poolView(session);
  const out = new Map<string, AttachedDisk>();
  for (const vbd of vbds) {
    const vbdRecord = await view.get<VbdRecord>("VBD", vbd);
    if (!vbdRecord || vbdRecord.type !== "Disk" || isNullRef(vbdRecord.VDI)) continue;
    const vdiRecord = await view.get<VdiRecord>("VDI", vbdRecord.VDI);
    if (vdiRecord) out.set(vbdRecord.userdevice, { vbd, vbdRecord, vdi: vbdRecord.VDI, vdiRecord });
  }
  return out;
}

/** The VM's CD drive, if it has one. */
export async function cdDriveOf(session: XenApiSession, vbds: Ref[]): Promise<{ ref: Ref; record: VbdRecord } | undefined> {
  const view = poolView(session);
  for (const ref of vbds) {
    const record = await view.get<VbdRecord>("VBD", ref);
    if (record?.type === "CD") return { ref, record };
  }
  return undefined;
}

export async function interfacesOf(session: XenApiSession, vifs: Ref[]): Promise<Map<string, { ref: Ref; record: VifRecord }>> {
  const view = poolView(session);
  const out = new Map<string, { ref: Ref; record: VifRecord }>();
  for (const ref of vifs) {
    const record = await view.get<VifRecord>("VIF", ref);
    if (record) out.set(record.device, { ref, record });
  }
  return out;
}

/** The SR a disk goes to: its own, else the VM's, else the pool's default SR. */
export async function srForDisk(session: XenApiSession, disk: DiskSpec, vmSr: string): Promise<Ref> {
  const wanted = disk.sr || vmSr;
  if (wanted) return (await resolveObject(session, "SR", `disks[${disk.device}].sr`, wanted)).ref;
  const pool = await thePool<{ default_SR: Ref }>(session);
  if (isNullRef(pool.record.default_SR)) throw new Error(`disks[${disk.device}].sr: not given, and the pool has no default SR`);
  return pool.record.default_SR;
}

/**
 * Creates a VDI of the disk's size on its SR, tagged as ours in the call that makes it, and attaches it at the
 * disk's userdevice. A run cut between the two calls leaves a tagged, unattached VDI of the same name on that SR:
 * the retry attaches that one instead of making a second.
 */
export async function addDisk(session: XenApiSession, vm: Ref, vmName: string, disk: DiskSpec, sr: Ref, owner: string, running: boolean): Promise<void> {
  const name = disk.name || `${vmName} disk ${disk.device}`;
  const vdi = (owner && (await orphanDisk(session, name, sr, disk.size, owner))) || (await session.call<Ref>("VDI.create", {
    name_label: name,
    name_description: "",
    SR: sr,
    virtual_size: int64(disk.size),
    type: "user",
    sharable: false,
    read_only: false,
    other_config: ownerTag(owner),
    xenstore_data: {},
    sm_config: {},
    tags: [],
  }));
  try {
    const vbd = await session.call<Ref>("VBD.create", {
      VM: vm,
      VDI: vdi,
      userdevice: disk.device,
      bootable: disk.bootable,
      mode: "RW",
      type: "Disk",
      unpluggable: true,
      empty: false,
      other_config: ownerTag(owner),
      qos_algorithm_type: "",
      qos_algorithm_params: {},
    });
    if (running) await callAsync(session, "VBD.plug", [vbd]);
  } catch (err) {
    await session.call("VDI.destroy", vdi).catch(() => undefined); // no orphan VDI
    throw err;
  }
}

/** other-config for what a create call makes: the owner tag, so it is ours from that call on. */
function ownerTag(owner: string): Record<string, string> {
  return owner ? { [OWNER_KEY]: owner } : {};
}

/**
 * A VDI named `name` of `size` bytes on `sr`, tagged for `owner` and attached to nothing: what a cut-short addDisk
 * left. The create or update running this caught the view up when it began, so a miss needs no second look.
 */
async function orphanDisk(session: XenApiSession, name: string, sr: Ref, size: number, owner: string): Promise<Ref | undefined> {
  const [found] = await poolView(session).byName<VdiRecord>(
    "VDI",
    name,
    (r) => r.SR === sr && r.VBDs.length === 0 && r.other_config?.[OWNER_KEY] === owner && fromInt64(r.virtual_size) === size,
    { caughtUp: true },
  );
  return found?.ref;
}

/**
 * Grows a disk. An attached disk grows online where the SR's backend can (xapi answers VDI_IN_USE where it
 * cannot); then `haltFirst` decides: halt the VM and grow it offline, or fail with the reason.
 */
export async function growDisk(session: XenApiSession, disk: AttachedDisk, bytes: number, haltFirst: (() => Promise<void>) | undefined): Promise<void> {
  if (fromInt64(disk.vdiRecord.virtual_size) >= bytes) return;
  try {
    await callAsync(session, "VDI.resize", [disk.vdi, int64(bytes)]);
  } catch (err) {
    if (!isXenApiError(err, "VDI_IN_USE")) throw err;
    if (!haltFirst) {
      throw new Error(`disks: disk ${disk.vbdRecord.userdevice} can only grow while the VM is halted on this SR; set allowRestart: true to allow halt-change-start`);
    }
    await haltFirst();
    await callAsync(session, "VDI.resize", [disk.vdi, int64(bytes)]);
  }
}

/** Detaches a disk; destroys its VDI only when this resource made it. */
export async function removeDisk(session: XenApiSession, disk: AttachedDisk, owner: string): Promise<void> {
  if (disk.vbdRecord.currently_attached) await callAsync(session, "VBD.unplug", [disk.vbd]);
  await session.call("VBD.destroy", disk.vbd);
  if (owner && disk.vdiRecord.other_config?.[OWNER_KEY] === owner) await session.call("VDI.destroy", disk.vdi);
}

export async function addInterface(session: XenApiSession, vm: Ref, spec: NetworkInterfaceSpec, network: Ref, owner: string, running: boolean): Promise<void> {
  const vif = await session.call<Ref>("VIF.create", {
    device: spec.device,
    network,
    VM: vm,
    MAC: spec.mac,
    MTU: int64(1500),
    other_config: ownerTag(owner),
    qos_algorithm_type: "",
    qos_algorithm_params: {},
    locking_mode: "network_default",
    ipv4_allowed: [],
    ipv6_allowed: [],
  });
  if (running) await callAsync(session, "VIF.plug", [vif]);
}

export async function removeInterface(session: XenApiSession, vif: { ref: Ref; record: VifRecord }): Promise<void> {
  if (vif.record.currently_attached) await callAsync(session, "VIF.unplug", [vif.ref]);
  await session.call("VIF.destroy", vif.ref);
}

/** Puts `iso` (a VDI ref, or undefined for none) in the VM's CD drive, adding an empty drive when there is none. */
export async function setCdrom(session: XenApiSession, vm: Ref, vbds: Ref[], iso: Ref | undefined, owner: string): Promise<void> {
  let drive = await cdDriveOf(session, vbds);
  if (!drive && !iso) return;
  if (!drive) {
    // "3" (hdd, where xapi puts a CD drive) unless a disk already sits there.
    const used = new Set<string>();
    for (const ref of vbds) used.add((await recordOf<VbdRecord>(session, "VBD", ref)).userdevice);
    let userdevice = 3;
    while (used.has(String(userdevice))) userdevice++;
    const ref = await session.call<Ref>("VBD.create", {
      VM: vm,
      VDI: "OpaqueRef:NULL",
      userdevice: String(userdevice),
      bootable: false,
      mode: "RO",
      type: "CD",
      unpluggable: true,
      empty: true,
      other_config: ownerTag(owner),
      qos_algorithm_type: "",
      qos_algorithm_params: {},
    });
    drive = { ref, record: { empty: true, VDI: NULL_REF } as VbdRecord }; // as just made
  }
  const current = drive.record.empty ? undefined : drive.record.VDI;
  if (current === iso) return;
  if (current) await callAsync(session, "VBD.eject", [drive.ref]);
  if (iso) await callAsync(session, "VBD.insert", [drive.ref, iso]);
}
