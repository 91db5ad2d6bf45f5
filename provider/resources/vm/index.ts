import { callAsync, fromInt64, isNullRef, Ref, VmRecord, XenApiSession } from "../../xenapi";
import { xenSession } from "../../context";
import { CheckFailure } from "../check";
import { declaredKeys, DiffResult } from "../diff";
import { keepSpelling, refByUuid, resolveHost, resolveObject } from "../lookup";
import { converge } from "./converge";
import { cdDriveOf, disksOf, interfacesOf, OWNER_KEY } from "./devices";
import { diff as diffVm, UPDATABLE } from "./diff";
import { assertAdoptable } from "../adopt";
import { DesiredPowerState, DiskSpec, normalize, VmInputs } from "./inputs";
import { currentIp } from "./power";
import { validateAgainstPool } from "./validate";
import { progressReporter } from "../progress";

export interface VmOutputs extends VmInputs {
  uuid: string;
  /** The guest's first IPv4 address as its agent reports it ("" when unknown). */
  ipAddress: string;
  /** MAC of each VIF, by device (generated ones included). */
  macs: Record<string, string>;
  /** VDI uuid of each disk, by userdevice. */
  diskUuids: Record<string, string>;
  /** uuid of the host the VM runs on ("" when halted). */
  residentOn: string;
}

type Raw = Record<string, unknown>;

export async function check(olds: Raw, news: Raw): Promise<{ inputs: VmInputs; failures: CheckFailure[] }> {
  const { inputs, failures } = normalize(olds, news);
  if (failures.length > 0) return { inputs, failures };
  return { inputs, failures: await validateAgainstPool(xenSession(), inputs) };
}

export function diff(id: string, olds: Raw, news: Raw): DiffResult {
  return diffVm(id, olds, news);
}

export async function create(inputs: VmInputs): Promise<{ id: string; outs: VmOutputs }> {
  const session = xenSession();
  if (inputs.adopt) return adopt(session, inputs);
  const vm = (await findOwnedVm(session, inputs.ownerKey, inputs.name)) ?? (await makeVm(session, inputs));
  try {
    await converge(session, vm, inputs, undefined);
  } catch (err) {
    // The VM exists: hand it to the engine as created-but-not-initialized, so the state tracks it (no orphan)
    // and the next `up` finishes it through update.
    const uuid = await session.call<string>("VM.get_uuid", vm);
    throw Object.assign(new Error(`VM ${uuid} was made but not finished: ${(err as Error).message}`), {
      id: uuid,
      properties: await outputsOf(session, vm, inputs).catch(() => ({ ...inputs, uuid })),
      reasons: [(err as Error).message],
    });
  }
  const outs = await outputsOf(session, vm, inputs);
  return { id: outs.uuid, outs };
}

export async function read(id: string, props: VmOutputs): Promise<{ id: string; props?: VmOutputs; inputs?: VmInputs }> {
  const session = xenSession();
  const vm = await refByUuid(session, "VM", id);
  if (!vm) return { id: "" };
  const record = await session.call<VmRecord>("VM.get_record", vm);
  const current = await currentInputs(session, record, props);
  return { id, props: await outputsOf(session, vm, current, record), inputs: current };
}

export async function update(id: string, olds: VmOutputs, news: VmInputs): Promise<{ outs: VmOutputs }> {
  const session = xenSession();
  const vm = await session.call<Ref>("VM.get_by_uuid", id);
  await converge(session, vm, news, olds);
  return { outs: await outputsOf(session, vm, news) };
}

/** Hard shutdown, then destroy the VM and the disks this resource made; never a disk it did not make. */
export async function remove(id: string, props: VmOutputs): Promise<void> {
  const session = xenSession();
  const vm = await refByUuid(session, "VM", id);
  if (!vm) return;
  const state = await session.call<string>("VM.get_power_state", vm);
  if (state !== "Halted") await callAsync(session, "VM.hard_shutdown", [vm]);
  const disks = [...(await disksOf(session, await session.call<Ref[]>("VM.get_VBDs", vm))).values()];
  const owned = disks.filter((d) => props.ownerKey && d.vdiRecord.other_config?.[OWNER_KEY] === props.ownerKey);
  await session.call("VM.destroy", vm);
  for (const disk of owned) await session.call("VDI.destroy", disk.vdi);
}

// ---------------------------------------------------------------------------------------------------------------

/** Fields an adopted VM must already have as declared (the rest only steer how changes are made). */
const ADOPT_COMPARED = UPDATABLE.filter((f) => !["sr", "waitForIp", "ipTimeoutSeconds", "allowRestart"].includes(f));

