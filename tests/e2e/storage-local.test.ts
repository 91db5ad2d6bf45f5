import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { startSimulator, Simulator } from "../../sim";
import { PulumiProject, stepFor, ResourceDeclaration, changedInputs } from "./pulumi-harness";

/** Local (ext/lvm) SRs and the pool's default SR, through the real `pulumi` CLI. */
const PASSWORD = "e2e-local-sr";
let sim: Simulator;
let project: PulumiProject;

const localSr = (args: Record<string, unknown> = {}): ResourceDeclaration => ({
  kind: "StorageRepository",
  name: "local-ext",
  args: { name: "Local VHDs", type: "ext", host: "xs2", deviceConfig: { device: "/dev/sdb" }, otherConfig: { "i18n-key": "local-storage" }, isDefault: true, ...args },
});
const pool = () => sim.db.all("pool")[0].record;
const srNamed = (name: string) => sim.db.all("SR").filter((s) => s.record.name_label === name);

before(async () => {
  sim = await startSimulator({ name: "local", hosts: [{ name: "xs1" }, { name: "xs2" }], users: { root: PASSWORD } });
  project = await PulumiProject.onSimulator("local-sr", sim, PASSWORD);
});
after(async () => {
  project?.cleanup();
  await sim?.close();
});

test("an ext SR is made on the named host only, and becomes the pool's default SR", async () => {
  project.declare([localSr()]);
  await project.up();
  const [sr] = srNamed("Local VHDs");
  assert.equal(sr.record.shared, false);
  const pbds = sr.record.PBDs as string[];
  assert.equal(pbds.length, 1, "a local SR has one PBD");
  const host = sim.db.get("PBD", pbds[0]).host as string;
  assert.equal(sim.db.get("host", host).name_label, "xs2");
  assert.equal(pool().default_SR, sr.ref, "sr_matching_filter = default-sr:true now picks it");
  assert.equal((await project.run(["preview", "--expect-no-changes"])).code, 0);
});

test("moving a local SR to another host or device is a replace that removes the old one first", async () => {
  project.declare([localSr({ host: "xs1" })]);
  const steps = await project.previewSteps();
  const step = stepFor(steps, "local-ext")!;
  assert.equal(step.op, "replace");
  assert.deepEqual(step.replaceReasons, ["host"]);
  const up = await project.up();
  const deleted = up.stdout.indexOf("deleted original");
  assert.ok(deleted >= 0 && deleted < up.stdout.indexOf("creating replacement"), `the old SR goes first:\n${up.stdout}`);
  const [sr] = srNamed("Local VHDs");
  assert.equal(sim.db.get("host", sim.db.get("PBD", (sr.record.PBDs as string[])[0]).host as string).name_label, "xs1");
  project.declare([localSr()]);
  await project.up();
});

test("the default-SR flag changes in place; someone else moving the default shows as drift", async () => {
  project.declare([localSr({ isDefault: false })]);
  const step = stepFor(await project.previewSteps(), "local-ext")!;
  assert.equal(step.op, "update");
  assert.deepEqual(changedInputs(step), ["isDefault"]);
  await project.up();
  assert.equal(pool().default_SR, "OpaqueRef:NULL");
  project.declare([localSr()]);
  await project.up();
  sim.db.set("pool", sim.db.all("pool")[0].ref, "default_SR", "OpaqueRef:NULL");
  await project.ok(["refresh", "--yes"]);
  assert.deepEqual(changedInputs(stepFor(await project.previewSteps(), "local-ext")!), ["isDefault"]);
  await project.up();
});

test("destroy unplugs and forgets the SR (data kept) and clears the pool default that pointed at it; destroyOnDelete erases", async () => {
  project.declare([localSr(), { kind: "StorageRepository", name: "scratch-lvm", args: { name: "Scratch LVM", type: "lvm", host: "xs1", deviceConfig: { device: "/dev/sdc" }, destroyOnDelete: true } }]);
  await project.up();
  assert.equal(srNamed("Scratch LVM").length, 1);
  const vdisBefore = sim.db.all("VDI").length;
  await project.ok(["destroy", "--yes", "--skip-preview"]);
  assert.equal(srNamed("Scratch LVM").length, 0);
  assert.equal(sim.counters.calls()["Async.SR.destroy"], 1, "only the SR that asked for it is erased");
  assert.equal(srNamed("Local VHDs").length, 0);
  assert.equal(pool().default_SR, "OpaqueRef:NULL");
  assert.equal(sim.db.all("VDI").length, vdisBefore);
  assert.ok((sim.counters.calls()["Async.SR.forget"] ?? 0) >= 1, "the ext SR is forgotten, not destroyed");
  assert.equal(sim.counters.sessionsOpen, 0);
});
