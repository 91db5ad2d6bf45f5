/**
 * Typed XenAPI records with their wire names, and the int64 boundary: xapi sends 64-bit integers as strings;
 * they become numbers here (exact up to 2^53 bytes = 8 PiB) and go back as strings. Each field's comment is the
 * first sentence of xapi's own description of it (its datamodel); tests/unit/xenapi/records.test.ts holds every
 * field here to the datamodel's name and type.
 */
export type Ref = string;
export const NULL_REF = "OpaqueRef:NULL";
export type StringMap = Record<string, string>;

export interface PoolRecord {
  /** Unique identifier/object reference. */
  uuid: string;
  /** Short name. */
  name_label: string;
  /** Description. */
  name_description: string;
  /** The host that is pool master. */
  master: Ref;
  /** Default SR for VDIs. */
  default_SR: Ref;
  /** Additional configuration. */
  other_config: StringMap;
  /** User-specified tags for categorization purposes. */
  tags: string[];
}

export interface HostRecord {
  /** Unique identifier/object reference. */
  uuid: string;
  /** A human-readable name. */
  name_label: string;
  /** A notes field containing human-readable description. */
  name_description: string;
  /** The address by which this host can be contacted from any other host in the pool. */
  address: string;
  /** The hostname of this host. */
  hostname: string;
  /** Physical blockdevices. */
  PBDs: Ref[];
  /** Additional configuration. */
  other_config: StringMap;
  /** User-specified tags for categorization purposes. */
  tags: string[];
}

export interface SrRecord {
  /** Unique identifier/object reference. */
  uuid: string;
  /** A human-readable name. */
  name_label: string;
  /** A notes field containing human-readable description. */
  name_description: string;
  /** Type of the storage repository. */
  type: string;
  /** The type of the SR's content, if required (e.g. */
  content_type: string;
  /** True if this SR is (capable of being) shared between multiple hosts. */
  shared: boolean;
  /** Describes how particular hosts can see this storage repository. */
  PBDs: Ref[];
  /** All virtual disks known to this storage repository. */
  VDIs: Ref[];
  /** Total physical size of the repository (in bytes) (int64: a string on the wire). */
  physical_size: string;
  /** Physical space currently utilised on this storage repository (in bytes) (int64: a string on the wire). */
  physical_utilisation: string;
  /** Additional configuration. */
  other_config: StringMap;
  /** SM dependent data. */
  sm_config: StringMap;
  /** User-specified tags for categorization purposes. */
  tags: string[];
}

export interface PbdRecord {
  /** Unique identifier/object reference. */
  uuid: string;
  /** Physical machine on which the pbd is available. */
  host: Ref;
  /** The storage repository that the pbd realises. */
  SR: Ref;
  /** A config string to string map that is provided to the host's SR-backend-driver. */
  device_config: StringMap;
  /** Is the SR currently attached on this host? */
  currently_attached: boolean;
  /** Additional configuration. */
  other_config: StringMap;
}

/** A 64-bit integer for the wire. */
export function int64(value: number | bigint): string {
  if (typeof value === "number" && !Number.isSafeInteger(value)) throw new RangeError(`${value} is not an integer`);
  return String(value);
}

/** A 64-bit integer from the wire (string, or int from older servers). */
export function fromInt64(value: unknown): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`XenAPI int64 ${String(value)} is out of the exact number range`);
  return n;
}

export function isNullRef(ref: string | undefined): boolean {
  return !ref || ref === NULL_REF;
}

export type PowerState = "Halted" | "Paused" | "Running" | "Suspended";

