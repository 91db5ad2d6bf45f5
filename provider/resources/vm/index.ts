import { fromInt64, isNullRef, Ref, VmRecord, XenApiSession } from "../../xenapi";
import { xenSession } from "../../context";
import { CheckFailure } from "../check";
import { declaredKeys, DiffResult } from "../diff";
import { keepSpelling, refByUuid, resolveHost, resolveObject } from "../lookup";
import { converge } from "./converge";
import { cdDriveOf, disksOf, interfacesOf } from "./devices";
import { findOwnedVm, finishIfCreating, finishVm, startVm } from "./create";
import { deleteVm } from "./delete";
import { initFailure } from "../init-failure";
import { diff as diffVm, REPLACING, UPDATABLE } from "./diff";
import { ResourceContract } from "../contract";
import { assertAdoptable } from "../adopt";
import { DesiredPowerState, DiskSpec, normalize, VmInputs } from "./inputs";
import { currentIp } from "./power";
import { validateAgainstPool } from "./validate";

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
  // The state machine is in ./create.ts: a VM an interrupted create left is found again and finished.
  const found = await findOwnedVm(session, inputs.ownerKey, inputs.name);
  const vm = found?.vm ?? (await startVm(session, inputs));
  try {
    if (!found?.finished) await finishVm(session, vm, inputs);
    await converge(session, vm, inputs, undefined);
  } catch (err) {
    // The VM exists: the engine records it (with its disks) even though the create failed.
    const uuid = await session.call<string>("VM.get_uuid", vm);
    const outs = await outputsOf(session, vm, inputs).catch(() => ({ ...inputs, uuid }));
    throw initFailure(uuid, outs as unknown as Record<string, unknown>, new Error(`VM "${inputs.name}" (uuid ${uuid}) was made but not finished: ${(err as Error).message}`));
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
  await finishIfCreating(session, vm, news);
  await converge(session, vm, news, olds);
  return { outs: await outputsOf(session, vm, news) };
}

/** Hard shutdown, then destroy the VM and the disks this resource made (./delete.ts); never a disk it did not make. */
export async function remove(id: string, props: VmOutputs): Promise<void> {
  await deleteVm(xenSession(), id, props);
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



/** This module as the one implementation both surfaces (dynamic provider, plugin) dispatch to. */
export const contract = { check, diff, create, read, update, remove, updatable: UPDATABLE, replacing: REPLACING, stableOutputs: ["uuid"] } satisfies ResourceContract<VmInputs, VmOutputs>;
