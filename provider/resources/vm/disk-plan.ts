/**
 * Which disk is which: check()'s plan for the declared disks against the template's own disks and the last state.
 *
 * Rules (README "Vm disks"):
 *  - A disk declared without `device` takes the first free userdevice after the template's disks (after the
 *    highest-numbered one; positions the template's VBDs use, CD drives included, are skipped). It keeps that device
 *    at later checks (`assignedDevices`, bookkeeping in the state). States written before this rule, where such a
 *    disk took its list position, keep their numbering.
 *  - The template's disks are what `VM.clone`/`VM.copy` copy (the template's VBDs) and what `VM.provision` makes
 *    (its other-config `disks` XML). The program manages one only when it declares that device explicitly
 *    (`device: "0"`), or the state already manages it. It may then grow it, rename it and set `bootable`
 *    (default: the template's flag); its `sr`, when given, must be the SR the template puts that disk on, and its
 *    size cannot be below the template's. Anything else is refused here, naming the declared disk and the template's.
 *  - A disk the program stops declaring: the template's disks are never detached (they stay, unmanaged). Any other
 *    is detached and, when this VM made it, destroyed — which check refuses, naming the disk and its fate, unless
 *    the program sets `allowDiskRemoval: true`.
 */
import { errorKind, fromInt64, isNullRef, Ref, SrRecord, VbdRecord, VdiRecord, VmRecord, XenApiSession } from "../../xenapi";
import { CheckFailure, failure } from "../check";
import { formatSize } from "../size";
import { isUnknown, UNKNOWN } from "../unknown";
import { recordOf, refByUuid, resolveObject, thePool } from "../lookup";
import { DiskSpec, VmInputs } from "./inputs";

/** One of the disks a VM made from the template starts with. */
export interface TemplateDisk {
  /** Its userdevice ("0" is the first disk); from the provisioning XML, "0" when the XML names none. */
  device: string;
  /** Its virtual size in bytes (from the template's VDI, or the provisioning XML's `size`; 0 when the XML gives none). */
  size: number;
  /** The SR the new VM's copy of this disk will be on ("" when not known: no default SR). */
  sr: Ref;
  /** `SR "<name>" (<uuid>)`, for messages. */
  srLabel: string;
  /** Whether the template's VBD (or XML `bootable="true"`) marks it bootable. */
  bootable: boolean;
  /** Where it comes from: the template's VBD (clone/copy) or its provisioning XML (`VM.provision`). */
  source: "vbd" | "provision";
}

/** What a VM made from the template starts with, as far as its disks go. */
export interface TemplateLayout {
  /** `template "<name>" (<uuid>)`, for messages; "" for a VM made blank or adopted. */
  label: string;
  /** The template's disks: its Disk VBDs with a VDI, then those of its provisioning XML. Empty when none. */
  disks: TemplateDisk[];
  /** Every userdevice the template's VBDs use, disks and CD drives. */
  used: Set<string>;
  /** The userdevices of the template's CD drives: no declared disk may take one. */
  cdDrives: Set<string>;
}

const NONE: TemplateLayout = { label: "", disks: [], used: new Set(), cdDrives: new Set() };

type Raw = Record<string, unknown>;

/** The disks a VM made from `inputs.template` starts with; undefined while the template (or copyToSr) is not known. */
export async function templateLayout(session: XenApiSession, inputs: VmInputs): Promise<TemplateLayout | undefined> {
  if (isUnknown(inputs.template) || isUnknown(inputs.copyToSr)) return undefined;
  if (!inputs.template || inputs.adopt) return NONE;
  const rethrowOr = <T>(fallback: T) => (err: unknown): T => {
    if (errorKind(err) !== undefined) throw err; // the pool, not the input: reported as what it is
    return fallback; // the input's problem: validateAgainstPool reports it
  };
  const template = await resolveObject<VmRecord>(session, "VM", "template", inputs.template, (r) => r.is_a_template && !r.is_a_snapshot).catch(rethrowOr(undefined));
  if (!template) return NONE;
  const labels = new Map<Ref, string>();
  const srLabel = async (sr: Ref): Promise<string> => {
    if (isNullRef(sr)) return "the pool's default SR (none is set)";
    if (!labels.has(sr)) {
      const r = await recordOf<SrRecord>(session, "SR", sr);
      labels.set(sr, `SR "${r.name_label}" (${r.uuid})`);
    }
    return labels.get(sr)!;
  };
  const copyTo = inputs.copyToSr ? (await resolveObject(session, "SR", "copyToSr", inputs.copyToSr).catch(rethrowOr(undefined)))?.ref ?? "" : "";
  const layout: TemplateLayout = { label: `template "${template.record.name_label}" (${template.record.uuid})`, disks: [], used: new Set(), cdDrives: new Set() };
  for (const vbd of template.record.VBDs) {
    const r = await recordOf<VbdRecord>(session, "VBD", vbd);
    layout.used.add(r.userdevice);
    if (r.type === "CD") layout.cdDrives.add(r.userdevice);
    if (r.type !== "Disk" || isNullRef(r.VDI)) continue;
    const vdi = await recordOf<VdiRecord>(session, "VDI", r.VDI);
    const sr = inputs.copyToSr ? copyTo : vdi.SR; // VM.copy puts the template's disks on copyToSr
    layout.disks.push({ device: r.userdevice, size: fromInt64(vdi.virtual_size), sr, srLabel: sr ? await srLabel(sr) : `SR "${inputs.copyToSr}"`, bootable: r.bootable, source: "vbd" });
  }
  const xml = template.record.other_config?.disks ?? "";
  let defaultSr: Ref | undefined;
  for (const m of xml.matchAll(/<disk\s([^>]*?)\/?>/g)) {
    const attrs = Object.fromEntries([...m[1].matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]]));
    const device = attrs.device ?? "0";
    // VM.provision puts a disk on the SR its XML names, else on the pool's default SR.
    let sr = attrs.sr ? (await refByUuid(session, "SR", attrs.sr)) ?? "" : "";
    if (!sr) sr = defaultSr ??= (await thePool<{ default_SR: Ref }>(session)).record.default_SR;
    layout.used.add(device);
    layout.disks.push({ device, size: Number(attrs.size ?? 0), sr: isNullRef(sr) ? "" : sr, srLabel: await srLabel(sr), bootable: attrs.bootable === "true", source: "provision" });
  }
  return layout;
}

