/** Factories for objects that come with companions in xapi (a VM has VM_metrics, a host has host_metrics ...). */
import { randomBytes } from "crypto";
import type { SimState } from "./state";
import type { Rec } from "./db/db";
import { xapiDate } from "./wire/values";

export const GiB = 1024 * 1024 * 1024;
export const MiB = 1024 * 1024;

/** Random locally administered unicast MAC, as xapi generates for VIFs. */
export function randomMac(): string {
  const b = randomBytes(6);
  b[0] = (b[0] & 0xfe) | 0x02;
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join(":");
}

export function createVM(st: SimState, fields: Rec): string {
  const metrics = st.db.create("VM_metrics", {
    memory_actual: fields.memory_dynamic_max ?? "0", VCPUs_number: fields.VCPUs_at_startup ?? "0",
    start_time: "19700101T00:00:00Z", install_time: xapiDate(), last_updated: xapiDate(),
  });
  return st.db.create("VM", {
    user_version: "1", actions_after_shutdown: "destroy", actions_after_reboot: "restart", actions_after_crash: "restart",
    HVM_shadow_multiplier: 1, domid: "-1", domarch: "", ...fields, metrics,
  });
}

export function destroyVM(st: SimState, vm: string): void {
  const rec = st.db.get("VM", vm);
  for (const vbd of rec.VBDs as string[]) destroyVBD(st, vbd);
  for (const vif of rec.VIFs as string[]) destroyVIF(st, vif);
  for (const c of rec.consoles as string[]) st.db.destroy("console", c);
  if (st.db.exists("VM_metrics", rec.metrics)) st.db.destroy("VM_metrics", rec.metrics as string);
  if (st.db.exists("VM_guest_metrics", rec.guest_metrics)) st.db.destroy("VM_guest_metrics", rec.guest_metrics as string);
  st.db.destroy("VM", vm);
}

export function createVBD(st: SimState, fields: Rec): string {
  const metrics = st.db.create("VBD_metrics", {});
  return st.db.create("VBD", { metrics, ...fields });
}
export function destroyVBD(st: SimState, vbd: string): void {
  const m = st.db.field("VBD", vbd, "metrics");
  if (st.db.exists("VBD_metrics", m)) st.db.destroy("VBD_metrics", m as string);
  st.db.destroy("VBD", vbd);
}

export function createVIF(st: SimState, fields: Rec): string {
  const metrics = st.db.create("VIF_metrics", {});
  return st.db.create("VIF", { metrics, ...fields });
}
export function destroyVIF(st: SimState, vif: string): void {
  const m = st.db.field("VIF", vif, "metrics");
  if (st.db.exists("VIF_metrics", m)) st.db.destroy("VIF_metrics", m as string);
  st.db.destroy("VIF", vif);
}

/** Recomputes an SR's utilisation/allocation from its VDIs (SM reports them after every operation). */
export function refreshSR(st: SimState, sr: string): void {
  let alloc = 0n, used = 0n;
  for (const vdi of st.db.field("SR", sr, "VDIs") as string[]) {
    alloc += BigInt(st.db.field("VDI", vdi, "virtual_size") as string);
    used += BigInt(st.db.field("VDI", vdi, "physical_utilisation") as string);
  }
  st.db.update("SR", sr, { virtual_allocation: alloc.toString(), physical_utilisation: used.toString() });
}

export function createVDI(st: SimState, fields: Rec): string {
  const ref = st.db.create("VDI", {
    type: "user", allowed_operations: ["clone", "copy", "resize", "destroy", "snapshot", "forget", "update", "generate_config"],
    physical_utilisation: fields.virtual_size ?? "0", location: "", managed: true, ...fields,
  });
  st.db.set("VDI", ref, "location", st.db.field("VDI", ref, "uuid"));
  if (st.db.exists("SR", fields.SR)) refreshSR(st, fields.SR as string);
  return ref;
}

export function destroyVDI(st: SimState, vdi: string): void {
  const rec = st.db.get("VDI", vdi);
  for (const vbd of rec.VBDs as string[]) destroyVBD(st, vbd);
  st.db.destroy("VDI", vdi);
  if (st.db.exists("SR", rec.SR)) refreshSR(st, rec.SR as string);
}
