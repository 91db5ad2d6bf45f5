/** PBD.*: create, plug (idempotent, backend checks), unplug (idempotent, refused while VDIs are in use), destroy. */
import { on } from "../registry";
import { fail } from "../errors";
import type { Ctx } from "../state";
import { checkBackend } from "./storage-backend";

on("PBD.create", (ctx: Ctx, rec: Record<string, unknown>) => {
  const db = ctx.st.db;
  const sr = String(rec.SR ?? ""), host = String(rec.host ?? "");
  if (!db.exists("SR", sr)) fail("HANDLE_INVALID", "SR", sr);
  if (!db.exists("host", host)) fail("HANDLE_INVALID", "host", host);
  const dup = db.find("PBD", (p) => p.SR === sr && p.host === host)[0];
  if (dup) fail("PBD_EXISTS", sr, host, dup);
  return db.create("PBD", { host, SR: sr, device_config: rec.device_config ?? {}, other_config: rec.other_config ?? {}, currently_attached: false });
});

on("PBD.plug", (ctx: Ctx, pbd: string) => {
  const db = ctx.st.db;
  const rec = db.get("PBD", pbd);
  if (rec.currently_attached === true) return; // xapi: already attached is success
  const sr = rec.SR as string;
  checkBackend(String(db.field("SR", sr, "type")), rec.device_config as Record<string, string>);
  if (db.field("SR", sr, "shared") !== true) {
    const other = (db.field("SR", sr, "PBDs") as string[]).find((p) => p !== pbd && db.field("PBD", p, "currently_attached") === true);
    if (other) fail("SR_NOT_SHARABLE", sr, rec.host);
  }
  db.set("PBD", pbd, "currently_attached", true);
});

on("PBD.unplug", (ctx: Ctx, pbd: string) => {
  const db = ctx.st.db;
  const rec = db.get("PBD", pbd);
  if (rec.currently_attached !== true) return;
  // VDIs of this SR attached to domains running on this host keep the PBD busy.
  const inUse = (db.field("SR", rec.SR as string, "VDIs") as string[]).filter((vdi) =>
    (db.field("VDI", vdi, "VBDs") as string[]).some((vbd) => {
      const vm = db.field("VBD", vbd, "VM") as string;
      return db.field("VBD", vbd, "currently_attached") === true && db.field("VM", vm, "resident_on") === rec.host;
    }));
  if (inUse.length) fail("VDI_IN_USE", ...inUse);
  db.set("PBD", pbd, "currently_attached", false);
});

on("PBD.destroy", (ctx: Ctx, pbd: string) => {
  if (ctx.st.db.field("PBD", pbd, "currently_attached") === true) fail("OPERATION_NOT_ALLOWED", "PBD is currently attached");
  ctx.st.db.destroy("PBD", pbd);
});
