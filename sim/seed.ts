/** Builds the initial database of a pool from a PoolSpec: pool, hosts (with dom0), networks+PIFs, SRs+PBDs, templates. */
import type { SimState } from "./state";
import type { PoolSpec, TemplateSpec } from "./spec";
import { createVM, createVDI, randomMac, GiB, MiB } from "./objects";
import { xapiDate } from "./wire/values";

const SM_TYPES: Array<[string, string, string[]]> = [
  ["ext", "Local EXT3 VHD", ["SR_PROBE", "SR_UPDATE", "VDI_CREATE", "VDI_DELETE", "VDI_ATTACH", "VDI_DETACH", "VDI_UPDATE", "VDI_CLONE", "VDI_SNAPSHOT", "VDI_RESIZE", "VDI_GENERATE_CONFIG"]],
  ["lvm", "Local LVHD", ["SR_PROBE", "SR_UPDATE", "VDI_CREATE", "VDI_DELETE", "VDI_ATTACH", "VDI_DETACH", "VDI_CLONE", "VDI_SNAPSHOT", "VDI_RESIZE"]],
  ["nfs", "NFS VHD", ["SR_PROBE", "SR_UPDATE", "VDI_CREATE", "VDI_DELETE", "VDI_ATTACH", "VDI_DETACH", "VDI_UPDATE", "VDI_CLONE", "VDI_SNAPSHOT", "VDI_RESIZE", "VDI_GENERATE_CONFIG"]],
  ["iso", "ISO", ["VDI_CREATE", "VDI_DELETE", "VDI_ATTACH", "VDI_DETACH", "SR_SCAN"]],
  ["file", "Local Path VHD", ["SR_PROBE", "SR_UPDATE", "VDI_CREATE", "VDI_DELETE", "VDI_ATTACH", "VDI_DETACH", "VDI_CLONE", "VDI_SNAPSHOT", "VDI_RESIZE"]],
  ["lvmoiscsi", "LVHD over iSCSI", ["SR_PROBE", "SR_UPDATE", "VDI_CREATE", "VDI_DELETE", "VDI_ATTACH", "VDI_DETACH", "VDI_CLONE", "VDI_SNAPSHOT", "VDI_RESIZE"]],
  ["udev", "Local Device", ["VDI_INTRODUCE", "VDI_ATTACH", "VDI_DETACH"]],
  ["smb", "SMB VHD", ["SR_PROBE", "SR_UPDATE", "VDI_CREATE", "VDI_DELETE", "VDI_ATTACH", "VDI_DETACH", "VDI_CLONE", "VDI_SNAPSHOT", "VDI_RESIZE"]],
  ["dummy", "dummy SR plugin", ["SR_PROBE", "VDI_CREATE", "VDI_DELETE", "VDI_ATTACH", "VDI_DETACH", "VDI_CLONE", "VDI_SNAPSHOT"]],
];
export const SR_TYPES = new Set(SM_TYPES.map((s) => s[0]));

export const SR_ALLOWED_OPS = ["vdi_enable_cbt", "vdi_list_changed_blocks", "unplug", "plug", "pbd_create", "vdi_disable_cbt", "update",
  "pbd_destroy", "vdi_resize", "vdi_clone", "vdi_data_destroy", "scan", "vdi_snapshot", "vdi_mirror", "vdi_create", "vdi_destroy", "vdi_set_on_boot"];

