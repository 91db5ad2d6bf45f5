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
import { callAsync, isXenApiError, poolView, Ref, VdiRecord, VmRecord, XenApiSession } from "../../xenapi";
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
  // What xapi holds now (the pool view, caught up: a run killed half-way left what it left), read before any write.
  const view = poolView(session);
  await view.current();
  await view.prepare(["VM", "VBD", "VDI"]);
  const found = await view.byUuid<VmRecord>("VM", id, { caughtUp: true });
  const vm = found?.ref;
  if (found) {
    for (const disk of (await disksOf(session, found.record.VBDs)).values()) {
      if (owner && disk.vdiRecord.other_config?.[OWNER_KEY] === owner) ours.set(disk.vdiRecord.uuid, disk.vdi);
    }
  }
  if (owner) {
    for (const uuid of Object.values(state.diskUuids ?? {})) {
      if (ours.has(uuid)) continue;
      const vdi = await view.byUuid<VdiRecord>("VDI", uuid, { caughtUp: true });
      if (!vdi) continue; // already destroyed
      // Not on the VM (or the VM is gone): ours only while no other VM uses it.
      if (vdi.record.other_config?.[OWNER_KEY] === owner && vdi.record.VBDs.length === 0) ours.set(uuid, vdi.ref);
    }
  }
  if (found && found.record.power_state !== "Halted") await callAsync(session, "VM.hard_shutdown", [found.ref]);
  if (vm) await session.call("VM.destroy", vm);
  for (const vdi of ours.values()) {
    try {
      await session.call("VDI.destroy", vdi);
    } catch (err) {
      if (!isXenApiError(err, "HANDLE_INVALID")) throw err; // gone meanwhile: what we wanted
    }
  }
}
