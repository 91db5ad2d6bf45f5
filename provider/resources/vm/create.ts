/**
 * Making a VM, as a state machine a retry can re-enter at any step.
 *
 * `owner` is the program's owner key (`<project>/<stack>/Vm/<name>`); CREATING is `pulumi-xen creating <owner>`.
 *
 * | step | call                                   | what xapi holds afterwards                         | how a retry recognises it, and what it does next            |
 * |------|----------------------------------------|----------------------------------------------------|-------------------------------------------------------------|
 * | 1    | `VM.clone` / `VM.copy` (template → CREATING), or `VM.create` (blank, tagged) | a VM named CREATING; a clone is still `is_a_template`, its disks are copies without our tag | the pool view (caught up when the create begins) finds it by name: go on at step 2 |
 * | 2    | `VM.add_to_other_config(owner)`        | the VM carries the owner tag                       | tag missing on a CREATING VM: add it                        |
 * | 3    | `VM.provision` (templates with other-config `disks`) | the described disks exist; xapi drops `disks` from other-config | `disks` still there: not provisioned. Disks a cut-short provision left (VBDs xapi marks `owner`) are destroyed, then provision again |
 * | 4    | `VM.set_is_a_template(false)`          | an ordinary halted VM                              | `is_a_template` still true: steps 3–4 to do                 |
 * | 5    | `VDI.add_to_other_config(owner)` per disk | every disk made for the VM is tagged            | a CREATING VM's untagged disk: tag it (all its disks were made for it) |
 * | 6    | converge: hardware, disks (`VDI.create` tagged in the call), VIFs, CD, power | as declared, still named CREATING | converge compares and acts, so it is re-entrant; a tagged, unattached disk of the same name is attached instead of made again |
 * | 7    | `VM.set_name_label(name)`              | the VM as declared                                 | name + owner tag: `findOwnedVm` finds it; converge finds nothing to do |
 *
 * A failure after step 1 is reported to the engine with the VM's uuid and outputs (an initialization failure), so
 * the state holds it: the next `up` finishes it through update (`finishIfCreating`, then converge), and `destroy`
 * removes it with its disks.
 * A run killed before the engine heard of the VM leaves a pending create: the next `up` re-enters here and finds
 * the VM by its CREATING name (or, after step 7, by its name and owner tag).
 */
import { addFieldEntry, callAsync, poolView, Ref, VbdRecord, VdiRecord, VmRecord, XenApiSession } from "../../xenapi";
import { recordOf, resolveObject } from "../lookup";
import { progressReporter } from "../progress";
import { disksOf } from "./devices";
import { creatingName, OWNER_KEY } from "../owner";
import { VmInputs } from "./inputs";

/**
 * A VM a previous, interrupted create made for `owner`: by its CREATING name (steps 1–6), else by its final name
 * and owner tag (after step 7). Looked up in the pool view, which the create caught up when it began (a fresh
 * process loads it then), so it holds whatever a killed run left.
 */
export async function findOwnedVm(session: XenApiSession, owner: string, finalName: string): Promise<{ vm: Ref; finished: boolean } | undefined> {
  if (!owner) return undefined;
  const view = poolView(session);
  const [creating] = await view.byName<VmRecord>("VM", creatingName(owner), () => true, { caughtUp: true });
  if (creating) return { vm: creating.ref, finished: false };
  const [done] = await view.byName<VmRecord>("VM", finalName, (r) => r.other_config?.[OWNER_KEY] === owner, { caughtUp: true });
  return done ? { vm: done.ref, finished: true } : undefined;
}

/** What step 1 made, and what its record is known to hold without reading it back. */
export interface StartedVm {
  /** The new VM (named CREATING, or its final name without an owner key). */
  vm: Ref;
  /** other_config and is_a_template as step 1 left them (a clone or copy carries the template's). */
  made: Pick<VmRecord, "other_config" | "is_a_template">;
}

/** Step 1: the new VM, named CREATING (or its final name when the program gives no owner key). */
export async function startVm(session: XenApiSession, inputs: VmInputs): Promise<StartedVm> {
  const name = inputs.ownerKey ? creatingName(inputs.ownerKey) : inputs.name;
  if (!inputs.template) {
    const blank = blankVmRecord(name, inputs);
    const vm = await session.call<Ref>("VM.create", blank);
    return { vm, made: { other_config: blank.other_config as Record<string, string>, is_a_template: false } };
  }
  const template = await resolveObject<VmRecord>(session, "VM", "template", inputs.template, (r) => r.is_a_template && !r.is_a_snapshot);
  const made = { other_config: { ...template.record.other_config }, is_a_template: true };
  const onProgress = progressReporter(`${inputs.name}: ${inputs.copyToSr ? "copying" : "cloning"} ${inputs.template}`);
  if (!inputs.copyToSr) return { vm: await callAsync<Ref>(session, "VM.clone", [template.ref, name], { onProgress }), made };
  const sr = await resolveObject(session, "SR", "copyToSr", inputs.copyToSr);
  return { vm: await callAsync<Ref>(session, "VM.copy", [template.ref, name, sr.ref], { onProgress }), made };
}

