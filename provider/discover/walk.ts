import {
  fromInt64,
  HostRecord,
  isNullRef,
  NetworkRecord,
  PbdRecord,
  PoolRecord,
  Ref,
  SrRecord,
  VbdRecord,
  VdiRecord,
  VifRecord,
  VmRecord,
  XenApiSession,
} from "../xenapi";
import { SR_TYPES } from "../resources/storage-repository";
import { userOtherConfig } from "./xapi-owned-keys";

/** What discover found: resource declarations with the exact current values, and what it left out and why. */
export interface Discovery {
  /** The pool's uuid, and the Pool Args that adopt it unchanged. */
  pool: { uuid: string; args: Record<string, unknown> };
  /** Every host of the pool, by name label (for `--dom0` to pick from; hosts are declared only in dom0Hosts). */
  hosts: DiscoveredHost[];
  /** Host resources for the hosts whose dom0s were read too (`--dom0`), in host order. */
  dom0Hosts: Array<{ uuid: string; args: Record<string, unknown> }>;
  /** The SRs of a managed type (nfs, iso, ext, lvm), each with the StorageRepository Args that adopt it unchanged. */
  storageRepositories: Array<{ uuid: string; args: Record<string, unknown> }>;
  /**
   * The VMs (no template, snapshot or control domain; none suspended), by name, each with the Vm Args that adopt it
   * unchanged.
   */
  vms: Array<{ uuid: string; args: Record<string, unknown> }>;
  /** What was left out (an SR of another type, a suspended VM): the object, and why; empty when nothing was. */
  skipped: Array<{ what: string; why: string }>;
}

/** A host as xapi describes it, with what the Host resource's declaration needs. */
export interface DiscoveredHost {
  /** The host's uuid. */
  uuid: string;
  /** Its name label. */
  name: string;
  /** Its xapi management address (host.address). */
  address: string;
  /** Its name description; "" when it has none. */
  description: string;
  /** Its tags, sorted. */
  tags: string[];
  /** other-config without the keys xapi maintains itself. */
  otherConfig: Record<string, string>;
  /** The unshared SRs with a PBD on this host; `localStorage` marks other-config i18n-key=local-storage. */
  localSrs: Array<{ uuid: string; localStorage: boolean }>;
}

/**
 * Reads the whole pool with one `get_all_records` per class (a few RPCs whatever the pool's size) and describes
 * every pool-level object as the resource Args that adopt it unchanged.
 */
