/**
 * VM.*: lifecycle with xapi's power-state rules (VM_BAD_POWER_STATE [vm, expected, actual] in lower case),
 * templates (cannot start; clone/copy/provision), memory limits and their ordering constraint, VCPUs, boot mode.
 */
import { on } from "../registry";
import { fail, XapiError } from "../errors";
import type { Ctx } from "../state";
import { createVM, destroyVM, createVBD, createVIF, randomMac, refreshSR } from "../objects";
import { newVDI } from "./vdi";
import { allowedVBDDevices, deviceName, lower } from "./vbd";
import { allowedVIFDevices } from "./vif";
import { hostFreeMemory } from "./host";
import { xapiDate } from "../wire/values";

type Rec = Record<string, unknown>;
const ps = (ctx: Ctx, vm: string) => String(ctx.st.db.field("VM", vm, "power_state"));

function expectState(ctx: Ctx, vm: string, ...states: string[]): void {
  const cur = ps(ctx, vm);
  if (!states.includes(cur)) fail("VM_BAD_POWER_STATE", vm, lower(states[0]), lower(cur));
}
function notTemplate(ctx: Ctx, vm: string): void {
  if (ctx.st.db.field("VM", vm, "is_a_template") === true) fail("VM_IS_TEMPLATE", vm);
}
function notDom0(ctx: Ctx, vm: string, what: string): void {
  if (ctx.st.db.field("VM", vm, "is_control_domain") === true) fail("OPERATION_NOT_ALLOWED", `${what} is not allowed on a control domain`);
}

/** xapi's allowed_operations for a VM by power state (advisory, but clients read it). */
const OPS: Record<string, string[]> = {
  Halted: ["changing_dynamic_range", "changing_static_range", "changing_memory_limits", "changing_VCPUs", "changing_shadow_memory", "make_into_template",
    "provision", "start", "start_on", "clone", "copy", "snapshot", "export", "destroy", "hard_shutdown", "metadata_export"],
  Running: ["changing_dynamic_range", "changing_VCPUs_live", "clean_shutdown", "clean_reboot", "hard_shutdown", "hard_reboot", "pause", "suspend",
    "snapshot", "checkpoint", "pool_migrate", "migrate_send", "metadata_export"],
  Paused: ["unpause", "hard_shutdown", "hard_reboot", "changing_dynamic_range", "metadata_export"],
  Suspended: ["resume", "resume_on", "hard_shutdown", "clone", "copy", "snapshot", "export", "destroy", "metadata_export"],
};
const TEMPLATE_OPS = ["changing_dynamic_range", "changing_static_range", "changing_memory_limits", "changing_VCPUs", "changing_shadow_memory",
  "provision", "clone", "copy", "export", "destroy", "metadata_export"];
function updateOps(ctx: Ctx, vm: string): void {
  const db = ctx.st.db;
  if (db.field("VM", vm, "is_control_domain") === true) return;
  db.set("VM", vm, "allowed_operations", db.field("VM", vm, "is_a_template") === true ? TEMPLATE_OPS : OPS[ps(ctx, vm)] ?? []);
}

