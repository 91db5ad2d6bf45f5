import { errorKind, VmRecord, XenApiSession, VdiRecord, SrRecord } from "../../xenapi";
import { CheckFailure, failure } from "../check";
import { isUnknown } from "../unknown";
import { recordOf, resolveHost, resolveObject } from "../lookup";
import { VmInputs } from "./inputs";

/**
 * The checks that need the pool: names that must resolve (template, SRs, networks, the ISO, the affinity host).
 * Run from check(), so that `pulumi preview` fails on them before anything is made.
 */
export async function validateAgainstPool(session: XenApiSession, inputs: VmInputs): Promise<CheckFailure[]> {
  const failures: CheckFailure[] = [];
  const attempt = async (property: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      // Only a problem with the input is the field's: an unreachable pool, a refused certificate or login, or
      // xapi failing a lookup is reported as what it is, not as a problem with `template`.
      if (errorKind(err) !== undefined) throw err;
      failures.push(failure(property, (err as Error).message));
    }
  };
  const known = (v: unknown) => typeof v === "string" && v !== "" && !isUnknown(v);
  if (known(inputs.template)) {
    await attempt("template", () => resolveObject<VmRecord>(session, "VM", "template", inputs.template, (r) => r.is_a_template && !r.is_a_snapshot));
  }
  for (const [property, sr] of [["copyToSr", inputs.copyToSr], ["sr", inputs.sr]] as const) {
    if (known(sr)) await attempt(property, () => resolveObject(session, "SR", property, sr));
  }
  for (const [i, disk] of (Array.isArray(inputs.disks) ? inputs.disks : []).entries()) {
    if (known(disk.sr)) await attempt(`disks[${i}].sr`, () => resolveObject(session, "SR", `disks[${i}].sr`, disk.sr));
  }
  for (const [i, vif] of (Array.isArray(inputs.networkInterfaces) ? inputs.networkInterfaces : []).entries()) {
    if (known(vif.network)) {
      await attempt(`networkInterfaces[${i}].network`, () => resolveObject(session, "network", `networkInterfaces[${i}].network`, vif.network));
    }
  }
  if (known(inputs.cdrom)) {
    await attempt("cdrom", async () => {
      const iso = await resolveObject<VdiRecord>(session, "VDI", "cdrom", inputs.cdrom);
      const sr = await recordOf<SrRecord>(session, "SR", iso.record.SR);
      if (sr.content_type !== "iso") throw new Error(`cdrom: "${inputs.cdrom}" is on SR "${sr.name_label}", which is not an ISO library`);
    });
  }
  if (known(inputs.affinity)) await attempt("affinity", () => resolveHost(session, "affinity", inputs.affinity));
  return failures;
}