/**
 * Gives every declared disk its device, then checks the disks against the template's and against the last state.
 * Mutates `inputs` (disks, assignedDevices, templateDisks; disks end sorted by device). `news` is the program's raw
 * input, to tell a device or `bootable` given from one left out.
 */
export async function planDisks(session: XenApiSession, olds: Raw, news: Raw, inputs: VmInputs): Promise<CheckFailure[]> {
  if (!Array.isArray(inputs.disks)) return [];
  const failures: CheckFailure[] = [];
  const layout = await templateLayout(session, inputs);
  const rawDisks = (Array.isArray(news.disks) ? news.disks : []) as Raw[];
  const oldDisks = Array.isArray(olds.disks) ? (olds.disks as DiskSpec[]) : [];
  const oldByDevice = new Map(oldDisks.map((d) => [d.device, d]));
  const oldAssigned = Array.isArray(olds.assignedDevices) ? (olds.assignedDevices as string[]) : undefined;
  // A state written before devices were assigned: a disk without device took its list position.
  const legacy = oldAssigned === undefined && oldDisks.length > 0;

  const explicit = new Set(inputs.disks.map((d) => d.device).filter((d) => d !== ""));
  const undeviced = inputs.disks.flatMap((d, i) => (d.device === "" ? [i] : []));
  const given = new Set<string>();
  // First, continuity: what such a disk had in the last state.
  undeviced.forEach((i, k) => {
    const before = legacy ? (oldByDevice.has(String(i)) ? String(i) : undefined) : oldAssigned?.[k];
    if (before !== undefined && !isUnknown(before) && !explicit.has(before) && !given.has(before)) {
      inputs.disks[i].device = before;
      given.add(before);
    }
  });
  // Then the first free device after the template's disks: not the template's, not declared, not one the last
  // state managed (a new disk never takes over an old one's device).
  const templateDevices = layout?.disks.map((d) => Number(d.device)) ?? [];
  let next = templateDevices.length > 0 ? Math.max(...templateDevices) + 1 : 0;
  const taken = (d: string) => explicit.has(d) || given.has(d) || oldByDevice.has(d) || (layout?.used.has(d) ?? false);
  for (const i of undeviced) {
    if (inputs.disks[i].device !== "") continue;
    if (!layout) {
      inputs.disks[i].device = UNKNOWN; // the template is not known yet (preview)
      continue;
    }
    while (taken(String(next))) next++;
    inputs.disks[i].device = String(next);
    given.add(String(next));
  }
  inputs.assignedDevices = undeviced.map((i) => inputs.disks[i].device);
  inputs.templateDisks = layout ? layout.disks.map((d) => d.device) : Array.isArray(olds.templateDisks) ? (olds.templateDisks as string[]) : [];

  // The template's disks: managed only when clearly meant, and then as they are.
  const byDevice = new Map((layout?.disks ?? []).map((d) => [d.device, d]));
  for (const [i, disk] of inputs.disks.entries()) {
    if (isUnknown(disk.device)) continue;
    const raw = rawDisks[i] ?? {};
    const declared = async () =>
      `disks[${i}] (device ${disk.device}, ${isUnknown(disk.size) ? "size not known yet" : formatSize(disk.size)}, ${disk.sr ? await declaredSr(session, disk, { sr: "" }) : "no SR given"})`;
    if (layout?.cdDrives.has(disk.device)) {
      failures.push(failure(`disks[${i}].device`, `${await declared()} is on the userdevice of ${layout.label}'s CD drive: give the disk another device (or leave device out)`));
      continue;
    }
    const theirs = byDevice.get(disk.device);
    if (!theirs) continue;
    const templateDisk = `${layout!.label}'s disk ${theirs.device} (${formatSize(theirs.size)}, ${theirs.srLabel})`;
    const explicitDevice = raw.device !== undefined && raw.device !== null;
    const meant = explicitDevice || oldByDevice.has(disk.device);
    if (!meant) {
      // Not reachable through the assignment above; kept so that no future rule can take a template disk silently.
      failures.push(failure(`disks[${i}].device`, `${await declared()} would take ${templateDisk}; declare device "${disk.device}" to manage the template's disk, or leave device out for a new disk`));
      continue;
    }
    if (disk.sr && !isUnknown(disk.sr) && theirs.sr) {
      const wanted = await resolveObject(session, "SR", `disks[${i}].sr`, disk.sr).catch((err) => {
        if (errorKind(err) !== undefined) throw err;
        return undefined; // validateAgainstPool names it
      });
      if (wanted && wanted.ref !== theirs.sr) {
        const newDisk = explicitDevice
          ? `leave device out to add a new disk on ${JSON.stringify(disk.sr)}`
          : `the state numbered this disk by its list position, as before; give it a device of its own (the template's disks use ${layout!.disks.map((d) => d.device).join(", ")}) to add a new disk on ${JSON.stringify(disk.sr)}`;
        failures.push(failure(`disks[${i}].sr`, `${await declared()} is ${templateDisk}, which stays on the SR the template puts it on: leave disks[${i}].sr out or name that SR (or ${newDisk})`));
      }
    }
    if (!isUnknown(disk.size) && disk.size < theirs.size) {
      failures.push(failure(`disks[${i}].size`, `${await declared()} is ${templateDisk}: it can grow, not shrink to ${formatSize(disk.size)} (XenAPI only grows a VDI)`));
    }
    if (raw.bootable === undefined || raw.bootable === null) disk.bootable = oldByDevice.get(disk.device)?.bootable ?? theirs.bootable;
  }

  // Against the last state: no shrinking, and no disk detached or destroyed unless the program says so.
  for (const [i, disk] of inputs.disks.entries()) {
    const before = oldByDevice.get(disk.device);
    if (before && !isUnknown(disk.size) && disk.size < before.size) {
      failures.push(failure(`disks[${i}].size`, `disk ${disk.device} cannot shrink from ${formatSize(before.size)} to ${formatSize(disk.size)}: XenAPI only grows a VDI`));
    }
  }
  if (!inputs.disks.some((d) => isUnknown(d.device))) {
    const kept = new Set(inputs.disks.map((d) => d.device));
    const template = new Set(inputs.templateDisks);
    for (const gone of oldDisks.filter((d) => !kept.has(d.device) && !template.has(d.device))) {
      if (inputs.allowDiskRemoval === true) continue;
      const fate = inputs.adopt ? "keep the VDI (the VM was adopted: its disks are not this resource's to destroy)" : "destroy it (this VM made it)";
      failures.push(failure("disks", `disk ${gone.device} (${formatSize(gone.size)}, ${await declaredSr(session, gone, olds as unknown as VmInputs)}) is no longer declared: the update would detach it and ${fate}. Declare it again (device "${gone.device}") to keep it, or set allowDiskRemoval: true`));
    }
  }
  inputs.disks.sort((a, b) => deviceOrder(a.device) - deviceOrder(b.device));
  return failures;
}

function deviceOrder(device: string): number {
  return /^\d+$/.test(device) ? Number(device) : Number.MAX_SAFE_INTEGER;
}

/** `SR "<name>" (<uuid>)` of the SR a declared disk names (or the VM's `sr`), or what the default is. */
async function declaredSr(session: XenApiSession, disk: DiskSpec, vm: Pick<VmInputs, "sr">): Promise<string> {
  const spelling = disk.sr || vm.sr || "";
  if (isUnknown(spelling)) return "SR not known yet";
  if (!spelling) {
    const sr = (await thePool<{ default_SR: Ref }>(session)).record.default_SR;
    if (isNullRef(sr)) return "the pool's default SR (none is set)";
    const r = await recordOf<SrRecord>(session, "SR", sr);
    return `SR "${r.name_label}" (${r.uuid}), the pool's default`;
  }
  try {
    const { record } = await resolveObject<SrRecord>(session, "SR", "sr", spelling);
    return `SR "${record.name_label}" (${record.uuid})`;
  } catch (err) {
    if (errorKind(err) !== undefined) throw err;
    return `SR ${JSON.stringify(spelling)}`;
  }
}