// ---- memory -----------------------------------------------------------------------------------------
interface Mem { static_min: bigint; dynamic_min: bigint; dynamic_max: bigint; static_max: bigint }
function mem(ctx: Ctx, vm: string): Mem {
  const f = (n: string) => BigInt(ctx.st.db.field("VM", vm, n) as string);
  return { static_min: f("memory_static_min"), dynamic_min: f("memory_dynamic_min"), dynamic_max: f("memory_dynamic_max"), static_max: f("memory_static_max") };
}
function assertOrder(m: Mem): void {
  if (!(m.static_min <= m.dynamic_min && m.dynamic_min <= m.dynamic_max && m.dynamic_max <= m.static_max)) fail("MEMORY_CONSTRAINT_VIOLATION_ORDER");
}
function writeMem(ctx: Ctx, vm: string, m: Mem): void {
  assertOrder(m);
  ctx.st.db.update("VM", vm, { memory_static_min: m.static_min.toString(), memory_dynamic_min: m.dynamic_min.toString(),
    memory_dynamic_max: m.dynamic_max.toString(), memory_static_max: m.static_max.toString() });
  if (ps(ctx, vm) === "Running") ctx.st.db.set("VM", vm, "memory_target", m.dynamic_max.toString());
}
/** Static limits (and the whole set) only change while halted. */
const staticChange = (fn: (m: Mem, ...a: bigint[]) => Mem) => (ctx: Ctx, vm: string, ...vals: string[]) => {
  notDom0(ctx, vm, "changing static memory");
  expectState(ctx, vm, "Halted");
  writeMem(ctx, vm, fn(mem(ctx, vm), ...vals.map((v) => BigInt(v))));
};
const dynamicChange = (fn: (m: Mem, ...a: bigint[]) => Mem) => (ctx: Ctx, vm: string, ...vals: string[]) => {
  expectState(ctx, vm, "Halted", "Running");
  writeMem(ctx, vm, fn(mem(ctx, vm), ...vals.map((v) => BigInt(v))));
};
on("VM.set_memory_limits", staticChange((_m, smin, smax, dmin, dmax) => ({ static_min: smin, static_max: smax, dynamic_min: dmin, dynamic_max: dmax })));
on("VM.set_memory_static_range", staticChange((m, min, max) => ({ ...m, static_min: min, static_max: max })));
on("VM.set_memory_static_min", staticChange((m, v) => ({ ...m, static_min: v })));
on("VM.set_memory_static_max", staticChange((m, v) => ({ ...m, static_max: v })));
on("VM.set_memory", staticChange((m, v) => ({ ...m, dynamic_min: v, dynamic_max: v, static_max: v })));
on("VM.set_memory_dynamic_range", dynamicChange((m, min, max) => ({ ...m, dynamic_min: min, dynamic_max: max })));
on("VM.set_memory_dynamic_min", dynamicChange((m, v) => ({ ...m, dynamic_min: v })));
on("VM.set_memory_dynamic_max", dynamicChange((m, v) => ({ ...m, dynamic_max: v })));
on("VM.set_memory_target_live", (ctx: Ctx, vm: string, target: string) => { expectState(ctx, vm, "Running"); ctx.st.db.set("VM", vm, "memory_target", target); });

// ---- VCPUs ------------------------------------------------------------------------------------------
const VCPU_RULE = "VCPU values must satisfy: 0 < VCPUs_at_startup ≤ VCPUs_max";
on("VM.set_VCPUs_max", (ctx: Ctx, vm: string, value: string) => {
  expectState(ctx, vm, "Halted");
  const v = BigInt(value);
  if (v < 1n || v < BigInt(ctx.st.db.field("VM", vm, "VCPUs_at_startup") as string)) fail("INVALID_VALUE", VCPU_RULE, value);
  ctx.st.db.set("VM", vm, "VCPUs_max", value);
});
on("VM.set_VCPUs_at_startup", (ctx: Ctx, vm: string, value: string) => {
  notDom0(ctx, vm, "set_VCPUs_at_startup");
  const v = BigInt(value);
  if (v < 1n || v > BigInt(ctx.st.db.field("VM", vm, "VCPUs_max") as string)) fail("INVALID_VALUE", VCPU_RULE, value);
  ctx.st.db.set("VM", vm, "VCPUs_at_startup", value);
});
on("VM.set_VCPUs_number_live", (ctx: Ctx, vm: string, n: string) => {
  expectState(ctx, vm, "Running");
  if (ctx.st.db.field("VM", vm, "domain_type") === "hvm") fail("OPERATION_NOT_ALLOWED", "HVM VMs cannot hotplug cpus");
  const v = BigInt(n);
  if (v < 1n || v > BigInt(ctx.st.db.field("VM", vm, "VCPUs_max") as string)) fail("INVALID_VALUE", "nvcpu", n);
  ctx.st.db.set("VM_metrics", ctx.st.db.field("VM", vm, "metrics") as string, "VCPUs_number", n);
});