/** hostUuids keeps a host's identity across a re-seed (a host ejected from a pool keeps its installation uuid). */
export function seed(st: SimState, spec: PoolSpec, addresses: string[], hostUuids: string[] = []): void {
  const db = st.db;
  for (const [type, label, caps] of SM_TYPES) {
    db.create("SM", { name_label: label, name_description: label, type, vendor: "Citrix Systems Inc", copyright: "(C) 2008 Citrix Systems Inc",
      version: "1.0", required_api_version: "1.0", capabilities: caps, features: Object.fromEntries(caps.map((c) => [c, "1"])),
      configuration: {}, driver_filename: `/opt/xensource/sm/${type.toUpperCase()}SR`, required_cluster_stack: [] });
  }
  const now = xapiDate();

  // Hosts, each with metrics, CPUs and a running control domain.
  const hostRefs = spec.hosts.map((h, i) => {
    const metrics = db.create("host_metrics", { memory_total: String(64 * GiB), memory_free: String(60 * GiB), live: true, last_updated: now });
    const ref = db.create("host", {
      ...(hostUuids[i] ? { uuid: hostUuids[i] } : {}),
      name_label: h.name, name_description: "Default install", hostname: h.name, address: addresses[i], enabled: true,
      API_version_major: "2", API_version_minor: "21", API_version_vendor: "XenSource", API_version_vendor_implementation: {},
      software_version: { product_version: "8.3.0", product_version_text: "8.3", product_version_text_short: "8.3", platform_name: "XCP",
        platform_version: "3.4.0", product_brand: "XCP-ng", build_number: "cloud", hostname: h.name, date: "2024-10-01", xapi: "24.16",
        xapi_build: "24.16.0", xen: "4.17.5", linux: "4.19.0+1", xencenter_min: "2.21", xencenter_max: "2.21", network_backend: "openvswitch", db_schema: "5.780" },
      cpu_info: { cpu_count: "16", socket_count: "1", vendor: "GenuineIntel", speed: "2600.000", modelname: "Intel(R) Xeon(R) CPU", family: "6", model: "85", stepping: "7", flags: "fpu de tsc msr pae", features: "", features_pv: "", features_hvm: "" },
      capabilities: ["xen-3.0-x86_64", "hvm-3.0-x86_32", "hvm-3.0-x86_32p", "hvm-3.0-x86_64"], sched_policy: "credit", metrics,
      memory_overhead: String(512 * MiB), other_config: { agent_start_time: String(Math.floor(Date.now() / 1000)) + ".", iscsi_iqn: `iqn.2024-01.com.example:${h.name}` },
      edition: "xcp-ng", license_params: {}, external_auth_type: "", iscsi_iqn: `iqn.2024-01.com.example:${h.name}`, ssl_legacy: false,
      bios_strings: { "bios-vendor": "Xen", "system-manufacturer": "Xen" }, control_domain: "OpaqueRef:NULL",
    });
    for (let c = 0; c < 4; c++) db.create("host_cpu", { host: ref, number: String(c), vendor: "GenuineIntel", speed: "2600", modelname: "Intel(R) Xeon(R) CPU", family: "6", model: "85", stepping: "7", flags: "fpu de tsc", features: "", utilisation: 0.05 });
    const dom0 = createVM(st, {
      name_label: `Control domain on host: ${h.name}`, name_description: "The domain which manages physical devices and manages other domains",
      is_control_domain: true, power_state: "Running", resident_on: ref, affinity: ref, domid: "0", domain_type: "pv",
      memory_static_min: String(4 * GiB), memory_static_max: String(4 * GiB), memory_dynamic_min: String(4 * GiB), memory_dynamic_max: String(4 * GiB), memory_target: String(4 * GiB),
      VCPUs_max: "4", VCPUs_at_startup: "4", allowed_operations: ["changing_dynamic_range", "changing_VCPUs_live", "data_source_op", "metadata_export"],
    });
    db.set("host", ref, "control_domain", dom0);
    return ref;
  });

  // Networks with one PIF per host (device ethN); the first one carries management.
  const nets = spec.networks?.length ? spec.networks : [{ name: "Pool-wide network associated with eth0", bridge: "xenbr0" }];
  nets.forEach((n, i) => {
    const net = db.create("network", { name_label: n.name, bridge: n.bridge ?? `xenbr${i}`, MTU: "1500", managed: true,
      allowed_operations: [], other_config: {}, purpose: [] });
    hostRefs.forEach((host, hi) => {
      const metrics = db.create("PIF_metrics", { carrier: true, speed: "1000", duplex: true, last_updated: now });
      db.create("PIF", { device: `eth${i}`, network: net, host, MAC: randomMac(), MTU: "1500", VLAN: "-1", physical: true,
        currently_attached: true, management: i === 0, ip_configuration_mode: i === 0 ? "Static" : "None", IP: i === 0 ? addresses[hi] : "",
        netmask: i === 0 ? "255.255.255.0" : "", gateway: "", DNS: "", metrics, managed: true });
    });
  });

  // SRs with PBDs: shared SRs on every host, local SRs on their host (default: the master).
  const srByName = new Map<string, string>();
  let defaultSR = "OpaqueRef:NULL";
  for (const s of spec.srs ?? []) {
    const hostIdx = s.host ? spec.hosts.findIndex((h) => h.name === s.host) : 0;
    if (hostIdx < 0) throw new Error(`sim: SR ${s.name} names unknown host ${s.host}`);
    const size = s.physicalSize ?? (s.shared ? 1024 * GiB : 500 * GiB);
    const sr = db.create("SR", {
      name_label: s.name, name_description: "", type: s.type, content_type: s.contentType ?? (s.type === "iso" ? "iso" : "user"),
      shared: !!s.shared, physical_size: String(size), physical_utilisation: "0", virtual_allocation: "0",
      other_config: s.otherConfig ?? {}, sm_config: s.smConfig ?? {}, allowed_operations: SR_ALLOWED_OPS,
    });
    const targets = s.shared ? hostRefs : [hostRefs[hostIdx]];
    for (const host of targets) db.create("PBD", { host, SR: sr, device_config: s.deviceConfig ?? {}, currently_attached: true });
    if (!srByName.has(s.name)) srByName.set(s.name, sr);
    if (s.default) defaultSR = sr;
  }
  // Without an explicit default, xapi installers pick the first shared user SR, else the master's local one.
  if (defaultSR === "OpaqueRef:NULL") {
    const userSrs = (spec.srs ?? []).filter((s) => s.type !== "iso" && (s.contentType ?? "user") === "user");
    const pick = userSrs.find((s) => s.shared) ?? userSrs.find((s) => !s.host || s.host === spec.hosts[0].name);
    if (pick) defaultSR = srByName.get(pick.name)!;
  }

  st.poolRef = db.create("pool", {
    name_label: spec.name ?? "pool", name_description: "", master: hostRefs[0], default_SR: defaultSR, suspend_image_SR: defaultSR,
    crash_dump_SR: defaultSR, other_config: {}, ha_enabled: false, gui_config: {}, cpu_info: { cpu_count: String(16 * hostRefs.length), socket_count: String(hostRefs.length), vendor: "GenuineIntel" },
    restrictions: {}, tags: [], allowed_operations: ["ha_enable", "cluster_create"],
  });
  for (const h of hostRefs) { db.set("host", h, "suspend_image_sr", defaultSR); db.set("host", h, "crash_dump_sr", defaultSR); }

  // ISO files and other VDIs the spec puts in its SRs (an ISO SR's VDIs are named and located by file name).
  for (const s of spec.srs ?? []) {
    const sr = srByName.get(s.name)!;
    for (const v of s.vdis ?? []) {
      const vdi = createVDI(st, { name_label: v.name, name_description: "", SR: sr, virtual_size: String(v.size), physical_utilisation: String(v.size),
        type: "user", sharable: false, read_only: v.readOnly ?? false, other_config: {}, sm_config: {}, xenstore_data: {}, tags: [] });
      db.set("VDI", vdi, "location", v.location ?? v.name);
    }
  }

  // Templates: default templates, disks described in other_config "disks" for VM.provision.
  for (const t of spec.templates ?? []) seedTemplate(st, t, srByName);
}