/** Takes the existing VM `inputs.adopt` under management, if it is exactly as declared; changes nothing. */
async function adopt(session: XenApiSession, inputs: VmInputs): Promise<{ id: string; outs: VmOutputs }> {
  const vm = await refByUuid(session, "VM", inputs.adopt);
  if (!vm) throw new Error(`adopt: there is no VM with uuid ${inputs.adopt}`);
  const record = await session.call<VmRecord>("VM.get_record", vm);
  if (record.is_a_template || record.is_control_domain) throw new Error(`adopt: ${inputs.adopt} is a template or a control domain, not a VM`);
  const current = await currentInputs(session, record, inputs as VmOutputs);
  assertAdoptable(`VM "${inputs.name}"`, inputs.adopt, inputs as unknown as Record<string, unknown>, { ...current, bootMode: inputs.bootMode ? current.bootMode : "" } as unknown as Record<string, unknown>, [...ADOPT_COMPARED, "bootMode"]);
  return { id: record.uuid, outs: await outputsOf(session, vm, inputs, record) };
}

/**
 * A VM a previous, interrupted create made: it carries the "creating" name until converge's last step renames
 * it, and its owner tag from the first step on. Two name lookups, never a scan of every VM in the pool.
 */
async function findOwnedVm(session: XenApiSession, owner: string, finalName: string): Promise<Ref | undefined> {
  if (!owner) return undefined;
  // The "creating" name holds the owner key itself: a crash between the clone and the tag leaves only that.
  const [creating] = await session.call<Ref[]>("VM.get_by_name_label", creatingName(owner));
  if (creating) return creating;
  for (const ref of await session.call<Ref[]>("VM.get_by_name_label", finalName)) {
    const other = await session.call<Record<string, string>>("VM.get_other_config", ref);
    if (other[OWNER_KEY] === owner) return ref;
  }
  return undefined;
}

/** The name a VM carries between its clone and its tagging, so a crash in between leaves it findable. */
function creatingName(owner: string): string {
  return `pulumi-xen creating ${owner}`;
}

async function makeVm(session: XenApiSession, inputs: VmInputs): Promise<Ref> {
  const name = inputs.ownerKey ? creatingName(inputs.ownerKey) : inputs.name;
  let vm: Ref;
  if (inputs.template) {
    const template = await resolveObject<VmRecord>(session, "VM", "template", inputs.template, (r) => r.is_a_template && !r.is_a_snapshot);
    const onProgress = progressReporter(`${inputs.name}: ${inputs.copyToSr ? "copying" : "cloning"} ${inputs.template}`);
    vm = inputs.copyToSr
      ? await callAsync<Ref>(session, "VM.copy", [template.ref, name, (await resolveObject(session, "SR", "copyToSr", inputs.copyToSr)).ref], { onProgress })
      : await callAsync<Ref>(session, "VM.clone", [template.ref, name], { onProgress });
    if (inputs.ownerKey) await session.call("VM.add_to_other_config", vm, OWNER_KEY, inputs.ownerKey);
    // Templates that describe their disks (other-config "disks") get them made now, on the SR they name.
    if (template.record.other_config?.disks) {
      await callAsync(session, "VM.provision", [vm], { onProgress: progressReporter(`${inputs.name}: provisioning disks`) });
    }
    await session.call("VM.set_is_a_template", vm, false);
  } else {
    vm = await session.call<Ref>("VM.create", blankVmRecord(name, inputs));
  }
  // Every disk the new VM has was made for it (clone, copy or provision): tag it, so delete takes it away.
  if (inputs.ownerKey) {
    for (const disk of (await disksOf(session, await session.call<Ref[]>("VM.get_VBDs", vm))).values()) {
      if (disk.vdiRecord.other_config?.[OWNER_KEY] !== inputs.ownerKey) {
        await session.call("VDI.add_to_other_config", disk.vdi, OWNER_KEY, inputs.ownerKey);
      }
    }
  }
  return vm;
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
    other_config: inputs.ownerKey ? { [OWNER_KEY]: inputs.ownerKey } : {},
    recommendations: "",
    xenstore_data: {},
  };
}