// ---- boot mode --------------------------------------------------------------------------------------
on("VM.set_HVM_boot_policy", (ctx: Ctx, vm: string, value: string) => {
  // xapi derives the domain type from the boot policy: "" means PV
  ctx.st.db.update("VM", vm, { HVM_boot_policy: value, domain_type: value === "" ? "pv" : "hvm" });
});
on("VM.set_domain_type", (ctx: Ctx, vm: string, value: string) => {
  const policy = value === "hvm" ? (ctx.st.db.field("VM", vm, "HVM_boot_policy") || "BIOS order") : "";
  ctx.st.db.update("VM", vm, { domain_type: value, HVM_boot_policy: policy });
});
on("VM.set_is_a_template", (ctx: Ctx, vm: string, value: boolean) => {
  if (value) { notDom0(ctx, vm, "make_into_template"); expectState(ctx, vm, "Halted"); }
  ctx.st.db.set("VM", vm, "is_a_template", value);
  if (!value) ctx.st.db.set("VM", vm, "is_default_template", false);
  updateOps(ctx, vm);
});
on("VM.set_actions_after_crash", (ctx: Ctx, vm: string, v: string) => ctx.st.db.set("VM", vm, "actions_after_crash", v));
on("VM.get_allowed_VBD_devices", (ctx: Ctx, vm: string) => allowedVBDDevices(ctx, vm));
on("VM.get_allowed_VIF_devices", (ctx: Ctx, vm: string) => allowedVIFDevices(ctx, vm));
on("VM.get_boot_record", (ctx: Ctx, vm: string) => ctx.st.db.get("VM", vm));
on("VM.get_possible_hosts", (ctx: Ctx, vm: string) => ctx.st.db.refs("host").filter((h) => !hostProblem(ctx, vm, h)));
on("VM.assert_can_boot_here", (ctx: Ctx, vm: string, host: string) => { const p = hostProblem(ctx, vm, host); if (p) throw p; });
on("VM.compute_memory_overhead", (ctx: Ctx, vm: string) => ctx.st.db.field("VM", vm, "memory_overhead"));
on("VM.update_allowed_operations", (ctx: Ctx, vm: string) => updateOps(ctx, vm));

// ---- create / destroy -------------------------------------------------------------------------------
on("VM.create", (ctx: Ctx, rec: Rec) => {
  const fields = { ...rec };
  for (const k of ["VBDs", "VIFs", "consoles", "snapshots", "children", "uuid", "metrics", "guest_metrics", "crash_dumps", "VTPMs", "VUSBs", "VGPUs"]) delete fields[k];
  const m: Mem = { static_min: BigInt(String(rec.memory_static_min ?? 0)), dynamic_min: BigInt(String(rec.memory_dynamic_min ?? 0)),
    dynamic_max: BigInt(String(rec.memory_dynamic_max ?? 0)), static_max: BigInt(String(rec.memory_static_max ?? 0)) };
  assertOrder(m);
  const max = BigInt(String(rec.VCPUs_max ?? 1)), start = BigInt(String(rec.VCPUs_at_startup ?? 1));
  if (max < 1n) fail("INVALID_VALUE", "VCPUs_max", max.toString());
  if (start < 1n) fail("INVALID_VALUE", "VCPUs-at-startup", start.toString());
  if (start > max) fail("VALUE_NOT_SUPPORTED", "VCPUs-at-startup", start.toString(), "value greater than VCPUs-max");
  const policy = String(rec.HVM_boot_policy ?? "");
  const vm = createVM(ctx.st, { domain_type: policy === "" ? "pv" : "hvm", ...fields, power_state: "Halted", resident_on: "OpaqueRef:NULL" });
  updateOps(ctx, vm);
  return vm;
});

on("VM.destroy", (ctx: Ctx, vm: string) => {
  const db = ctx.st.db;
  notDom0(ctx, vm, "destroy");
  if (db.field("VM", vm, "is_default_template") === true) fail("VM_CANNOT_DELETE_DEFAULT_TEMPLATE", vm);
  expectState(ctx, vm, "Halted", "Suspended");
  const suspendVDI = db.field("VM", vm, "suspend_VDI") as string;
  destroyVM(ctx.st, vm);
  if (db.exists("VDI", suspendVDI)) db.destroy("VDI", suspendVDI);
});

