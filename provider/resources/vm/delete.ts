/**
 * Deleting a VM, as a state machine a retry can re-enter at any step.
 *
 * | step | call                               | what xapi holds afterwards                   | how a retry recognises it, and what it does next                 |
 * |------|------------------------------------|----------------------------------------------|------------------------------------------------------------------|
 * | 1    | `VM.hard_shutdown` (unless halted) | the VM halted                                | power state Halted: skip                                         |
 * | 2    | `VM.destroy`                       | the VM and its VBDs gone; its VDIs remain    | no VM with the id: go on at step 3 with the disks the state lists |
 * | 3    | `VDI.destroy` per disk we made     | the disks gone                               | a listed disk no longer there: skip it                           |
 *
 * The disks destroyed are those that carry this resource's owner tag, found both on the VM (while it exists) and
 * by the uuids the state holds (`diskUuids`, while no other VM uses them): so a run killed between steps 2 and 3
 * leaks nothing, and a disk without the tag (an ISO, a disk somebody else attached) is never destroyed.
 */
import { callAsync, isXenApiError, Ref, VdiRecord, XenApiSession } from "../../xenapi";
import { refByUuid } from "../lookup";
import { disksOf } from "./devices";
import { OWNER_KEY } from "../owner";

export interface VmDeleteState {
  /** The owner key the VM and its disks were tagged with ("" for an adopted VM: nothing of it is ours). */
  ownerKey: string;
  /** VDI uuid of each disk, by userdevice, as last recorded. */
  diskUuids?: Record<string, string>;
}

export async function deleteVm(session: XenApiSession, id: string, state: VmDeleteState): Promise<void> {
  const owner = state.ownerKey;
  const ours = new Map<string, Ref>(); // VDI uuid → ref, of the disks to destroy
  const vm = await refByUuid(session, "VM", id);
  if (vm) {
    const power = await session.call<string>("VM.get_power_state", vm);
    if (power !== "Halted") await callAsync(session, "VM.hard_shutdown", [vm]);
    for (const disk of (await disksOf(session, await session.call<Ref[]>("VM.get_VBDs", vm))).values()) {
      if (owner && disk.vdiRecord.other_config?.[OWNER_KEY] === owner) ours.set(disk.vdiRecord.uuid, disk.vdi);
    }
  }
  if (owner) {
    for (const uuid of Object.values(state.diskUuids ?? {})) {
      if (ours.has(uuid)) continue;
      const vdi = await refByUuid(session, "VDI", uuid);
      if (!vdi) continue; // already destroyed
      const record = await session.call<VdiRecord>("VDI.get_record", vdi);
      // Not on the VM (or the VM is gone): ours only while no other VM uses it.
      if (record.other_config?.[OWNER_KEY] === owner && record.VBDs.length === 0) ours.set(uuid, vdi);
    }
  }
  if (vm) await session.call("VM.destroy", vm);
  for (const vdi of ours.values()) {
    try {
      await session.call("VDI.destroy", vdi);
    } catch (err) {
      if (!isXenApiError(err, "HANDLE_INVALID")) throw err; // gone meanwhile: what we wanted
    }
  }
}
