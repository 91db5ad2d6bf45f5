/**
 * One-to-many relations: xapi derives the "many" side (e.g. VM.VBDs) from the pointer on the other side
 * (VBD.VM). The database keeps an index per relation and fills the derived sets when records are read.
 */
export interface Relation { cls: string; field: string; otherCls: string; otherField: string }

const pairs: Array<[string, string]> = [
  ["VM.VBDs", "VBD.VM"], ["VM.VIFs", "VIF.VM"], ["VM.consoles", "console.VM"], ["VM.crash_dumps", "crashdump.VM"],
  ["VM.VTPMs", "VTPM.VM"], ["VM.VUSBs", "VUSB.VM"], ["VM.VGPUs", "VGPU.VM"], ["VM.snapshots", "VM.snapshot_of"],
  ["VM.children", "VM.parent"], ["VM.attached_PCIs", "PCI.attached_VMs"],
  ["VDI.VBDs", "VBD.VDI"], ["VDI.crash_dumps", "crashdump.VDI"], ["VDI.snapshots", "VDI.snapshot_of"],
  ["SR.VDIs", "VDI.SR"], ["SR.PBDs", "PBD.SR"],
  ["host.PBDs", "PBD.host"], ["host.PIFs", "PIF.host"], ["host.resident_VMs", "VM.resident_on"],
  ["host.host_CPUs", "host_cpu.host"], ["host.crashdumps", "host_crashdump.host"], ["host.PCIs", "PCI.host"],
  ["host.PGPUs", "PGPU.host"], ["host.PUSBs", "PUSB.host"],
  ["network.VIFs", "VIF.network"], ["network.PIFs", "PIF.network"],
  ["task.subtasks", "task.subtask_of"], ["VM_appliance.VMs", "VM.appliance"], ["VMSS.VMs", "VM.snapshot_schedule"],
  ["Bond.slaves", "PIF.bond_slave_of"], ["VLAN.untagged_PIF", "PIF.VLAN_master_of"],
];

export const relations: Relation[] = pairs
  .filter(([, b]) => b !== "PCI.attached_VMs" && b !== "PIF.VLAN_master_of") // many-to-many / one-to-one: stored, not derived
  .map(([a, b]) => {
    const [cls, field] = a.split(".");
    const [otherCls, otherField] = b.split(".");
    return { cls, field, otherCls, otherField };
  });
