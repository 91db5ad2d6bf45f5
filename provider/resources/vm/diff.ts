import { diffByRules, DiffResult } from "../diff";
import { isUnknown } from "../unknown";
import { DiskSpec, NetworkInterfaceSpec } from "./inputs";

/** What changes in place (XenAPI can set it, halting first only where the user allowed it in check). */
export const UPDATABLE = [
  "name",
  "description",
  "sr",
  "pvBootloader",
  "pvArgs",
  "hvmBootOrder",
  "firmware",
  "memory",
  "vcpus",
  "disks",
  "networkInterfaces",
  "cdrom",
  "otherConfig",
  "xenstoreData",
  "tags",
  "affinity",
  "powerState",
  "waitForIp",
  "ipTimeoutSeconds",
  // Steering flags, like allowRestart: a change of one alone is a no-op update that records it.
  "allowRestart",
  "allowDiskRemoval",
] as const;

// Not compared: the bookkeeping `assignedDevices` and `templateDisks` (./disk-plan.ts).

/** What needs a new VM: its origin, and a boot mode XenAPI will not switch on a VM with an installed OS. */
export const REPLACING = ["template", "copyToSr", "bootMode"] as const;

/**
 * `olds` and `news` hold every field: the surfaces fill the defaults (VM_DEFAULTS) of what the engine stored, also
 * in states written before a field (such as allowDiskRemoval) existed.
 */
export function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): DiffResult {
  const result = diffByRules(olds, news, {
    update: UPDATABLE,
    replace: REPLACING,
    // Two VMs with the same fixed MAC must not run side by side.
    deleteBeforeReplace: (_o, n) => ((n.networkInterfaces as NetworkInterfaceSpec[]) ?? []).some((v) => v.mac !== ""),
  });
  if (diskMovesSr(olds.disks as DiskSpec[], news.disks as DiskSpec[])) {
    result.replaces.push("disks");
    result.changes = true;
  }
  return result;
}

/** A disk that stays (same device) but names another SR would have to move: that replaces the VM. */
function diskMovesSr(olds: DiskSpec[] | undefined, news: DiskSpec[] | undefined): boolean {
  if (!Array.isArray(olds) || !Array.isArray(news)) return false;
  const before = new Map(olds.map((d) => [d.device, d.sr]));
  return news.some((d) => before.has(d.device) && !isUnknown(d.sr) && before.get(d.device) !== d.sr);
}
