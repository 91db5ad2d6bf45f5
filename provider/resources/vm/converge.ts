import { applyMapDelta, applySetDelta, fromInt64, int64, mapDelta, Ref, setDelta, setFieldEntry, StringMap, VmRecord, XenApiSession } from "../../xenapi";
import { recordOf, resolveHost, resolveObject } from "../lookup";
import { addDisk, addInterface, disksOf, growDisk, interfacesOf, removeDisk, removeInterface, setCdrom, srForDisk } from "./devices";
import { MemoryLimits, VmInputs } from "./inputs";
import { halt, powerStateOf, setPowerState, waitForIp } from "./power";
import { haltOnlyChanges, HaltOnlySettings, haltRefusal, mayHalt } from "./halt-rule";
import { progressReporter } from "../progress";

/**
 * Brings an existing VM to the declared state, step by step and idempotently: used by create (a fresh clone, or a
 * VM found again after a crashed create), and by update. `previous` is what the program declared last time (so
 * keys and disks it stopped declaring are removed), or undefined on create. `known` is the VM's record when the
 * caller has it as it is now (read after its own last write to the VM); else it is read from the pool view.
 */
export async function converge(session: XenApiSession, vm: Ref, desired: VmInputs, previous: VmInputs | undefined, known?: VmRecord): Promise<void> {
  let record = known ?? (await vmRecord(session, vm));

  const haltOnly = haltOnlyChanges(currentSettings(record), desired);
  if (haltOnly.length > 0 && record.power_state !== "Halted") {
    // check() refused this against the last state; the VM itself can still differ from it (changed behind our back).
    if (!mayHalt(previous, desired)) throw new Error(haltOnly.map(haltRefusal).join("; "));
    await halt(session, vm);
    record = await vmRecord(session, vm);
  }
  const isRunning = async () => (await powerStateOf(session, vm)) !== "Halted";

  if (record.name_description !== desired.description) await session.call("VM.set_name_description", vm, desired.description);
  await applyMap(session, vm, "other_config", record.other_config, previous?.otherConfig, desired.otherConfig);
  await applyMap(session, vm, "xenstore_data", record.xenstore_data, previous?.xenstoreData, desired.xenstoreData);
  // On create the template's tags stay; once managed, the VM has exactly the declared tags.
  const tags = setDelta(record.tags, desired.tags);
  await applySetDelta(session, "VM", vm, "tags", previous ? tags : { add: tags.add, remove: [] });
  await applyAffinity(session, vm, record.affinity, desired.affinity);
  await applyBoot(session, vm, record, desired);
  if (desired.memory) await applyMemory(session, vm, record, desired.memory);
  if (desired.vcpus) await applyVcpus(session, vm, record, desired.vcpus);
  await applyDisks(session, vm, record, desired, previous, mayHalt(previous, desired) ? () => halt(session, vm) : undefined);
  await applyInterfaces(session, vm, record, desired, await isRunning());
  // The CD drive is only looked at when the program manages it (declares an ISO now, or did before).
  if (desired.cdrom || previous?.cdrom) {
    const iso = desired.cdrom ? (await resolveObject(session, "VDI", "cdrom", desired.cdrom)).ref : undefined;
    await setCdrom(session, vm, (await vmRecord(session, vm)).VBDs, iso, desired.ownerKey);
  }
  await setPowerState(session, vm, desired.powerState, progressReporter(`${desired.name}: power ${desired.powerState}`));
  if (desired.waitForIp) await waitForIp(session, vm, desired.ipTimeoutSeconds);
  // Last: until here a VM being created keeps its "creating" name, by which a retried create finds it.
  if (record.name_label !== desired.name) await session.call("VM.set_name_label", vm, desired.name);
}

/** The VM's record from the pool view (caught up after this process's writes). */
function vmRecord(session: XenApiSession, vm: Ref): Promise<VmRecord> {
  return recordOf<VmRecord>(session, "VM", vm);
}

/** The VM's halt-only settings as xapi has them (./halt-rule.ts). */
function currentSettings(record: VmRecord): HaltOnlySettings {
  return { staticMin: fromInt64(record.memory_static_min), staticMax: fromInt64(record.memory_static_max), vcpusMax: fromInt64(record.VCPUs_max) };
}

/** Sets the keys the program declares; removes only keys it declared before and dropped. */
async function applyMap(session: XenApiSession, vm: Ref, field: string, actual: StringMap, previous: StringMap | undefined, desired: StringMap) {
  await applyMapDelta(session, "VM", vm, field, mapDelta(actual, desired, Object.keys(previous ?? {})), actual);
}

async function applyAffinity(session: XenApiSession, vm: Ref, actual: Ref, desired: string) {
  const wanted = desired ? (await resolveHost(session, "affinity", desired)).ref : "OpaqueRef:NULL";
  if (wanted !== actual) await session.call("VM.set_affinity", vm, wanted);
}

