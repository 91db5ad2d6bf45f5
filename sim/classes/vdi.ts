/** VDI.*: create, resize (grow only, offline), destroy (not while attached), copy, clone, snapshot, forget. */
import { on } from "../registry";
import { fail, smFail } from "../errors";
import type { Ctx } from "../state";
import { createVDI, destroyVDI, refreshSR } from "../objects";
import { xapiDate } from "../wire/values";

function attachedPBD(ctx: Ctx, sr: string): boolean {
  return (ctx.st.db.field("SR", sr, "PBDs") as string[]).some((p) => ctx.st.db.field("PBD", p, "currently_attached") === true);
}
function inUse(ctx: Ctx, vdi: string): boolean {
  return (ctx.st.db.field("VDI", vdi, "VBDs") as string[]).some((v) => ctx.st.db.field("VBD", v, "currently_attached") === true);
}
/** Thick-provisioned SRs refuse what does not fit; VHD-based ones are thin. */
function checkSpace(ctx: Ctx, sr: string, extra: bigint): void {
  const type = String(ctx.st.db.field("SR", sr, "type"));
  if (type !== "lvm" && type !== "lvmoiscsi" && type !== "lvmohba") return;
  const size = BigInt(ctx.st.db.field("SR", sr, "physical_size") as string);
  const used = BigInt(ctx.st.db.field("SR", sr, "physical_utilisation") as string);
  if (used + extra > size) fail("SR_FULL", (used + extra).toString(), size.toString());
}

export function newVDI(ctx: Ctx, rec: Record<string, unknown>): string {
  const sr = String(rec.SR ?? "");
  if (!ctx.st.db.exists("SR", sr)) fail("HANDLE_INVALID", "SR", sr);
  if (!attachedPBD(ctx, sr)) fail("SR_HAS_NO_PBDS", sr);
  const size = BigInt(String(rec.virtual_size ?? "0"));
  if (size < 0n) smFail("VDISize", "negative size");
  checkSpace(ctx, sr, size);
  const fields = { ...rec };
  delete fields.VBDs; delete fields.snapshots; delete fields.uuid;
  return createVDI(ctx.st, { ...fields, SR: sr, virtual_size: size.toString(), physical_utilisation: size.toString() });
}

on("VDI.create", (ctx: Ctx, rec: Record<string, unknown>) => newVDI(ctx, rec));

on("VDI.destroy", (ctx: Ctx, vdi: string) => {
  if (inUse(ctx, vdi)) fail("VDI_IN_USE", vdi, "destroy");
  destroyVDI(ctx.st, vdi);
});
on("VDI.forget", (ctx: Ctx, vdi: string) => {
  if (inUse(ctx, vdi)) fail("VDI_IN_USE", vdi, "forget");
  destroyVDI(ctx.st, vdi);
});

on("VDI.resize", (ctx: Ctx, vdi: string, size: string) => {
  const db = ctx.st.db;
  if (inUse(ctx, vdi)) fail("VDI_IN_USE", vdi, "resize");
  const cur = BigInt(db.field("VDI", vdi, "virtual_size") as string);
  const want = BigInt(size);
  // the VHD backend refuses to shrink
  if (want < cur) smFail("VDISize", "shrinking not allowed");
  const sr = db.field("VDI", vdi, "SR") as string;
  checkSpace(ctx, sr, want - cur);
  db.update("VDI", vdi, { virtual_size: want.toString(), physical_utilisation: want.toString() });
  refreshSR(ctx.st, sr);
});

function duplicate(ctx: Ctx, vdi: string, sr: string, extra: Record<string, unknown> = {}): string {
  const src = ctx.st.db.get("VDI", vdi);
  return newVDI(ctx, {
    name_label: src.name_label, name_description: src.name_description, SR: sr, virtual_size: src.virtual_size, type: src.type,
    sharable: src.sharable, read_only: src.read_only, other_config: src.other_config, xenstore_data: src.xenstore_data,
    sm_config: {}, tags: src.tags, on_boot: src.on_boot, allow_caching: src.allow_caching, ...extra,
  });
}

on("VDI.copy", (ctx: Ctx, vdi: string, sr: string, _base: string, into: string) => {
  const db = ctx.st.db;
  if (into && into !== "OpaqueRef:NULL") {
    if (BigInt(db.field("VDI", into, "virtual_size") as string) < BigInt(db.field("VDI", vdi, "virtual_size") as string)) {
      fail("VDI_TOO_SMALL", into, db.field("VDI", vdi, "virtual_size"));
    }
    return into;
  }
  if (sr === "OpaqueRef:NULL") fail("HANDLE_INVALID", "SR", sr);
  return duplicate(ctx, vdi, sr);
});
on("VDI.clone", (ctx: Ctx, vdi: string) => duplicate(ctx, vdi, ctx.st.db.field("VDI", vdi, "SR") as string));
on("VDI.snapshot", (ctx: Ctx, vdi: string) => duplicate(ctx, vdi, ctx.st.db.field("VDI", vdi, "SR") as string,
  { is_a_snapshot: true, snapshot_of: vdi, snapshot_time: xapiDate() }));
on("VDI.update", (ctx: Ctx, vdi: string) => { ctx.st.db.touchRef("VDI", vdi); });