function seedTemplate(st: SimState, t: TemplateSpec, srByName: Map<string, string>): void {
  const db = st.db;
  const mem = t.memory ?? GiB;
  const vcpus = t.vcpus ?? 1;
  const disks = (t.disks ?? []).map((d, i) => {
    const srUuid = d.sr ? (srByName.has(d.sr) ? String(db.field("SR", srByName.get(d.sr)!, "uuid")) : d.sr) : "";
    return `<disk device="${i}" size="${d.size}" sr="${srUuid}" bootable="${d.bootable ?? i === 0}" type="${d.type ?? "system"}"/>`;
  });
  const hvm = t.hvmBootPolicy !== undefined ? t.hvmBootPolicy !== "" : !!t.hvm;
  const legacyPlatform = hvm ? { acpi: "1", apic: "true", pae: "true", nx: "true", viridian: "false", "device-model": "qemu-upstream-compat" } : { pae: "true", nx: "true", acpi: "1", apic: "true" };
  const legacyOtherConfig = { ...(hvm ? {} : { linux_template: "true" }), "install-methods": "cdrom,nfs,http,ftp" };
  createVM(st, {
    ...(t.uuid ? { uuid: t.uuid } : {}),
    name_label: t.name, name_description: t.description ?? `Template ${t.name}`, is_a_template: true, is_default_template: true, power_state: "Halted",
    reference_label: t.referenceLabel ?? "",
    memory_static_min: String(t.memoryStaticMin ?? Math.min(mem, 256 * MiB)), memory_dynamic_min: String(mem), memory_dynamic_max: String(mem), memory_static_max: String(mem), memory_target: "0",
    VCPUs_max: String(t.vcpusMax ?? vcpus), VCPUs_at_startup: String(vcpus), VCPUs_params: {},
    HVM_boot_policy: hvm ? (t.hvmBootPolicy ?? "BIOS order") : "", HVM_boot_params: t.hvmBootParams ?? (hvm ? { order: "cdn" } : {}),
    PV_bootloader: hvm ? "" : (t.pvBootloader ?? "pygrub"),
    PV_args: t.pvArgs ?? "", PV_kernel: "", PV_ramdisk: "", PV_bootloader_args: "", PV_legacy_args: "", domain_type: t.domainType ?? (hvm ? "hvm" : "pv"),
    platform: t.platform ?? legacyPlatform,
    // xapi's VM.set_is_default_template keeps other_config "default_template" in step with the flag.
    other_config: { ...(t.otherConfig ?? legacyOtherConfig), default_template: "true",
      ...(disks.length ? { disks: `<provision>${disks.join("")}</provision>` } : {}) },
    allowed_operations: ["changing_NVRAM", "changing_dynamic_range", "changing_shadow_memory", "changing_static_range", "make_into_template", "export", "clone", "copy", "provision"],
    user_version: String(t.userVersion ?? 1), has_vendor_device: t.hasVendorDevice ?? false,
    recommendations: t.recommendations ?? "<restrictions><restriction field=\"memory-static-max\" max=\"137438953472\"/><restriction field=\"vcpus-max\" max=\"32\"/></restrictions>",
  });
}
