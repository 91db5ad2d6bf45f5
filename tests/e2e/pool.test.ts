import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { startSimulator, Simulator } from "../../sim";
import { PulumiProject, stepFor, ResourceDeclaration, changedInputs } from "./pulumi-harness";
import { XenApiSession } from "../../provider/xenapi";

/** The Pool resource through the real `pulumi` CLI: settings in place, a standalone host joined, then ejected. */
const PASSWORD = "e2e-pool";
let pool: Simulator;
let spare: Simulator;
let project: PulumiProject;
/** The spare host's own URL (the Simulator object follows the pool its port serves, so keep this one). */
let spareUrl = "";

const poolDecl = (args: Record<string, unknown> = {}): ResourceDeclaration => ({
  kind: "Pool",
  name: "pool",
  args: { name: "openstack", description: "compute pool", defaultSr: "Shared VHDs", otherConfig: { owner: "infra" }, ...args },
});
const hostsInPool = () => pool.db.all("host").map((h) => h.record.name_label).sort();

before(async () => {
  pool = await startSimulator({
    name: "original",
    hosts: [{ name: "xs1" }, { name: "xs2" }],
    srs: [{ name: "Shared VHDs", type: "nfs", shared: true, deviceConfig: { server: "filer", serverpath: "/vhds" } }],
    users: { root: PASSWORD },
  });
  spare = await startSimulator({ name: "spare", hosts: [{ name: "xs3" }], users: { root: PASSWORD } });
  spareUrl = spare.hosts[0].url;
  project = new PulumiProject("pool");
  // Every host has its own certificate: pin both.
  await project.init(
    { "xen:url": pool.hosts[1].url, "xen:tlsFingerprint": `${pool.tls!.fingerprint256},${spare.tls!.fingerprint256}` },
    { "xen:password": PASSWORD },
  );
});
after(async () => {
  project?.cleanup();
  await spare?.close();
  await pool?.close();
});

test("the pool is taken under management through a member's address, and its settings applied", async () => {
  project.declare([poolDecl()]);
  await project.up();
  const record = pool.db.all("pool")[0].record;
  assert.equal(record.name_label, "openstack");
  assert.equal(record.name_description, "compute pool");
  assert.equal(pool.db.get("SR", record.default_SR as string).name_label, "Shared VHDs");
  assert.equal((record.other_config as Record<string, string>).owner, "infra");
  assert.equal((await project.run(["preview", "--expect-no-changes"])).code, 0);
});

test("a changed description previews as an update of that field", async () => {
  project.declare([poolDecl({ description: "nova compute pool" })]);
  const step = stepFor(await project.previewSteps(), "pool")!;
  assert.equal(step.op, "update");
  assert.deepEqual(changedInputs(step), ["description"]);
});

test("invalid input fails at preview naming the field; drift made by hand shows after refresh", async () => {
  project.declare([poolDecl({ name: "" })]);
  const bad = await project.run(["preview"]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stdout + bad.stderr, /property name .*has a problem: name is required/);
  project.declare([poolDecl()]);
  pool.db.set("pool", pool.db.all("pool")[0].ref, "name_label", "renamed in XenCenter");
  assert.notEqual((await project.run(["refresh", "--yes", "--expect-no-changes"])).code, 0);
  await project.ok(["refresh", "--yes"]);
  assert.deepEqual(changedInputs(stepFor(await project.previewSteps(), "pool")!), ["name"]);
  await project.up();
  assert.equal(pool.db.all("pool")[0].record.name_label, "openstack");
});

test("a standalone host listed in members joins the pool (the master listed too is left as it is)", async () => {
  project.declare([poolDecl({ members: [spareUrl, pool.hosts[0].url] })]);
  await project.up();
  assert.deepEqual(hostsInPool(), ["xs1", "xs2", "xs3"]);
  const nfs = pool.db.all("SR").find((s) => s.record.name_label === "Shared VHDs")!;
  assert.equal((nfs.record.PBDs as string[]).length, 3, "the shared SR reaches the new host");
  const fingerprints = [spare.tls!.fingerprint256, pool.tls!.fingerprint256];
  const asMember = new XenApiSession(spareUrl, { username: "root", password: PASSWORD }, { tls: { fingerprints } }, false);
  await assert.rejects(asMember.call("host.get_all").finally(() => asMember.logout()), /HOST_IS_SLAVE/);
  assert.equal((await project.run(["preview", "--expect-no-changes"])).code, 0, "membership reads back as declared");
});

test("removing a member does not eject it unless asked; with ejectRemovedMembers it leaves", async () => {
  project.declare([poolDecl()]);
  await project.up();
  assert.deepEqual(hostsInPool(), ["xs1", "xs2", "xs3"], "still a member: removing it from the list only stops managing it");
  project.declare([poolDecl({ members: [spareUrl] })]);
  await project.up();
  assert.equal((await project.run(["refresh", "--yes", "--expect-no-changes"])).code, 0, "membership reads back");
  project.declare([poolDecl({ ejectRemovedMembers: true })]);
  await project.up();
  assert.deepEqual(hostsInPool(), ["xs1", "xs2"]);
});

test("deleting the resource releases the pool without changing it, and closes the sessions", async () => {
  await project.ok(["destroy", "--yes", "--skip-preview"]);
  const record = pool.db.all("pool")[0].record;
  assert.equal(record.name_label, "openstack", "a pool is released, not destroyed");
  assert.equal(pool.counters.sessionsOpen, 0);
});
