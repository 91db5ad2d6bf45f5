/** VBD.*: create (device numbers, CD rules), destroy, insert/eject for CDs, plug/unplug on running VMs. */
import { on } from "../registry";
import { fail } from "../errors";
import type { Ctx } from "../state";
import { createVBD, destroyVBD } from "../objects";

export const lower = (s: unknown) => String(s).toLowerCase();
const deviceName = (userdevice: string) => "xvd" + String.fromCharCode(97 + (parseInt(userdevice, 10) % 26));

export function allowedVBDDevices(ctx: Ctx, vm: string): string[] {
  const used = new Set((ctx.st.db.field("VM", vm, "VBDs") as string[]).map((v) => String(ctx.st.db.field("VBD", v, "userdevice"))));
  return Array.from({ length: 16 }, (_, i) => String(i)).filter((d) => !used.has(d));
}

on("VBD.create", (ctx: Ctx, rec: Record<string, unknown>) => {
  const db = ctx.st.db;
  const vm = String(rec.VM ?? ""), vdi = String(rec.VDI ?? "OpaqueRef:NULL");
  if (!db.exists("VM", vm)) fail("HANDLE_INVALID", "VM", vm);
  const empty = rec.empty === true;
  if (!empty && !db.exists("VDI", vdi)) fail("HANDLE_INVALID", "VDI", vdi);
  const type = String(rec.type ?? "Disk");
  if (type === "CD" && String(rec.mode ?? "RO") === "RW") fail("VBD_CDS_MUST_BE_READONLY");
  let userdevice = String(rec.userdevice ?? "autodetect");
  const free = allowedVBDDevices(ctx, vm);
  if (userdevice === "autodetect") {
    userdevice = free[0] ?? fail("OPERATION_NOT_ALLOWED", "no free VBD device");
  } else if (!/^\d+$/.test(userdevice)) {
    fail("INVALID_DEVICE", userdevice);
  } else if (!free.includes(userdevice)) {
    fail("DEVICE_ALREADY_EXISTS", userdevice);
  }
  return createVBD(ctx.st, {
    VM: vm, VDI: empty ? "OpaqueRef:NULL" : vdi, userdevice, bootable: rec.bootable ?? false, mode: rec.mode ?? "RW", type,
    unpluggable: rec.unpluggable ?? true, empty, other_config: rec.other_config ?? {}, qos_algorithm_type: rec.qos_algorithm_type ?? "",
    qos_algorithm_params: rec.qos_algorithm_params ?? {}, currently_attached: false, device: "",
    allowed_operations: ["attach", ...(type === "CD" ? (empty ? ["insert"] : ["eject"]) : [])],
  });
});

on("VBD.destroy", (ctx: Ctx, vbd: string) => {
  if (ctx.st.db.field("VBD", vbd, "currently_attached") === true) fail("OPERATION_NOT_ALLOWED", "VBD currently attached to a running VM");
  destroyVBD(ctx.st, vbd);
});

on("VBD.insert", (ctx: Ctx, vbd: string, vdi: string) => {
  const db = ctx.st.db;
  if (db.field("VBD", vbd, "type") !== "CD") fail("VBD_NOT_REMOVABLE_MEDIA", vbd);
  if (db.field("VBD", vbd, "empty") !== true) fail("VBD_NOT_EMPTY", vbd);
  const sr = db.field("VDI", vdi, "SR") as string;
  if (db.field("SR", sr, "content_type") !== "iso" && db.field("VDI", vdi, "type") !== "user") fail("VDI_IS_NOT_ISO", vdi, db.field("VDI", vdi, "type"));
  db.update("VBD", vbd, { VDI: vdi, empty: false, allowed_operations: ["attach", "eject"] });
});

on("VBD.eject", (ctx: Ctx, vbd: string) => {
  const db = ctx.st.db;
  if (db.field("VBD", vbd, "type") !== "CD") fail("VBD_NOT_REMOVABLE_MEDIA", vbd);
  if (db.field("VBD", vbd, "empty") === true) fail("VBD_IS_EMPTY", vbd);
  db.update("VBD", vbd, { VDI: "OpaqueRef:NULL", empty: true, allowed_operations: ["attach", "insert"] });
});

function assertRunning(ctx: Ctx, vm: string): void {
  const ps = ctx.st.db.field("VM", vm, "power_state");
  if (ps !== "Running") fail("VM_BAD_POWER_STATE", vm, "running", lower(ps));
}

on("VBD.plug", (ctx: Ctx, vbd: string) => {
  const db = ctx.st.db;
  assertRunning(ctx, db.field("VBD", vbd, "VM") as string);
  if (db.field("VBD", vbd, "currently_attached") === true) fail("DEVICE_ALREADY_ATTACHED", vbd);
  db.update("VBD", vbd, { currently_attached: true, device: deviceName(String(db.field("VBD", vbd, "userdevice"))) });
});
function unplug(ctx: Ctx, vbd: string, force: boolean): void {
  const db = ctx.st.db;
  assertRunning(ctx, db.field("VBD", vbd, "VM") as string);
  if (db.field("VBD", vbd, "currently_attached") !== true) fail("DEVICE_ALREADY_DETACHED", vbd);
  if (!force && db.field("VBD", vbd, "unpluggable") !== true) fail("VBD_NOT_UNPLUGGABLE", vbd);
  db.set("VBD", vbd, "currently_attached", false);
}
on("VBD.unplug", (ctx: Ctx, vbd: string) => unplug(ctx, vbd, false));
on("VBD.unplug_force", (ctx: Ctx, vbd: string) => unplug(ctx, vbd, true));
on("VBD.assert_attachable", () => undefined);

export { deviceName };