export async function walkPool(session: XenApiSession): Promise<Discovery> {
  const all = async <R>(cls: string) => session.call<Record<Ref, R>>(`${cls}.get_all_records`);
  const [pools, hosts, srs, pbds, vms, vbds, vdis, vifs, networks] = await Promise.all([
    all<PoolRecord>("pool"),
    all<HostRecord>("host"),
    all<SrRecord>("SR"),
    all<PbdRecord>("PBD"),
    all<VmRecord>("VM"),
    all<VbdRecord>("VBD"),
    all<VdiRecord>("VDI"),
    all<VifRecord>("VIF"),
    all<NetworkRecord>("network"),
  ]);
  const uuid = (table: Record<Ref, { uuid: string }>, ref: Ref) => (isNullRef(ref) ? "" : (table[ref]?.uuid ?? ""));
  const skipped: Discovery["skipped"] = [];
  const [pool] = Object.values(pools);

  const storageRepositories: Discovery["storageRepositories"] = [];
  for (const sr of Object.values(srs)) {
    if (!(SR_TYPES as readonly string[]).includes(sr.type)) {
      skipped.push({ what: `SR "${sr.name_label}" (${sr.uuid})`, why: `type ${sr.type} is not managed (nfs, iso, ext and lvm are)` });
      continue;
    }
    const srPbds = sr.PBDs.map((r) => pbds[r]).filter(Boolean);
    storageRepositories.push({
      uuid: sr.uuid,
      args: {
        adopt: sr.uuid,
        name: sr.name_label,
        description: sr.name_description,
        type: sr.type,
        contentType: sr.content_type,
        deviceConfig: sorted(srPbds[0]?.device_config ?? {}),
        ...(sr.shared || srPbds.length !== 1 ? {} : { host: uuid(hosts, srPbds[0].host) }),
        shared: sr.shared,
        otherConfig: userOtherConfig("SR", sr.other_config),
        tags: [...sr.tags].sort(),
      },
    });
  }

  const vmDecls: Discovery["vms"] = [];
  for (const vm of Object.values(vms)) {
    if (vm.is_a_template || vm.is_control_domain || vm.is_a_snapshot) continue;
    if (vm.power_state === "Suspended") {
      skipped.push({ what: `VM "${vm.name_label}" (${vm.uuid})`, why: "it is suspended, which a program cannot declare: resume or halt it, then run discover again" });
      continue;
    }
    const myVbds = vm.VBDs.map((r) => vbds[r]).filter(Boolean);
    const disks = myVbds
      .filter((b) => b.type === "Disk" && !isNullRef(b.VDI) && vdis[b.VDI])
      .sort((a, b) => Number(a.userdevice) - Number(b.userdevice))
      .map((b) => ({
        device: b.userdevice,
        size: fromInt64(vdis[b.VDI].virtual_size),
        sr: uuid(srs, vdis[b.VDI].SR),
        ...(vdis[b.VDI].name_label ? { name: vdis[b.VDI].name_label } : {}),
        bootable: b.bootable,
      }));
    const cd = myVbds.find((b) => b.type === "CD" && !b.empty && !isNullRef(b.VDI));
    const hvm = vm.HVM_boot_policy !== "";
    const boot = hvm
      ? { bootMode: "hvm", ...(vm.HVM_boot_params?.order ? { hvmBootOrder: vm.HVM_boot_params.order } : {}), ...(vm.HVM_boot_params?.firmware ? { firmware: vm.HVM_boot_params.firmware } : {}) }
      : { bootMode: "pv", ...(vm.PV_bootloader ? { pvBootloader: vm.PV_bootloader } : {}), pvArgs: vm.PV_args };
    vmDecls.push({
      uuid: vm.uuid,
      args: {
        adopt: vm.uuid,
        name: vm.name_label,
        description: vm.name_description,
        ...boot,
        memory: {
          staticMin: fromInt64(vm.memory_static_min),
          dynamicMin: fromInt64(vm.memory_dynamic_min),
          dynamicMax: fromInt64(vm.memory_dynamic_max),
          staticMax: fromInt64(vm.memory_static_max),
        },
        vcpus: { max: fromInt64(vm.VCPUs_max), atStartup: fromInt64(vm.VCPUs_at_startup) },
        disks,
        networkInterfaces: vm.VIFs.map((r) => vifs[r])
          .filter(Boolean)
          .sort((a, b) => Number(a.device) - Number(b.device))
          .map((v) => ({ device: v.device, network: uuid(networks, v.network), mac: v.MAC.toLowerCase() })),
        ...(cd ? { cdrom: uuid(vdis, cd.VDI) } : {}),
        otherConfig: userOtherConfig("VM", vm.other_config),
        xenstoreData: sorted(vm.xenstore_data ?? {}),
        tags: [...vm.tags].sort(),
        ...(isNullRef(vm.affinity) ? {} : { affinity: uuid(hosts, vm.affinity) }),
        powerState: vm.power_state.toLowerCase(),
      },
    });
  }

  return {
    pool: {
      uuid: pool.uuid,
      args: {
        adopt: pool.uuid,
        name: pool.name_label,
        description: pool.name_description,
        ...(isNullRef(pool.default_SR) ? {} : { defaultSr: uuid(srs, pool.default_SR) }),
        otherConfig: userOtherConfig("pool", pool.other_config),
        tags: [...(pool.tags ?? [])].sort(),
      },
    },
    hosts: (Object.entries(hosts) as Array<[Ref, HostRecord]>)
      .map(([ref, h]) => ({
        uuid: h.uuid,
        name: h.name_label,
        address: h.address,
        description: h.name_description,
        tags: [...(h.tags ?? [])].sort(),
        otherConfig: userOtherConfig("host", h.other_config),
        localSrs: Object.values(pbds)
          .filter((p) => p.host === ref && srs[p.SR] && !srs[p.SR].shared)
          .map((p) => ({ uuid: srs[p.SR].uuid, localStorage: srs[p.SR].other_config?.["i18n-key"] === "local-storage" })),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    dom0Hosts: [],
    storageRepositories,
    vms: vmDecls.sort((a, b) => String(a.args.name).localeCompare(String(b.args.name))),
    skipped,
  };
}

function sorted(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(map).sort().map((k) => [k, map[k]]));
}