async function outputsOf(session: XenApiSession, vm: Ref, inputs: VmInputs, known?: VmRecord): Promise<VmOutputs> {
  const record = known ?? (await session.call<VmRecord>("VM.get_record", vm));
  const macs: Record<string, string> = {};
  for (const [device, vif] of await interfacesOf(session, record.VIFs)) macs[device] = vif.record.MAC.toLowerCase();
  const diskUuids: Record<string, string> = {};
  for (const [device, disk] of await disksOf(session, record.VBDs)) diskUuids[device] = disk.vdiRecord.uuid;
  return {
    ...inputs,
    uuid: record.uuid,
    ipAddress: record.power_state === "Running" ? await currentIp(session, vm) : "",
    macs,
    diskUuids,
    residentOn: isNullRef(record.resident_on) ? "" : await session.call<string>("host.get_uuid", record.resident_on),
  };
}

/** The inputs that describe the VM as it is now, in the program's own spelling wherever it still holds. */
async function currentInputs(session: XenApiSession, record: VmRecord, declared: VmOutputs): Promise<VmInputs> {
  const uuidOf = (cls: string) => (ref: Ref) => session.call<string>(`${cls}.get_uuid`, ref);
  const disks: DiskSpec[] = [];
  const attached = await disksOf(session, record.VBDs);
  for (const d of declared.disks ?? []) {
    const disk = attached.get(d.device);
    if (!disk) continue; // removed behind our back: refresh shows it gone
    disks.push({
      device: d.device,
      size: fromInt64(disk.vdiRecord.virtual_size),
      // A disk's own SR is tracked when declared; otherwise it is wherever the VM's default put it.
      sr: d.sr ? await keepSpelling(d.sr, disk.vdiRecord.SR, (w) => resolveObject(session, "SR", "sr", w), uuidOf("SR")) : "",
      name: d.name ? disk.vdiRecord.name_label : "",
      bootable: disk.vbdRecord.bootable,
    });
  }
  const networkInterfaces = [];
  for (const [device, vif] of await interfacesOf(session, record.VIFs)) {
    const spec = (declared.networkInterfaces ?? []).find((v) => v.device === device);
    const network = await keepSpelling(spec?.network ?? "", vif.record.network, (w) => resolveObject(session, "network", "network", w), uuidOf("network"));
    networkInterfaces.push({ device, network, mac: spec?.mac ? vif.record.MAC.toLowerCase() : "" });
  }
  networkInterfaces.sort((a, b) => Number(a.device) - Number(b.device));
  const cd = await cdDriveOf(session, record.VBDs);
  const cdrom = cd && !cd.record.empty
    ? await keepSpelling(declared.cdrom, cd.record.VDI, (w) => resolveObject(session, "VDI", "cdrom", w), uuidOf("VDI"))
    : "";
  const affinity = isNullRef(record.affinity)
    ? ""
    : await keepSpelling(declared.affinity, record.affinity, (w) => resolveHost(session, "affinity", w), uuidOf("host"));
  const hvm = record.HVM_boot_policy !== "";
  // Outputs are not inputs: leave them out, or refresh would make them look like declared fields.
  const { uuid: _u, ipAddress: _i, macs: _m, diskUuids: _d, residentOn: _r, ...declaredInputs } = declared;
  return {
    ...declaredInputs,
    name: record.name_label,
    description: record.name_description,
    bootMode: declared.bootMode ? (hvm ? "hvm" : "pv") : "",
    pvBootloader: declared.pvBootloader ? record.PV_bootloader : "",
    pvArgs: declared.pvArgs || declared.bootMode === "pv" ? record.PV_args : "",
    hvmBootOrder: declared.hvmBootOrder ? (record.HVM_boot_params?.order ?? "") : "",
    firmware: declared.firmware ? ((record.HVM_boot_params?.firmware ?? "") as VmInputs["firmware"]) : "",
    memory: declared.memory
      ? {
          ...(declared.memory.staticMin !== undefined ? { staticMin: fromInt64(record.memory_static_min) } : {}),
          dynamicMin: fromInt64(record.memory_dynamic_min),
          dynamicMax: fromInt64(record.memory_dynamic_max),
          staticMax: fromInt64(record.memory_static_max),
        }
      : undefined,
    vcpus: declared.vcpus ? { max: fromInt64(record.VCPUs_max), atStartup: fromInt64(record.VCPUs_at_startup) } : undefined,
    disks,
    networkInterfaces,
    cdrom,
    otherConfig: declaredKeys(record.other_config, declared.otherConfig),
    xenstoreData: declaredKeys(record.xenstore_data, declared.xenstoreData),
    tags: [...record.tags].sort(),
    affinity,
    // "suspended" is no declarable state: it shows as drift, and the next up resumes or halts the VM.
    powerState: record.power_state.toLowerCase() as DesiredPowerState,
  };
}