// ---- clone / copy / snapshot / provision ------------------------------------------------------------
const NOT_COPIED = ["uuid", "VBDs", "VIFs", "consoles", "snapshots", "children", "metrics", "guest_metrics", "crash_dumps", "VTPMs", "VUSBs",
  "VGPUs", "resident_on", "scheduled_to_be_resident_on", "domid", "current_operations", "is_default_template", "snapshot_of", "is_a_snapshot", "parent"];

function duplicateVM(ctx: Ctx, vm: string, name: string, diskSR: string | undefined, extra: Rec = {}): string {
  const db = ctx.st.db;
  const src = db.get("VM", vm);
  const fields: Rec = {};
  for (const [k, v] of Object.entries(src)) if (!NOT_COPIED.includes(k)) fields[k] = v;
  const oc = { ...(src.other_config as Record<string, string>) };
  delete oc.default_template; delete oc.mac_seed;
  // A VM made from a template remembers it (xe vm-install / vm-clone show other-config:base_template_name).
  if (src.is_a_template === true && src.is_a_snapshot !== true && !extra.is_a_snapshot && oc.base_template_name === undefined) {
    oc.base_template_name = String(src.name_label);
  }
  const copy = createVM(ctx.st, { ...fields, name_label: name, other_config: oc, is_default_template: false, domid: "-1", ...extra });
  for (const vbd of src.VBDs as string[]) {
    const r = db.get("VBD", vbd);
    let vdi = r.VDI as string;
    if (r.type === "Disk" && db.exists("VDI", vdi)) {
      const v = db.get("VDI", vdi);
      vdi = newVDI(ctx, { name_label: v.name_label, name_description: v.name_description, SR: diskSR ?? v.SR, virtual_size: v.virtual_size,
        type: v.type, sharable: v.sharable, read_only: v.read_only, other_config: v.other_config, xenstore_data: v.xenstore_data, tags: v.tags,
        ...(extra.is_a_snapshot ? { is_a_snapshot: true, snapshot_of: vdi, snapshot_time: xapiDate() } : {}) });
    }
    createVBD(ctx.st, { VM: copy, VDI: vdi, userdevice: r.userdevice, bootable: r.bootable, mode: r.mode, type: r.type, unpluggable: r.unpluggable,
      empty: r.empty, other_config: r.other_config, qos_algorithm_type: r.qos_algorithm_type, qos_algorithm_params: r.qos_algorithm_params,
      currently_attached: false, allowed_operations: r.allowed_operations });
  }
  for (const vif of src.VIFs as string[]) {
    const r = db.get("VIF", vif);
    // snapshots keep the MACs; clones and copies get fresh ones unless the MAC was set by hand
    const mac = extra.is_a_snapshot || r.MAC_autogenerated !== true ? r.MAC : randomMac();
    createVIF(ctx.st, { VM: copy, device: r.device, network: r.network, MAC: mac, MAC_autogenerated: r.MAC_autogenerated, MTU: r.MTU,
      other_config: r.other_config, qos_algorithm_type: r.qos_algorithm_type, qos_algorithm_params: r.qos_algorithm_params,
      locking_mode: r.locking_mode, ipv4_allowed: r.ipv4_allowed, ipv6_allowed: r.ipv6_allowed, currently_attached: false, allowed_operations: ["attach"] });
  }
  updateOps(ctx, copy);
  return copy;
}

on("VM.clone", (ctx: Ctx, vm: string, name: string) => {
  notDom0(ctx, vm, "clone");
  expectState(ctx, vm, "Halted", "Suspended");
  return duplicateVM(ctx, vm, name, undefined);
});
on("VM.copy", (ctx: Ctx, vm: string, name: string, sr: string) => {
  notDom0(ctx, vm, "copy");
  expectState(ctx, vm, "Halted", "Suspended");
  return duplicateVM(ctx, vm, name, sr === "OpaqueRef:NULL" ? undefined : sr);
});
on("VM.snapshot", (ctx: Ctx, vm: string, name: string) => {
  notDom0(ctx, vm, "snapshot");
  notTemplate(ctx, vm);
  return duplicateVM(ctx, vm, name, undefined, { is_a_snapshot: true, snapshot_of: vm, snapshot_time: xapiDate(), is_a_template: true, power_state: "Halted" });
});

