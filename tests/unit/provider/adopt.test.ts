import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSimulator, Simulator } from "../../../sim";
import { configureFor } from "./env";
import { callAsync, closeAllSessions, XenApiSession } from "../../../provider/xenapi";
import * as vm from "../../../provider/resources/vm";
import * as sr from "../../../provider/resources/storage-repository";
import * as pool from "../../../provider/resources/pool";

/** adopt: an existing object is taken as it is, or refused field by field; either way nothing is written. */
let sim: Simulator;
let vmUuid = "";
let srUuid = "";

before(async () => {
  sim = await startSimulator({
    name: "adopt",
    hosts: [{ name: "xs1" }],
    networks: [{ name: "net0" }],
    srs: [{ name: "Local storage", type: "ext", host: "xs1", deviceConfig: { device: "/dev/sda3" }, default: true }],
    templates: [{ name: "tmpl", memory: 1024 ** 3, vcpus: 1, disks: [{ size: 4 * 1024 ** 3 }] }],
    users: { root: "pw" },
  });
  configureFor(sim);
  const s = new XenApiSession(sim.masterUrl, { username: "root", password: "pw" }, { tls: { fingerprints: [sim.tls!.fingerprint256] } });
  const [template] = await s.call<string[]>("VM.get_by_name_label", "tmpl");
  const ref = await callAsync<string>(s, "VM.clone", [template, "legacy"]);
  await callAsync(s, "VM.provision", [ref]);
  await s.call("VM.set_is_a_template", ref, false);
  vmUuid = await s.call<string>("VM.get_uuid", ref);
  const [host] = await s.call<string[]>("host.get_all");
  srUuid = await s.call<string>("SR.get_uuid", await callAsync<string>(s, "SR.create", [host, { location: "/isos", legacy_mode: "true" }, "0", "isos", "", "iso", "iso", false, {}]));
  await s.logout();
});
after(async () => {
  await closeAllSessions();
  await sim?.close();
});

test("a VM declared as it is gets adopted without a write", async () => {
  const disk = sim.db.all("VDI").find((v) => (v.record.VBDs as string[]).length > 0)!;
  const { inputs, failures } = await vm.check({}, {
    adopt: vmUuid, name: "legacy", description: "Template tmpl", powerState: "halted",
    memory: { staticMax: 1024 ** 3, dynamicMin: 1024 ** 3, dynamicMax: 1024 ** 3 }, vcpus: 1,
    disks: [{ device: "0", size: Number(disk.record.virtual_size), bootable: true }],
  });
  assert.deepEqual(failures, []);
  const writes = sim.counters.writeCalls();
  const { id } = await vm.create(inputs);
  assert.equal(id, vmUuid);
  assert.equal(sim.counters.writeCalls(), writes);
});

test("a VM that differs is refused with every differing field, and nothing is written", async () => {
  const { inputs } = await vm.check({}, { adopt: vmUuid, name: "legacy-renamed", powerState: "running", memory: "2GiB", vcpus: 1 });
  const writes = sim.counters.writeCalls();
  await assert.rejects(vm.create(inputs), (err: Error) => {
    assert.match(err.message, /^adopt: VM "legacy-renamed" [0-9a-f-]+ differs from the program/);
    assert.match(err.message, /name: the program says "legacy-renamed", it is "legacy"/);
    assert.match(err.message, /powerState: the program says "running", it is "halted"/);
    assert.match(err.message, /memory: the program says .*2147483648.*, it is .*1073741824/);
    assert.match(err.message, /description: the program says "", it is "Template tmpl"/);
    return true;
  });
  assert.equal(sim.counters.writeCalls(), writes);
});

test("an SR is adopted as it is, refused when it differs; adopting a missing uuid says so", async () => {
  const declared = { adopt: srUuid, name: "isos", type: "iso", deviceConfig: { location: "/isos", legacy_mode: "true" }, shared: false, host: "xs1" };
  const ok = sr.check({}, declared).inputs;
  assert.equal((await sr.create(ok)).id, srUuid);
  await assert.rejects(sr.create(sr.check({}, { ...declared, otherConfig: { "i18n-key": "local-storage-iso" } }).inputs), /otherConfig: the program says \{"i18n-key":"local-storage-iso"\}, it is \{\}/);
  await assert.rejects(sr.create(sr.check({}, { ...declared, adopt: "00000000-0000-0000-0000-000000000000" }).inputs), /adopt: there is no SR with uuid 00000000/);
});

test("the pool is adopted only when the connection reaches that pool and it is as declared", async () => {
  const record = sim.db.all("pool")[0].record;
  const inputs = pool.check({}, { adopt: record.uuid, name: record.name_label }).inputs;
  assert.equal((await pool.create(inputs)).id, record.uuid);
  await assert.rejects(pool.create(pool.check({}, { adopt: "elsewhere", name: "x" }).inputs), /the connection reaches pool .*, not elsewhere/);
  await assert.rejects(pool.create(pool.check({}, { adopt: record.uuid, name: "other name" }).inputs), /name: the program says "other name"/);
});