/**
 * Steps 2–5 on a VM from step 1 (fresh, or found again by its CREATING name): each step only where it is still to
 * do. Never on a VM past step 7: by then a disk without our tag may be one somebody else attached. `made` is what
 * step 1 of this run left (else the record is read). Returns the VM's record as these steps leave it.
 */
export async function finishVm(session: XenApiSession, vm: Ref, inputs: VmInputs, made?: StartedVm["made"]): Promise<VmRecord> {
  const record = made ?? (await vmRecordOf(session, vm));
  const owner = inputs.ownerKey;
  if (owner && record.other_config[OWNER_KEY] !== owner) await addFieldEntry(session, "VM", vm, "other_config", OWNER_KEY, owner);
  if (record.is_a_template) {
    if (record.other_config.disks) {
      if (!made) await dropPartialProvision(session, (await vmRecordOf(session, vm)).VBDs);
      await callAsync(session, "VM.provision", [vm], { onProgress: progressReporter(`${inputs.name}: provisioning disks`) });
    }
    await session.call("VM.set_is_a_template", vm, false);
  }
  // Read after the last write to the VM: the view catches up first. Tagging its disks below leaves it as it is.
  const now = await vmRecordOf(session, vm);
  // Only while the VM still has its CREATING name (or is fresh) are all its disks ours: clone, copy and provision
  // made every one of them for it.
  if (owner) {
    for (const disk of (await disksOf(session, now.VBDs)).values()) {
      if (disk.vdiRecord.other_config?.[OWNER_KEY] !== owner) await addFieldEntry(session, "VDI", disk.vdi, "other_config", OWNER_KEY, owner);
    }
  }
  return now;
}

/**
 * A VM the engine recorded from a create that failed after step 1 comes back through update: while it still has
 * its CREATING name, steps 2–5 may still be to do (a clone still flagged as a template cannot start).
 */
export async function finishIfCreating(session: XenApiSession, vm: Ref, inputs: VmInputs): Promise<void> {
  if (!inputs.ownerKey) return;
  if ((await vmRecordOf(session, vm)).name_label === creatingName(inputs.ownerKey)) await finishVm(session, vm, inputs);
}

/** The VM's record from the pool view (caught up after this process's writes). */
function vmRecordOf(session: XenApiSession, vm: Ref): Promise<VmRecord> {
  return recordOf<VmRecord>(session, "VM", vm);
}

/**
 * Disks a provision cut short left behind: xapi marks the VBDs it provisions with other-config `owner`. Destroys
 * them (VBD and VDI) so that provision can run again; true when there were any.
 */
async function dropPartialProvision(session: XenApiSession, vbds: Ref[]): Promise<boolean> {
  const view = poolView(session);
  let dropped = false;
  for (const vbd of vbds) {
    const record = await view.get<VbdRecord>("VBD", vbd);
    if (!record || record.type !== "Disk" || record.other_config?.owner !== "true") continue;
    const vdi = await view.get<VdiRecord>("VDI", record.VDI);
    await session.call("VBD.destroy", vbd);
    if (vdi) await session.call("VDI.destroy", record.VDI);
    dropped = true;
  }
  return dropped;
}

function blankVmRecord(name: string, inputs: VmInputs): Record<string, unknown> {
  const memory = inputs.memory ?? { dynamicMin: 1024 ** 3, dynamicMax: 1024 ** 3, staticMax: 1024 ** 3 };
  const vcpus = inputs.vcpus ?? { max: 1, atStartup: 1 };
  const hvm = inputs.bootMode === "hvm";
  return {
    name_label: name,
    name_description: inputs.description,
    user_version: "1",
    is_a_template: false,
    affinity: "OpaqueRef:NULL",
    memory_static_max: String(memory.staticMax),
    memory_dynamic_max: String(memory.dynamicMax),
    memory_dynamic_min: String(memory.dynamicMin),
    memory_static_min: String(memory.staticMin ?? memory.dynamicMin),
    VCPUs_params: {},
    VCPUs_max: String(vcpus.max),
    VCPUs_at_startup: String(vcpus.atStartup),
    actions_after_shutdown: "destroy",
    actions_after_reboot: "restart",
    actions_after_crash: "restart",
    PV_bootloader: hvm ? "" : inputs.pvBootloader || "pygrub",
    PV_kernel: "",
    PV_ramdisk: "",
    PV_args: inputs.pvArgs,
    PV_bootloader_args: "",
    PV_legacy_args: "",
    HVM_boot_policy: hvm ? "BIOS order" : "",
    HVM_boot_params: hvm ? { order: inputs.hvmBootOrder || "cd" } : {},
    platform: {},
    PCI_bus: "",
    // Tagged in the call that makes it: a blank VM needs no step 2.
    other_config: inputs.ownerKey ? { [OWNER_KEY]: inputs.ownerKey } : {},
    recommendations: "",
    xenstore_data: {},
  };
}
