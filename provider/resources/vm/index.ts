import { fromInt64, HostRecord, isNullRef, poolView, Ref, VmRecord, XenApiSession } from "../../xenapi";
import { xenSession } from "../../context";
import { CheckFailure } from "../check";
import { declaredKeys, DiffResult } from "../diff";
import { keepSpelling, resolveHost, resolveObject, uuidOf } from "../lookup";
import { converge } from "./converge";
import { cdDriveOf, disksOf, interfacesOf } from "./devices";
import { findOwnedVm, finishIfCreating, finishVm, StartedVm, startVm } from "./create";
import { deleteVm } from "./delete";
import { initFailure } from "../init-failure";
import { diff as diffVm, REPLACING, UPDATABLE } from "./diff";
import { ResourceContract } from "../contract";
import { assertAdoptable } from "../adopt";
import { DesiredPowerState, DiskSpec, normalize, VM_DEFAULTS, VmInputs } from "./inputs";
import { currentIp } from "./power";
import { validateAgainstPool } from "./validate";
import { planDisks } from "./disk-plan";
import { withoutUndefined } from "../defined";

export interface VmOutputs extends VmInputs {
  /** The VM's uuid (also the resource id). */
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

/**
 * Normalizes, then checks against the pool and plans the disks (./disk-plan.ts). The inputs returned hold no
 * undefined anywhere (memory, vcpus left out are absent): the engine's Struct cannot carry it.
 */
export async function check(olds: Raw, news: Raw): Promise<{ inputs: VmInputs; failures: CheckFailure[] }> {
  const { inputs, failures } = normalize(olds, news);
  if (failures.length === 0) {
    const session = xenSession();
    failures.push(...(await validateAgainstPool(session, inputs)));
    failures.push(...(await planDisks(session, olds, news, inputs)));
  }
  return { inputs: withoutUndefined(inputs), failures };
}

export function diff(id: string, olds: Raw, news: Raw): DiffResult {
  return diffVm(id, olds, news);
}

/** The classes a Vm operation reads, loaded in one batch. */
const VM_CLASSES = ["VM", "VBD", "VDI", "VIF", "network"];

export async function create(inputs: VmInputs): Promise<{ id: string; outs: VmOutputs }> {
  const session = xenSession();
  // The pool as it is now, whatever changed before (a killed run's leftovers included).
  const view = poolView(session);
  await view.current();
  await view.prepare(VM_CLASSES);
  if (inputs.adopt) return adopt(session, inputs);
  // The state machine is in ./create.ts: a VM an interrupted create left is found again and finished.
  const found = await findOwnedVm(session, inputs.ownerKey, inputs.name);
  let started: StartedVm | undefined;
  const vm = found?.vm ?? (started = await startVm(session, inputs)).vm;
  try {
    const known = found?.finished ? undefined : await finishVm(session, vm, inputs, started?.made);
    await converge(session, vm, inputs, undefined, known);
  } catch (err) {
    // The VM exists: the engine records it (with its disks) even though the create failed.
    const uuid = await session.call<string>("VM.get_uuid", vm);
    const outs = await outputsOf(session, vm, inputs).catch(() => ({ ...inputs, uuid }));
    throw initFailure(uuid, withoutUndefined(outs) as unknown as Record<string, unknown>, new Error(`VM "${inputs.name}" (uuid ${uuid}) was made but not finished: ${(err as Error).message}`));
  }
  const outs = await outputsOf(session, vm, inputs);
  return { id: outs.uuid, outs };
}

export async function read(id: string, props: VmOutputs): Promise<{ id: string; props?: VmOutputs; inputs?: VmInputs }> {
  const session = xenSession();
  const view = poolView(session);
  await view.prepare(VM_CLASSES);
  const found = await view.byUuid<VmRecord>("VM", id);
  if (!found) return { id: "" };
  const current = withoutUndefined(await currentInputs(session, found.record, props));
  return { id, props: await outputsOf(session, found.ref, current, found.record), inputs: current };
}

export async function update(id: string, olds: VmOutputs, news: VmInputs): Promise<{ outs: VmOutputs }> {
  const session = xenSession();
  const view = poolView(session);
  await view.current();
  await view.prepare(VM_CLASSES);
  const found = await view.byUuid<VmRecord>("VM", id, { caughtUp: true });
  if (!found) throw new Error(`VM ${id} is gone (deleted behind Pulumi's back): run pulumi refresh`);
  const vm = found.ref;
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
const ADOPT_COMPARED = UPDATABLE.filter((f) => !["sr", "waitForIp", "ipTimeoutSeconds", "allowRestart", "allowDiskRemoval"].includes(f));

/** Takes the existing VM `inputs.adopt` under management, if it is exactly as declared; changes nothing. */
async function adopt(session: XenApiSession, inputs: VmInputs): Promise<{ id: string; outs: VmOutputs }> {
  const found = await poolView(session).byUuid<VmRecord>("VM", inputs.adopt, { caughtUp: true });
  if (!found) throw new Error(`adopt: there is no VM with uuid ${inputs.adopt}`);
  const { ref: vm, record } = found;
  if (record.is_a_template || record.is_control_domain) throw new Error(`adopt: ${inputs.adopt} is a template or a control domain, not a VM`);
  const current = await currentInputs(session, record, inputs as VmOutputs);
  assertAdoptable(`VM "${inputs.name}"`, inputs.adopt, inputs as unknown as Record<string, unknown>, { ...current, bootMode: inputs.bootMode ? current.bootMode : "" } as unknown as Record<string, unknown>, [...ADOPT_COMPARED, "bootMode"]);
  return { id: record.uuid, outs: await outputsOf(session, vm, inputs, record) };
}

async function outputsOf(session: XenApiSession, vm: Ref, inputs: VmInputs, known?: VmRecord): Promise<VmOutputs> {
  const record = known ?? (await poolView(session).get<VmRecord>("VM", vm));
  if (!record) throw new Error(`VM "${inputs.name}" (${vm}) is gone`);
  const macs: Record<string, string> = {};
  for (const [device, vif] of await interfacesOf(session, record.VIFs)) macs[device] = vif.record.MAC.toLowerCase();
  const diskUuids: Record<string, string> = {};
  for (const [device, disk] of await disksOf(session, record.VBDs)) diskUuids[device] = disk.vdiRecord.uuid;
  return withoutUndefined({
    ...inputs,
    uuid: record.uuid,
    ipAddress: record.power_state === "Running" ? await currentIp(session, vm) : "",
    macs,
    diskUuids,
    residentOn: isNullRef(record.resident_on) ? "" : ((await poolView(session).get<HostRecord>("host", record.resident_on))?.uuid ?? ""),
  });
}

/** The inputs that describe the VM as it is now, in the program's own spelling wherever it still holds. */
async function currentInputs(session: XenApiSession, record: VmRecord, declared: VmOutputs): Promise<VmInputs> {
  const disks: DiskSpec[] = [];
  const attached = await disksOf(session, record.VBDs);
  for (const d of declared.disks ?? []) {
    const disk = attached.get(d.device);
    if (!disk) continue; // removed behind our back: refresh shows it gone
    disks.push({
      device: d.device,
      size: fromInt64(disk.vdiRecord.virtual_size),
      // A disk's own SR is tracked when declared; otherwise it is wherever the VM's default put it.
      sr: d.sr ? await keepSpelling(d.sr, disk.vdiRecord.SR, (w) => resolveObject(session, "SR", "sr", w), uuidOf(session, "SR")) : "",
      name: d.name ? disk.vdiRecord.name_label : "",
      bootable: disk.vbdRecord.bootable,
    });
  }
  const networkInterfaces = [];
  for (const [device, vif] of await interfacesOf(session, record.VIFs)) {
    const spec = (declared.networkInterfaces ?? []).find((v) => v.device === device);
    const network = await keepSpelling(spec?.network ?? "", vif.record.network, (w) => resolveObject(session, "network", "network", w), uuidOf(session, "network"));
    networkInterfaces.push({ device, network, mac: spec?.mac ? vif.record.MAC.toLowerCase() : "" });
  }
  networkInterfaces.sort((a, b) => Number(a.device) - Number(b.device));
  const cd = await cdDriveOf(session, record.VBDs);
  const cdrom = cd && !cd.record.empty
    ? await keepSpelling(declared.cdrom, cd.record.VDI, (w) => resolveObject(session, "VDI", "cdrom", w), uuidOf(session, "VDI"))
    : "";
  const affinity = isNullRef(record.affinity)
    ? ""
    : await keepSpelling(declared.affinity, record.affinity, (w) => resolveHost(session, "affinity", w), uuidOf(session, "host"));
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
export const contract = { check, diff, create, read, update, remove, updatable: UPDATABLE, replacing: REPLACING, defaults: VM_DEFAULTS, stableOutputs: ["uuid"] } satisfies ResourceContract<VmInputs, VmOutputs>;