async function applyBoot(session: XenApiSession, vm: Ref, record: VmRecord, desired: VmInputs) {
  const hvm = desired.bootMode === "hvm" || (desired.bootMode === "" && record.HVM_boot_policy !== "");
  if (desired.bootMode === "pv" && record.HVM_boot_policy !== "") await session.call("VM.set_HVM_boot_policy", vm, "");
  if (desired.bootMode === "hvm" && record.HVM_boot_policy === "") await session.call("VM.set_HVM_boot_policy", vm, "BIOS order");
  if (!hvm) {
    if (desired.pvBootloader && record.PV_bootloader !== desired.pvBootloader) await session.call("VM.set_PV_bootloader", vm, desired.pvBootloader);
    if (desired.pvArgs !== record.PV_args && (desired.pvArgs || desired.bootMode === "pv")) await session.call("VM.set_PV_args", vm, desired.pvArgs);
    return;
  }
  const params = record.HVM_boot_params ?? {};
  for (const [key, value] of [["order", desired.hvmBootOrder], ["firmware", desired.firmware]] as const) {
    if (value) await setFieldEntry(session, "VM", vm, "HVM_boot_params", key, value, params);
  }
}

async function applyMemory(session: XenApiSession, vm: Ref, record: VmRecord, m: MemoryLimits) {
  const staticMin = m.staticMin ?? Math.min(fromInt64(record.memory_static_min), m.dynamicMin);
  const current = [record.memory_static_min, record.memory_static_max, record.memory_dynamic_min, record.memory_dynamic_max].map(fromInt64);
  const wanted = [staticMin, m.staticMax, m.dynamicMin, m.dynamicMax];
  if (current.every((v, i) => v === wanted[i])) return;
  if (record.power_state === "Halted") {
    await session.call("VM.set_memory_limits", vm, ...wanted.map(int64));
  } else {
    await session.call("VM.set_memory_dynamic_range", vm, int64(m.dynamicMin), int64(m.dynamicMax));
  }
}

async function applyVcpus(session: XenApiSession, vm: Ref, record: VmRecord, v: { max: number; atStartup: number }) {
  const max = fromInt64(record.VCPUs_max);
  const atStartup = fromInt64(record.VCPUs_at_startup);
  if (record.power_state !== "Halted") {
    if (atStartup !== v.atStartup) {
      await session.call("VM.set_VCPUs_number_live", vm, int64(v.atStartup)); // hot-plug, up to VCPUs_max
      await session.call("VM.set_VCPUs_at_startup", vm, int64(v.atStartup));
    }
    return;
  }
  // XenAPI keeps at_startup <= max at every step: raise max first, or lower at_startup first.
  if (v.max > max) await session.call("VM.set_VCPUs_max", vm, int64(v.max));
  if (v.atStartup !== atStartup) await session.call("VM.set_VCPUs_at_startup", vm, int64(v.atStartup));
  if (v.max < max) await session.call("VM.set_VCPUs_max", vm, int64(v.max));
}

async function applyDisks(
  session: XenApiSession,
  vm: Ref,
  record: VmRecord,
  desired: VmInputs,
  previous: VmInputs | undefined,
  haltFirst: (() => Promise<void>) | undefined,
) {
  let attached = await disksOf(session, record.VBDs);
  // Growth first: it may halt the VM, and new disks must then not be hot-plugged.
  for (const disk of desired.disks) {
    const existing = attached.get(disk.device);
    if (!existing) continue;
    await growDisk(session, existing, disk.size, haltFirst);
    if (disk.name && existing.vdiRecord.name_label !== disk.name) await session.call("VDI.set_name_label", existing.vdi, disk.name);
    if (existing.vbdRecord.bootable !== disk.bootable) await session.call("VBD.set_bootable", existing.vbd, disk.bootable);
  }
  // Only disks the program declared before and no longer does. The template's own disks are never detached (a
  // template disk the program stops declaring is only no longer managed); check() refused any other removal unless
  // the program set allowDiskRemoval (./disk-plan.ts), and so does this, should a state get here without it.
  const kept = new Set(desired.disks.map((d) => d.device));
  const template = new Set(desired.templateDisks ?? []);
  const dropped = previous?.disks.filter((d) => !kept.has(d.device) && !template.has(d.device)) ?? [];
  if (dropped.length > 0 && !desired.allowDiskRemoval) {
    throw new Error(`disks: disk ${dropped.map((d) => d.device).join(", ")} is no longer declared; set allowDiskRemoval: true to detach (and destroy what this VM made)`);
  }
  if (dropped.length > 0) attached = await disksOf(session, (await vmRecord(session, vm)).VBDs);
  for (const gone of dropped) {
    const disk = attached.get(gone.device);
    if (disk) await removeDisk(session, disk, desired.ownerKey);
  }
  const added = desired.disks.filter((d) => !attached.has(d.device));
  const running = added.length > 0 && (await powerStateOf(session, vm)) !== "Halted";
  for (const disk of added) {
    await addDisk(session, vm, desired.name, disk, await srForDisk(session, disk, desired.sr), desired.ownerKey, running);
  }
}

async function applyInterfaces(session: XenApiSession, vm: Ref, record: VmRecord, desired: VmInputs, running: boolean) {
  const current = await interfacesOf(session, record.VIFs);
  const wanted = new Set(desired.networkInterfaces.map((v) => v.device));
  for (const [device, vif] of current) if (!wanted.has(device)) await removeInterface(session, vif);
  for (const spec of desired.networkInterfaces) {
    const network = (await resolveObject(session, "network", `networkInterfaces[${spec.device}].network`, spec.network)).ref;
    const existing = current.get(spec.device);
    if (existing && existing.record.network === network && (!spec.mac || existing.record.MAC.toLowerCase() === spec.mac)) continue;
    if (existing) await removeInterface(session, existing);
    await addInterface(session, vm, spec, network, desired.ownerKey, running);
  }
}

