import { isUnknown } from "../unknown";
import type { DesiredPowerState, VmInputs } from "./inputs";

/**
 * The one rule for changes XenAPI makes only on a halted VM, used by check (against the last state) and by converge
 * (against the VM's record): the static memory limits (`VM.set_memory_limits`; a running VM takes only
 * `set_memory_dynamic_range`, whose dynamic min may not go below the static min) and the VCPU maximum
 * (`VM.set_VCPUs_max`; a running VM hot-plugs up to it). Such a change halts the VM first only where the user allows
 * it; otherwise it is refused, at preview where check can tell.
 */

/** The halt-only settings a VM has now (from its record) or had as last declared (fields unknown there absent). */
export interface HaltOnlySettings {
  /** memory_static_min, in bytes; absent when not known (not declared). */
  staticMin?: number;
  /** memory_static_max, in bytes; absent when not known: then memory is not compared. */
  staticMax?: number;
  /** VCPUs_max; absent when not known: then vcpus are not compared. */
  vcpusMax?: number;
}

/** The fields of `desired` whose change needs the VM halted, compared with `current`. */
export function haltOnlyChanges(current: HaltOnlySettings, desired: Pick<VmInputs, "memory" | "vcpus">): ("memory" | "vcpus")[] {
  const changes: ("memory" | "vcpus")[] = [];
  const m = desired.memory;
  if (m && !isUnknown(m) && current.staticMax !== undefined) {
    const staticChange =
      m.staticMax !== current.staticMax ||
      (m.staticMin !== undefined && m.staticMin !== current.staticMin) ||
      (current.staticMin !== undefined && current.staticMin > m.dynamicMin);
    if (staticChange) changes.push("memory");
  }
  const v = desired.vcpus;
  if (v && !isUnknown(v) && current.vcpusMax !== undefined && v.max !== current.vcpusMax) changes.push("vcpus");
  return changes;
}

/**
 * Whether this run may halt the VM for such a change: a VM being made, one the user allows to restart, or one that
 * was declared halted or is now declared halted (it ends halted either way).
 */
export function mayHalt(previous: { powerState?: DesiredPowerState } | undefined, desired: Pick<VmInputs, "allowRestart" | "powerState">): boolean {
  return !previous || desired.allowRestart || previous.powerState === "halted" || desired.powerState === "halted";
}

const WHAT: Record<"memory" | "vcpus", string> = { memory: "static memory limits", vcpus: "VCPUs max" };

/** Why such a change is refused, and what the user can do. */
export function haltRefusal(field: "memory" | "vcpus"): string {
  return `${WHAT[field]} can only change while the VM is halted: set allowRestart: true (halt, change, start) or powerState: halted`;
}
