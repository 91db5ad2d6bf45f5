import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { startSimulator, Simulator } from "../../sim";
import { PulumiProject, stepFor, ResourceDeclaration, changedInputs } from "./pulumi-harness";
import { XenApiSession } from "../../provider/xenapi";

/**
 * The foundation slice end to end: the real `pulumi` CLI, the dynamic provider process, the XenAPI client over
 * TLS with a pinned certificate, and the simulator.
 */
const PASSWORD = "e2e-xen-Pa55word!";

let sim: Simulator;
let project: PulumiProject;

const isoLibrary = (overrides: Record<string, unknown> = {}): ResourceDeclaration => ({
  kind: "StorageRepository",
  name: "iso-library",
  args: {
    name: "ISO library",
    type: "iso",
    deviceConfig: { location: "nfs.example.org:/export/isos" },
    otherConfig: { "i18n-key": "local-storage-iso" },
    ...overrides,
  },
});
const nfsStore: ResourceDeclaration = {
  kind: "StorageRepository",
  name: "nfs-store",
  args: { name: "NFS VHDs", type: "nfs", deviceConfig: { server: "nfs.example.org", serverpath: "/export/vhds" }, tags: ["shared", "gold"] },
};

function srsNamed(name: string) {
  return sim.db.all("SR").filter((sr) => sr.record.name_label === name);
}

before(async () => {
  sim = await startSimulator({ name: "e2e", hosts: [{ name: "xs1" }, { name: "xs2" }], users: { root: PASSWORD } });
  project = await PulumiProject.onSimulator("sr", sim, PASSWORD);
});

after(async () => {
  project?.cleanup();
  await sim?.close();
});

test("pulumi up creates an ISO SR tagged local-storage-iso and a shared NFS SR with PBDs on every host", async () => {
  project.declare([isoLibrary(), nfsStore]);
  await project.up();
  const [iso] = srsNamed("ISO library");
  assert.ok(iso, "the ISO SR exists in xapi");
  assert.equal(iso.record.type, "iso");
  assert.equal(iso.record.content_type, "iso");
  assert.equal((iso.record.other_config as Record<string, string>)["i18n-key"], "local-storage-iso");
  const [nfs] = srsNamed("NFS VHDs");
  assert.equal(nfs.record.shared, true);
  assert.deepEqual([...(nfs.record.tags as string[])].sort(), ["gold", "shared"]);
  assert.equal((nfs.record.PBDs as string[]).length, 2, "a shared SR has a PBD on each of the two hosts");
});

test("a second preview has no changes", async () => {
  const result = await project.run(["preview", "--expect-no-changes"]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
});

test("a changed description previews as an update of that field only", async () => {
  project.declare([isoLibrary({ description: "ISOs for boot-from-ISO" }), nfsStore]);
  const steps = await project.previewSteps();
  assert.equal(steps.length, 1, JSON.stringify(steps));
  const step = stepFor(steps, "iso-library")!;
  assert.equal(step.op, "update");
  assert.deepEqual(changedInputs(step), ["description"]);
});

test("a changed type previews as a replace naming the property", async () => {
  project.declare([isoLibrary(), { ...nfsStore, args: { ...nfsStore.args, type: "iso", deviceConfig: { location: "nfs.example.org:/export/vhds" } } }]);
  const steps = await project.previewSteps();
  const step = stepFor(steps, "nfs-store")!;
  assert.equal(step.op, "replace");
  assert.ok(step.replaceReasons?.includes("type"), JSON.stringify(step));
  assert.equal(stepFor(steps, "iso-library"), undefined, "the untouched SR has no step");
});

test("invalid input fails at preview with the field and the reason, and nothing is created", async () => {
  const before = sim.db.all("SR").length;
  project.declare([isoLibrary(), nfsStore, { kind: "StorageRepository", name: "bad", args: { name: "bad", type: "nfs", deviceConfig: { server: "x" } } }]);
  const result = await project.run(["preview"]);
  assert.notEqual(result.code, 0);
  assert.match(result.stdout + result.stderr, /deviceConfig\.serverpath is required for a nfs SR/);
  assert.equal(sim.db.all("SR").length, before);
});

test("the update is applied in place, keeping the SR's uuid", async () => {
  const uuid = srsNamed("ISO library")[0].record.uuid;
  project.declare([isoLibrary({ description: "ISOs for boot-from-ISO" }), nfsStore]);
  await project.up();
  const [iso] = srsNamed("ISO library");
  assert.equal(iso.record.uuid, uuid);
  assert.equal(iso.record.name_description, "ISOs for boot-from-ISO");
});

test("refresh with nothing changed behind Pulumi's back reports no changes", async () => {
  const result = await project.run(["refresh", "--yes", "--expect-no-changes"]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
});

test("an SR changed behind Pulumi's back shows up after refresh, and the next up puts it back", async () => {
  // Out of band, through XenAPI as an operator's tool would do it.
  const operator = new XenApiSession(sim.masterUrl, { username: "root", password: PASSWORD }, { tls: { fingerprints: [sim.tls!.fingerprint256] } });
  const ref = await operator.call<string>("SR.get_by_uuid", srsNamed("ISO library")[0].record.uuid);
  await operator.call("SR.set_name_description", ref, "changed by hand");
  await operator.call("SR.remove_from_other_config", ref, "i18n-key");
  await operator.logout();

  const refreshed = await project.run(["refresh", "--yes", "--expect-no-changes"]);
  assert.notEqual(refreshed.code, 0, "refresh must see the drift");
  await project.ok(["refresh", "--yes"]);
  const steps = await project.previewSteps();
  const step = stepFor(steps, "iso-library")!;
  assert.equal(step.op, "update");
  assert.deepEqual(changedInputs(step), ["description", "otherConfig"]);
  await project.up();
  const [iso] = srsNamed("ISO library");
  assert.equal(iso.record.name_description, "ISOs for boot-from-ISO");
  assert.equal((iso.record.other_config as Record<string, string>)["i18n-key"], "local-storage-iso");
});

test("the state holds no plaintext password", async () => {
  const files = project.backendFiles();
  assert.ok(files.length > 0);
  for (const file of files) {
    assert.ok(!fs.readFileSync(file, "utf8").includes(PASSWORD), `${file} contains the XenAPI password`);
  }
  assert.ok(!(await project.stackExport()).includes(PASSWORD));
});

test("pulumi destroy forgets every SR it made and leaves no session open", async () => {
  await project.ok(["destroy", "--yes", "--skip-preview"]);
  assert.equal(srsNamed("ISO library").length, 0);
  assert.equal(srsNamed("NFS VHDs").length, 0);
  assert.equal(sim.db.all("PBD").filter((p) => !sim.db.all("SR").some((s) => s.ref === p.record.SR)).length, 0, "no PBD left behind");
  assert.ok(sim.counters.sessionsOpened > 0);
  assert.equal(sim.counters.sessionsOpen, 0, "every session the provider opened was logged out");
});