/** Instantiates the disks a template describes in other_config "disks" (<provision><disk .../></provision>). */
on("VM.provision", (ctx: Ctx, vm: string) => {
  const db = ctx.st.db;
  if (db.field("VM", vm, "is_a_template") !== true) fail("PROVISION_ONLY_ALLOWED_ON_TEMPLATE", vm);
  const oc = { ...(db.field("VM", vm, "other_config") as Record<string, string>) };
  const xml = oc.disks ?? "";
  for (const m of xml.matchAll(/<disk\s+([^>]*?)\/?>/g)) {
    const attrs = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1], a[2]]));
    let sr = attrs.sr ? db.byUuid("SR", attrs.sr)?.ref : (db.field("pool", ctx.st.poolRef, "default_SR") as string);
    if (!sr || !db.exists("SR", sr)) fail(attrs.sr ? "UUID_INVALID" : "DEFAULT_SR_NOT_FOUND", ...(attrs.sr ? ["SR", attrs.sr] : [sr ?? "OpaqueRef:NULL"]));
    const vdi = newVDI(ctx, { name_label: "", name_description: "Created by template provisioner", SR: sr, virtual_size: attrs.size ?? "0",
      type: attrs.type === "system" || !attrs.type ? "system" : attrs.type, sharable: false, read_only: false, other_config: {}, xenstore_data: {}, sm_config: {}, tags: [] });
    createVBD(ctx.st, { VM: vm, VDI: vdi, userdevice: attrs.device ?? "0", bootable: attrs.bootable === "true", mode: "RW", type: "Disk",
      unpluggable: false, empty: false, other_config: { owner: "true" }, currently_attached: false, allowed_operations: ["attach"] });
    refreshSR(ctx.st, sr);
  }
  delete oc.disks;
  db.set("VM", vm, "other_config", oc);
});

// ---- power cycle ------------------------------------------------------------------------------------
/** Why `vm` cannot run on `host`, as the error xapi would raise, or undefined. */
function hostProblem(ctx: Ctx, vm: string, host: string): XapiError | undefined {
  const db = ctx.st.db;
  if (db.field("host", host, "enabled") !== true) return new XapiError("HOST_DISABLED", [host]);
  for (const vbd of db.field("VM", vm, "VBDs") as string[]) {
    const vdi = db.field("VBD", vbd, "VDI") as string;
    if (db.field("VBD", vbd, "empty") === true || !db.exists("VDI", vdi)) continue;
    const sr = db.field("VDI", vdi, "SR") as string;
    const ok = (db.field("SR", sr, "PBDs") as string[]).some((p) => db.field("PBD", p, "host") === host && db.field("PBD", p, "currently_attached") === true);
    if (!ok) return new XapiError("VM_REQUIRES_SR", [vm, sr]);
  }
  for (const vif of db.field("VM", vm, "VIFs") as string[]) {
    const net = db.field("VIF", vif, "network") as string;
    if (!db.exists("network", net)) continue;
    const pifs = db.field("network", net, "PIFs") as string[];
    if (pifs.length && !pifs.some((p) => db.field("PIF", p, "host") === host)) return new XapiError("VM_REQUIRES_NETWORK", [vm, net]);
  }
  const need = BigInt(db.field("VM", vm, "memory_static_max") as string) + BigInt(db.field("VM", vm, "memory_overhead") as string);
  const free = hostFreeMemory(ctx, host);
  if (need > free) return new XapiError("HOST_NOT_ENOUGH_FREE_MEMORY", [need.toString(), free.toString()]);
  return undefined;
}

