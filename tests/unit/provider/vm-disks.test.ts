import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadSpec } from "../../../sim/spec-load";
import { simulatedPool } from "./env";
import * as vm from "../../../provider/resources/vm";
import * as provider from "../../../provider";
import type { VmOutputs } from "../../../provider/resources/vm";

/**
 * Which disk is which (provider/resources/vm/disk-plan.ts): a disk declared without `device` never lands on the
 * template's disk; the template's disk is managed only when declared by device, on its own SR and not below its size;
 * a change that would detach or destroy a disk fails check naming it; old states keep their numbering.
 */
const GiB = 1024 ** 3;
type Raw = Record<string, unknown>;

for (const specName of ["demo", "xcp-ng-8.3"]) describe(`Vm disks against the template's on the ${specName} pool`, () => {
  const sim = simulatedPool(loadSpec(specName));
  const TEMPLATE = "Debian Bookworm 12";

  /** The template's disks as the simulator holds them: its VBDs' and its provisioning XML's, by device. */
  function templateDisks(): Array<{ device: string; size: number; sr: string; bootable: boolean }> {
    const t = sim().db.all("VM").find((v) => v.record.name_label === TEMPLATE && v.record.is_a_template)!;
    const pool = sim().db.all("pool")[0].record;
    const out = [];
    for (const ref of t.record.VBDs as string[]) {
      const vbd = sim().db.get("VBD", ref);
      if (vbd.type !== "Disk") continue;
      const vdi = sim().db.get("VDI", vbd.VDI as string);
      out.push({ device: String(vbd.userdevice), size: Number(vdi.virtual_size), sr: String(sim().db.get("SR", vdi.SR as string).uuid), bootable: vbd.bootable === true });
    }
    for (const m of String((t.record.other_config as Record<string, string>).disks ?? "").matchAll(/<disk\s([^>]*?)\/?>/g)) {
      const a = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
      out.push({ device: a.device, size: Number(a.size), sr: a.sr || String(sim().db.get("SR", pool.default_SR as string).uuid), bootable: a.bootable === "true" });
    }
    return out;
  }
  /** A non-ISO SR other than `not` (by uuid). */
  function otherSr(not: string): string {
    return String(sim().db.all("SR").find((s) => s.record.content_type !== "iso" && s.record.uuid !== not)!.record.uuid);
  }
  const vmDisks = (uuid: string) =>
    new Map((sim().db.byUuid("VM", uuid)!.record.VBDs as string[]).map((r) => sim().db.get("VBD", r)).filter((b) => b.type === "Disk").map((b) => [String(b.userdevice), b]));
  const args = (owner: string, extra: Raw = {}): Raw => ({ name: owner, template: TEMPLATE, ownerKey: `test/unit/Vm/${owner}`, ...extra });

  test("the template has a disk to protect (the cases below are about it)", () => {
    assert.ok(templateDisks().length >= 1);
  });

  test("a disk without device is a new disk after the template's, on its declared SR; the template's disk is left as it was; refresh shows nothing; the next check keeps its device", async () => {
    const [root] = templateDisks();
    const sr = otherSr(root.sr);
    const program = args("newcomer", { powerState: "halted", disks: [{ size: "4GiB", sr, name: "data" }] });
    const { inputs, failures } = await vm.check({}, program);
    assert.deepEqual(failures, []);
    const after = String(Math.max(...templateDisks().map((d) => Number(d.device))) + 1);
    assert.equal(inputs.disks[0].device, after, "the first free device after the template's disks");
    const { outs } = await vm.create(inputs);
    const disks = vmDisks(outs.uuid);
    const rootVdi = sim().db.get("VDI", disks.get(root.device)!.VDI as string);
    assert.equal(Number(rootVdi.virtual_size), root.size, "the template's disk was not grown");
    assert.equal(sim().db.get("SR", rootVdi.SR as string).uuid, root.sr, "the template's disk is where the template put it");
    const data = sim().db.get("VDI", disks.get(after)!.VDI as string);
    assert.equal(Number(data.virtual_size), 4 * GiB);
    assert.equal(sim().db.get("SR", data.SR as string).uuid, sr, "the declared SR is used");
    const read = await vm.read(outs.uuid, outs);
    assert.deepEqual(vm.diff(outs.uuid, read.props as unknown as Raw, inputs as unknown as Raw), { changes: false, replaces: [], deleteBeforeReplace: false });
    const again = await vm.check(read.inputs as unknown as Raw, program);
    assert.deepEqual(again.failures, []);
    assert.equal(again.inputs.disks[0].device, after);
    await vm.remove(outs.uuid, outs);
  });

  test("declaring the template's device manages its disk: it grows, keeps the template's bootable flag; another SR or a smaller size fails check naming both disks", async () => {
    const [root] = templateDisks();
    const failuresOf = async (disk: Raw) => (await vm.check({}, args("root", { disks: [disk] }))).failures.map((f) => `${f.property}: ${f.reason}`).join("\n");
    const elsewhere = otherSr(root.sr);
    const wrongSr = await failuresOf({ device: root.device, size: "40GiB", sr: elsewhere });
    assert.match(wrongSr, new RegExp(`^disks\\[0\\]\\.sr: disks\\[0\\] \\(device ${root.device}, 40GiB, SR "[^"]+" \\(${elsewhere}\\)\\) is template "${TEMPLATE}" \\([0-9a-f-]+\\)'s disk ${root.device} \\(${root.size / GiB}GiB, SR "[^"]+" \\(${root.sr}\\)\\)`));
    const smaller = await failuresOf({ device: root.device, size: root.size - GiB });
    assert.match(smaller, new RegExp(`^disks\\[0\\]\\.size: .*is template "${TEMPLATE}".*'s disk ${root.device} \\(${root.size / GiB}GiB.*it can grow, not shrink to ${root.size / GiB - 1}GiB`));
    const { inputs, failures } = await vm.check({}, args("root", { powerState: "halted", disks: [{ device: root.device, size: root.size + GiB, sr: root.sr }] }));
    assert.deepEqual(failures, [], "its own SR, by uuid, is fine");
    assert.equal(inputs.disks[0].bootable, root.bootable, "bootable left out: the template's");
    const { outs } = await vm.create(inputs);
    const vbd = vmDisks(outs.uuid).get(root.device)!;
    assert.equal(Number(sim().db.get("VDI", vbd.VDI as string).virtual_size), root.size + GiB, "grown");
    assert.equal(vbd.bootable, root.bootable);
    assert.equal(vmDisks(outs.uuid).size, templateDisks().length, "no disk added");
    await vm.remove(outs.uuid, outs);
  });

  test("a state whose disks were numbered the old way (list position) keeps its numbering: no diff, no replace", async () => {
    const [root] = templateDisks();
    // What the old check stored for `disks: [{ size: "12GiB" }]`: device "0" (its position), no bookkeeping.
    const current = (await vm.check({}, args("legacy", { disks: [{ device: root.device, size: "12GiB" }] }))).inputs as unknown as Raw;
    const { assignedDevices: _a, templateDisks: _t, allowDiskRemoval: _r, ...legacy } = current;
    (legacy.disks as Array<Raw>)[0].bootable = false;
    const { inputs, failures } = await vm.check(legacy, args("legacy", { disks: [{ size: "12GiB" }] }));
    assert.deepEqual(failures, []);
    assert.equal(inputs.disks[0].device, root.device);
    assert.equal(inputs.disks[0].bootable, false, "as the state has it");
    // Through the dynamic provider's surface, as the engine calls it: it reads the missing allowDiskRemoval as its default.
    assert.deepEqual(provider.vm.diff("id", legacy, inputs as unknown as Raw), { changes: false, replaces: [], deleteBeforeReplace: false });
    // The case: such a disk also named an SR, which its template disk is not on. Refused at check (the old
    // code let refresh turn it into a replace), naming both and how to get a new disk instead.
    const elsewhere = otherSr(root.sr);
    const withSr = { ...legacy, disks: [{ ...(legacy.disks as Raw[])[0], sr: elsewhere }] };
    const refused = await vm.check(withSr, args("legacy", { disks: [{ size: "12GiB", sr: elsewhere }] }));
    assert.deepEqual(refused.failures.map((f) => f.property), ["disks[0].sr"]);
    assert.match(refused.failures[0].reason, new RegExp(`\\(${elsewhere}\\)\\) is template .*\\(${root.sr}\\)\\).*numbered this disk by its list position.*give it a device of its own`));
    // A new disk then goes after the template's and the old ones.
    const more = await vm.check(legacy, args("legacy", { disks: [{ size: "12GiB" }, { size: "1GiB" }] }));
    assert.deepEqual(more.inputs.disks.map((d) => d.device), [root.device, String(Math.max(...templateDisks().map((d) => Number(d.device))) + 1)]);
  });

  test("a change that would detach or destroy a disk fails check naming it; the template's disk is never detached; allowDiskRemoval removes the VM's own", async () => {
    const [root] = templateDisks();
    const base = { disks: [{ device: root.device, size: "12GiB" }, { size: "1GiB", name: "scratch" }] };
    const { inputs } = await vm.check({}, args("dropper", base));
    const scratchDevice = inputs.disks.find((d) => d.name === "scratch")!.device;
    let { outs } = await vm.create(inputs);
    const olds = outs as unknown as Raw;
    const scratchVdi = outs.diskUuids[scratchDevice];
    const rootVdi = outs.diskUuids[root.device];

    // Dropping the VM's own disk: refused, naming it and its fate.
    const dropped = await vm.check(olds, args("dropper", { disks: [{ device: root.device, size: "12GiB" }] }));
    assert.deepEqual(dropped.failures.map((f) => f.property), ["disks"]);
    const scratchSr = sim().db.get("SR", sim().db.byUuid("VDI", scratchVdi)!.record.SR as string).uuid;
    assert.match(dropped.failures[0].reason, new RegExp(`^disk ${scratchDevice} \\(1GiB, SR "[^"]+" \\(${scratchSr}\\)(, the pool's default)?\\) is no longer declared: the update would detach it and destroy it \\(this VM made it\\)\\..*allowDiskRemoval: true`));
    // Renumbering it (the same disk declared at another device) is the same: the old device would go.
    const renumbered = await vm.check(olds, args("dropper", { disks: [{ device: root.device, size: "12GiB" }, { device: "7", size: "1GiB", name: "scratch" }] }));
    assert.match(renumbered.failures.map((f) => f.reason).join(), new RegExp(`disk ${scratchDevice} .*is no longer declared`));

    // No longer declaring the template's disk: nothing is detached (it stays, unmanaged), so check lets it through.
    const rootDropped = await vm.check(olds, args("dropper", { disks: [{ size: "1GiB", name: "scratch" }] }));
    assert.deepEqual(rootDropped.failures, []);
    assert.equal(rootDropped.inputs.disks[0].device, scratchDevice, "scratch keeps its device");
    ({ outs } = await vm.update(outs.uuid, outs, rootDropped.inputs));
    const record = sim().db.byUuid("VM", outs.uuid)!.record;
    assert.equal(record.power_state, "Running");
    const rootVbd = vmDisks(outs.uuid).get(root.device);
    assert.ok(rootVbd, "the template's disk is still attached");
    assert.equal(sim().db.get("VDI", rootVbd!.VDI as string).uuid, rootVdi);
    assert.equal(rootVbd!.currently_attached, true);

    // With allowDiskRemoval the VM's own disk goes, VDI and all; the template's disk still stays.
    const removal = await vm.check(outs as unknown as Raw, args("dropper", { disks: [], allowDiskRemoval: true }));
    assert.deepEqual(removal.failures, []);
    ({ outs } = await vm.update(outs.uuid, outs, removal.inputs));
    assert.equal(sim().db.byUuid("VDI", scratchVdi), undefined, "the VM's own disk is destroyed");
    assert.ok(sim().db.byUuid("VDI", rootVdi), "the template's disk is not");
    assert.ok(vmDisks(outs.uuid).has(root.device));
    await vm.remove(outs.uuid, outs as VmOutputs);
  });
});