export interface VmRecord {
  /** Unique identifier/object reference. */
  uuid: string;
  /** A human-readable name. */
  name_label: string;
  /** A notes field containing human-readable description. */
  name_description: string;
  /** True if this is a template. */
  is_a_template: boolean;
  /** True if this is a control domain (domain 0 or a driver domain). */
  is_control_domain: boolean;
  /** True if this is a snapshot. */
  is_a_snapshot: boolean;
  /** Current power state of the machine. */
  power_state: PowerState;
  /** Statically-set (i.e (int64: a string on the wire). */
  memory_static_min: string;
  /** Statically-set (i.e (int64: a string on the wire). */
  memory_static_max: string;
  /** Dynamic minimum (bytes) (int64: a string on the wire). */
  memory_dynamic_min: string;
  /** Dynamic maximum (bytes) (int64: a string on the wire). */
  memory_dynamic_max: string;
  /** Max number of VCPUs (int64: a string on the wire). */
  VCPUs_max: string;
  /** Boot number of VCPUs (int64: a string on the wire). */
  VCPUs_at_startup: string;
  /** Name of or path to bootloader. */
  PV_bootloader: string;
  /** Kernel command-line arguments. */
  PV_args: string;
  /** Path to the kernel. */
  PV_kernel: string;
  /** HVM boot policy. */
  HVM_boot_policy: string;
  /** HVM boot params. */
  HVM_boot_params: StringMap;
  /** Virtual block devices. */
  VBDs: Ref[];
  /** Virtual network interfaces. */
  VIFs: Ref[];
  /** Additional configuration. */
  other_config: StringMap;
  /** Data to be inserted into the xenstore tree (/local/domain/<domid>/vm-data) after the VM is created. */
  xenstore_data: StringMap;
  /** User-specified tags for categorization purposes. */
  tags: string[];
  /** A host which the VM has some affinity for (or NULL). */
  affinity: Ref;
  /** The host the VM is currently resident on. */
  resident_on: Ref;
  /** Metrics associated with the running guest. */
  guest_metrics: Ref;
}

/**
 * The fields of VmRecord, which is all the provider reads of a VM: the pool view keeps only these of each VM (a
 * VM's full record is about 90 fields, and there is one per VM of the pool). Reading another field of a VM means
 * adding it to VmRecord and here.
 */
export const VM_FIELDS: ReadonlyArray<keyof VmRecord> = [
  "uuid", "name_label", "name_description", "is_a_template", "is_control_domain", "is_a_snapshot", "power_state",
  "memory_static_min", "memory_static_max", "memory_dynamic_min", "memory_dynamic_max", "VCPUs_max", "VCPUs_at_startup",
  "PV_bootloader", "PV_args", "PV_kernel", "HVM_boot_policy", "HVM_boot_params", "VBDs", "VIFs", "other_config",
  "xenstore_data", "tags", "affinity", "resident_on", "guest_metrics",
];

export interface VdiRecord {
  /** Unique identifier/object reference. */
  uuid: string;
  /** A human-readable name. */
  name_label: string;
  /** A notes field containing human-readable description. */
  name_description: string;
  /** Storage repository in which the VDI resides. */
  SR: Ref;
  /** List of vbds that refer to this disk. */
  VBDs: Ref[];
  /** Size of disk as presented to the guest (in bytes) (int64: a string on the wire). */
  virtual_size: string;
  /** Type of the VDI. */
  type: string;
  /** True if this disk may ONLY be mounted read-only. */
  read_only: boolean;
  /** Additional configuration. */
  other_config: StringMap;
}

export interface VbdRecord {
  /** Unique identifier/object reference. */
  uuid: string;
  /** The virtual machine. */
  VM: Ref;
  /** The virtual disk. */
  VDI: Ref;
  /** User-friendly device name e.g. */
  userdevice: string;
  /** True if this VBD is bootable. */
  bootable: boolean;
  /** The mode the VBD should be mounted with. */
  mode: "RO" | "RW";
  /** How the VBD will appear to the guest (e.g. */
  type: "CD" | "Disk" | "Floppy";
  /** If true this represents an empty drive. */
  empty: boolean;
  /** Is the device currently attached (erased on reboot). */
  currently_attached: boolean;
  /** Additional configuration. */
  other_config: StringMap;
}

export interface VifRecord {
  /** Unique identifier/object reference. */
  uuid: string;
  /** Virtual machine to which this vif is connected. */
  VM: Ref;
  /** Virtual network to which this vif is connected. */
  network: Ref;
  /** Order in which VIF backends are created by xapi. */
  device: string;
  /** Ethernet MAC address of virtual interface, as exposed to guest. */
  MAC: string;
  /** True if the MAC was autogenerated; false indicates it was set manually. */
  MAC_autogenerated: boolean;
  /** MTU in octets (int64: a string on the wire). */
  MTU: string;
  /** Is the device currently attached (erased on reboot). */
  currently_attached: boolean;
  /** Additional configuration. */
  other_config: StringMap;
}

export interface NetworkRecord {
  /** Unique identifier/object reference. */
  uuid: string;
  /** A human-readable name. */
  name_label: string;
  /** Name of the bridge corresponding to this network on the local host. */
  bridge: string;
  /** Additional configuration. */
  other_config: StringMap;
}

export interface GuestMetricsRecord {
  /** Unique identifier/object reference. */
  uuid: string;
  /** Network configuration. */
  networks: StringMap;
}