function chooseHost(ctx: Ctx, vm: string, wanted?: string): string {
  const db = ctx.st.db;
  if (wanted) { const p = hostProblem(ctx, vm, wanted); if (p) throw p; return wanted; }
  const affinity = db.field("VM", vm, "affinity") as string;
  const master = db.field("pool", ctx.st.poolRef, "master") as string;
  const order = [...new Set([...(db.exists("host", affinity) ? [affinity] : []), master, ...db.refs("host")])];
  let first: XapiError | undefined;
  for (const h of order) { const p = hostProblem(ctx, vm, h); if (!p) return h; first ??= p; }
  throw first ?? new XapiError("NO_HOSTS_AVAILABLE");
}

function boot(ctx: Ctx, vm: string, host: string, paused: boolean): void {
  const db = ctx.st.db;
  const domid = String(++ctx.st.domidCounter);
  db.update("VM", vm, { power_state: paused ? "Paused" : "Running", resident_on: host, domid, scheduled_to_be_resident_on: "OpaqueRef:NULL",
    memory_target: db.field("VM", vm, "memory_dynamic_max"), domarch: "x64" });
  for (const vbd of db.field("VM", vm, "VBDs") as string[]) {
    db.update("VBD", vbd, { currently_attached: true, device: deviceName(String(db.field("VBD", vbd, "userdevice"))) });
  }
  const vifs = db.field("VM", vm, "VIFs") as string[];
  for (const vif of vifs) db.set("VIF", vif, "currently_attached", true);
  db.update("VM_metrics", db.field("VM", vm, "metrics") as string, { start_time: xapiDate(), VCPUs_number: db.field("VM", vm, "VCPUs_at_startup"),
    memory_actual: db.field("VM", vm, "memory_dynamic_max"), current_domain_type: db.field("VM", vm, "domain_type"), last_updated: xapiDate() });
  // The simulated guest runs its agent: guest metrics report an address per VIF.
  const gm = db.field("VM", vm, "guest_metrics") as string;
  const networks: Record<string, string> = {};
  for (const vif of vifs) networks[`${db.field("VIF", vif, "device")}/ip`] = `10.${Number(domid) % 250}.${Number(db.field("VIF", vif, "device"))}.${10 + (Number(domid) % 200)}`;
  const gmFields = { os_version: { name: "Linux", distro: "debian", uname: "6.1.0" }, PV_drivers_version: { major: "8", minor: "3", micro: "0" },
    PV_drivers_up_to_date: true, networks, live: true, last_updated: xapiDate(), PV_drivers_detected: true };
  if (db.exists("VM_guest_metrics", gm)) db.update("VM_guest_metrics", gm, gmFields);
  else db.set("VM", vm, "guest_metrics", db.create("VM_guest_metrics", gmFields));
  updateOps(ctx, vm);
}

function halt(ctx: Ctx, vm: string): void {
  const db = ctx.st.db;
  db.update("VM", vm, { power_state: "Halted", resident_on: "OpaqueRef:NULL", domid: "-1", memory_target: "0" });
  for (const vbd of db.field("VM", vm, "VBDs") as string[]) db.update("VBD", vbd, { currently_attached: false, device: "" });
  for (const vif of db.field("VM", vm, "VIFs") as string[]) db.set("VIF", vif, "currently_attached", false);
  const gm = db.field("VM", vm, "guest_metrics") as string;
  if (db.exists("VM_guest_metrics", gm)) db.set("VM_guest_metrics", gm, "live", false);
  updateOps(ctx, vm);
}

function assertStartable(ctx: Ctx, vm: string): void {
  notTemplate(ctx, vm);
  notDom0(ctx, vm, "start");
  expectState(ctx, vm, "Halted");
  assertOrder(mem(ctx, vm));
  if (BigInt(ctx.st.db.field("VM", vm, "VCPUs_at_startup") as string) < 1n) fail("VM_NO_VCPUS", vm);
}
on("VM.start", (ctx: Ctx, vm: string, paused: boolean) => { assertStartable(ctx, vm); boot(ctx, vm, chooseHost(ctx, vm), paused); });
on("VM.start_on", (ctx: Ctx, vm: string, host: string, paused: boolean) => { assertStartable(ctx, vm); boot(ctx, vm, chooseHost(ctx, vm, host), paused); });

