import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSimulator, Simulator } from "../../../sim";
import { configureFor } from "./env";
import { callAsync, closeAllSessions, XenApiSession } from "../../../provider/xenapi";
import * as sr from "../../../provider/resources/storage-repository";

/** StorageRepository's create state machine: what an interrupted create left is found and finished, never made twice. */
let sim: Simulator;
let s: XenApiSession;
const OWNER = "test/unit/StorageRepository/images";

before(async () => {
  sim = await startSimulator({ name: "sr", hosts: [{ name: "xs1" }, { name: "xs2" }], users: { root: "pw" } });
  configureFor(sim);
  s = new XenApiSession(sim.masterUrl, { username: "root", password: "pw" }, { tls: { fingerprints: [sim.tls!.fingerprint256] } });
});
after(async () => {
  await s?.logout();
  await closeAllSessions();
  await sim?.close();
});

const args = { name: "images", type: "nfs", deviceConfig: { server: "nfs.example.org", serverpath: "/export/images" }, otherConfig: { purpose: "x" }, tags: ["b", "a"], ownerKey: OWNER };
const nfsSrs = () => sim.db.all("SR").filter((x) => x.record.type === "nfs");

test("an SR.create whose answer never came (crash, timeout) is found by its creating name: tagged, plugged, renamed, not made twice", async () => {
  // What the interrupted run left: the SR, named "creating", untagged, one of its PBDs unplugged.
  const [master] = await s.call<string[]>("host.get_all");
  const ref = await callAsync<string>(s, "SR.create", [master, args.deviceConfig, "0", `pulumi-xen creating ${OWNER}`, "", "nfs", "user", true, {}]);
  const [pbd] = await s.call<string[]>("SR.get_PBDs", ref);
  await callAsync(s, "PBD.unplug", [pbd]);
  assert.equal(nfsSrs().length, 1);

  const { inputs, failures } = sr.check({}, args);
  assert.deepEqual(failures, []);
  const { id, outs } = await sr.create(inputs);
  assert.equal(nfsSrs().length, 1, "no second SR");
  const record = sim.db.byUuid("SR", id)!.record;
  assert.equal(record.name_label, "images");
  assert.equal((record.other_config as Record<string, string>)["pulumi-xen:owner"], OWNER);
  assert.equal((record.other_config as Record<string, string>).purpose, "x");
  assert.deepEqual([...(record.tags as string[])].sort(), ["a", "b"]);
  assert.equal(outs.attachedHosts.length, 2, "the PBD the interrupted run left unplugged is plugged");

  // After its last step (renamed) it is found by name and owner tag: a second create is the same SR.
  const again = await sr.create(inputs);
  assert.equal(again.id, id);
  assert.equal(nfsSrs().length, 1);
  await sr.remove(id, outs);
  assert.equal(nfsSrs().length, 0);
});

test("an SR of the same name that is not ours is never taken over", async () => {
  const [master] = await s.call<string[]>("host.get_all");
  const theirs = await callAsync<string>(s, "SR.create", [master, args.deviceConfig, "0", "images", "", "nfs", "user", true, {}]);
  const { inputs } = sr.check({}, args);
  const { id, outs } = await sr.create(inputs);
  assert.notEqual(sim.db.byUuid("SR", id)!.ref, theirs);
  assert.equal(nfsSrs().length, 2);
  await sr.remove(id, outs);
  assert.ok(sim.db.all("SR").some((x) => x.ref === theirs));
});
