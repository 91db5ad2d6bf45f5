/** SR.*: create (with backend checks, PBDs per host), introduce, forget, destroy, scan. */
import { on } from "../registry";
import { fail } from "../errors";
import type { Ctx } from "../state";
import { checkBackend } from "./storage-backend";
import { SR_ALLOWED_OPS } from "../seed";
import { destroyVDI, refreshSR, GiB } from "../objects";

function attachedPBDs(ctx: Ctx, sr: string): string[] {
  return (ctx.st.db.field("SR", sr, "PBDs") as string[]).filter((p) => ctx.st.db.field("PBD", p, "currently_attached") === true);
}

on("SR.create", (ctx: Ctx, host: string, deviceConfig: Record<string, string>, physicalSize: string, nameLabel: string,
  nameDescription: string, type: string, contentType: string, shared: boolean, smConfig: Record<string, string> = {}) => {
  const db = ctx.st.db;
  checkBackend(type, deviceConfig);
  const size = BigInt(physicalSize) > 0n ? physicalSize : String((shared ? 1024 : 500) * GiB);
  const sr = db.create("SR", {
    name_label: nameLabel, name_description: nameDescription, type, content_type: contentType, shared, sm_config: smConfig,
    physical_size: size, physical_utilisation: "0", virtual_allocation: "0", allowed_operations: SR_ALLOWED_OPS,
  });
  const hosts = shared ? db.refs("host") : [host];
  for (const h of hosts) db.create("PBD", { host: h, SR: sr, device_config: deviceConfig, currently_attached: true });
  return sr;
});

on("SR.introduce", (ctx: Ctx, uuid: string, nameLabel: string, nameDescription: string, type: string, contentType: string,
  shared: boolean, smConfig: Record<string, string> = {}) => {
  const db = ctx.st.db;
  if (!/^[0-9a-fA-F-]{36}$/.test(uuid)) fail("UUID_INVALID", "SR", uuid);
  if (db.byUuid("SR", uuid)) fail("SR_UUID_EXISTS", uuid);
  if (!(db.refs("SM").some((sm) => db.field("SM", sm, "type") === type))) fail("SR_UNKNOWN_DRIVER", type);
  return db.create("SR", {
    uuid, name_label: nameLabel, name_description: nameDescription, type, content_type: contentType, shared, sm_config: smConfig,
    physical_size: "0", physical_utilisation: "0", virtual_allocation: "0", allowed_operations: SR_ALLOWED_OPS,
  });
});

export function removeSR(ctx: Ctx, sr: string): void {
  const db = ctx.st.db;
  for (const vdi of db.field("SR", sr, "VDIs") as string[]) destroyVDI(ctx.st, vdi);
  for (const pbd of db.field("SR", sr, "PBDs") as string[]) db.destroy("PBD", pbd);
  for (const p of ["default_SR", "suspend_image_SR", "crash_dump_SR"]) if (db.field("pool", ctx.st.poolRef, p) === sr) db.set("pool", ctx.st.poolRef, p, "OpaqueRef:NULL");
  db.destroy("SR", sr);
}

// Both need every PBD unplugged first: SR_HAS_PBD [sr].
on("SR.forget", (ctx: Ctx, sr: string) => {
  if (attachedPBDs(ctx, sr).length) fail("SR_HAS_PBD", sr);
  removeSR(ctx, sr);
});
on("SR.destroy", (ctx: Ctx, sr: string) => {
  if (attachedPBDs(ctx, sr).length) fail("SR_HAS_PBD", sr);
  const db = ctx.st.db;
  if (db.field("SR", sr, "other_config") && (db.field("SR", sr, "other_config") as Record<string, string>).indestructible === "true") {
    fail("SR_INDESTRUCTIBLE", sr);
  }
  removeSR(ctx, sr);
});

on("SR.scan", (ctx: Ctx, sr: string) => {
  if (!attachedPBDs(ctx, sr).length) fail("SR_HAS_NO_PBDS", sr);
  refreshSR(ctx.st, sr);
});
on("SR.update", (ctx: Ctx, sr: string) => {
  if (!attachedPBDs(ctx, sr).length) fail("SR_HAS_NO_PBDS", sr);
  refreshSR(ctx.st, sr);
});
on("SR.get_supported_types", (ctx: Ctx) => ctx.st.db.refs("SM").map((sm) => ctx.st.db.field("SM", sm, "type")));
on("SR.set_shared", (ctx: Ctx, sr: string, value: boolean) => {
  const pbds = ctx.st.db.field("SR", sr, "PBDs") as string[];
  if (!value && pbds.length > 1) fail("SR_HAS_MULTIPLE_PBDS", pbds[0]);
  ctx.st.db.set("SR", sr, "shared", value);
});