on("VM.clean_shutdown", (ctx: Ctx, vm: string) => { notDom0(ctx, vm, "clean_shutdown"); expectState(ctx, vm, "Running"); halt(ctx, vm); });
on("VM.shutdown", (ctx: Ctx, vm: string) => { notDom0(ctx, vm, "shutdown"); expectState(ctx, vm, "Running", "Paused", "Suspended"); dropSuspend(ctx, vm); halt(ctx, vm); });
on("VM.hard_shutdown", (ctx: Ctx, vm: string) => {
  notDom0(ctx, vm, "hard_shutdown");
  expectState(ctx, vm, "Running", "Paused", "Suspended");
  dropSuspend(ctx, vm);
  halt(ctx, vm);
});
const reboot = (ctx: Ctx, vm: string) => {
  notDom0(ctx, vm, "reboot");
  expectState(ctx, vm, "Running");
  ctx.st.db.set("VM", vm, "domid", String(++ctx.st.domidCounter));
  ctx.st.db.set("VM_metrics", ctx.st.db.field("VM", vm, "metrics") as string, "start_time", xapiDate());
};
on("VM.clean_reboot", reboot);
on("VM.hard_reboot", (ctx: Ctx, vm: string) => { expectState(ctx, vm, "Running", "Paused"); ctx.st.db.set("VM", vm, "power_state", "Running"); reboot(ctx, vm); updateOps(ctx, vm); });
on("VM.pause", (ctx: Ctx, vm: string) => { expectState(ctx, vm, "Running"); ctx.st.db.set("VM", vm, "power_state", "Paused"); updateOps(ctx, vm); });
on("VM.unpause", (ctx: Ctx, vm: string) => { expectState(ctx, vm, "Paused"); ctx.st.db.set("VM", vm, "power_state", "Running"); updateOps(ctx, vm); });
on("VM.power_state_reset", (ctx: Ctx, vm: string) => { notDom0(ctx, vm, "power_state_reset"); dropSuspend(ctx, vm); halt(ctx, vm); });

function dropSuspend(ctx: Ctx, vm: string): void {
  const db = ctx.st.db;
  const vdi = db.field("VM", vm, "suspend_VDI") as string;
  if (db.exists("VDI", vdi)) { const sr = db.field("VDI", vdi, "SR") as string; db.destroy("VDI", vdi); refreshSR(ctx.st, sr); }
  db.set("VM", vm, "suspend_VDI", "OpaqueRef:NULL");
}

on("VM.suspend", (ctx: Ctx, vm: string) => {
  const db = ctx.st.db;
  notDom0(ctx, vm, "suspend");
  expectState(ctx, vm, "Running");
  let sr = db.field("VM", vm, "suspend_SR") as string;
  if (!db.exists("SR", sr)) sr = db.field("pool", ctx.st.poolRef, "suspend_image_SR") as string;
  if (!db.exists("SR", sr)) fail("VM_NO_SUSPEND_SR", vm);
  const vdi = newVDI(ctx, { name_label: "Suspend image", name_description: "Suspend image", SR: sr, virtual_size: db.field("VM", vm, "memory_static_max"),
    type: "suspend", sharable: false, read_only: false, other_config: {}, xenstore_data: {}, sm_config: {}, tags: [] });
  halt(ctx, vm);
  db.update("VM", vm, { power_state: "Suspended", suspend_VDI: vdi, last_booted_record: "" });
  updateOps(ctx, vm);
});
const resume = (ctx: Ctx, vm: string, host: string | undefined, paused: boolean) => {
  expectState(ctx, vm, "Suspended");
  const h = chooseHost(ctx, vm, host);
  dropSuspend(ctx, vm);
  ctx.st.db.set("VM", vm, "power_state", "Halted");
  boot(ctx, vm, h, paused);
};
on("VM.resume", (ctx: Ctx, vm: string, paused: boolean) => resume(ctx, vm, undefined, paused));
on("VM.resume_on", (ctx: Ctx, vm: string, host: string, paused: boolean) => resume(ctx, vm, host, paused));
