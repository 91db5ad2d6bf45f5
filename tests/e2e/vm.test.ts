import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { startSimulator, Simulator, PoolSpec } from "../../sim";
import { PulumiProject, stepFor, ResourceDeclaration, changedInputs } from "./pulumi-harness";
import { XenApiSession } from "../../provider/xenapi";

/** The Vm resource through the real `pulumi` CLI against the simulated demo pool. */
const PASSWORD = "e2e-vm-password";
const NETWORK = "Pool-wide network associated with eth0";
let sim: Simulator;
let project: PulumiProject;

const computeVm = (args: Record<string, unknown> = {}): ResourceDeclaration => ({
  kind: "Vm",
  name: "compute",
  args: {
    name: "nova-compute",
    template: "Debian Bookworm 12",
    bootMode: "pv",
    pvBootloader: "pygrub",
    memory: { staticMax: "2GiB", dynamicMin: "1GiB", dynamicMax: "2GiB" },
    vcpus: 2,
    disks: [{ device: "0", size: "12GiB", bootable: true }], // the template's disk, grown
    networkInterfaces: [{ network: NETWORK, mac: "02:16:3E:00:00:01" }],
    tags: ["openstack"],
    ...args,
  },
});

const vms = () => sim.db.all("VM").filter((v) => !v.record.is_a_template && !v.record.is_control_domain);
const ownedVdis = () => sim.db.all("VDI").filter((v) => Object.keys(v.record.other_config as object).includes("pulumi-xen:owner"));

before(async () => {
  const spec = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../../sim/pools/demo.json"), "utf8")) as PoolSpec;
  sim = await startSimulator({ ...spec, users: { root: PASSWORD } });
  project = await PulumiProject.onSimulator("vm", sim, PASSWORD);
});
after(async () => {
  project?.cleanup();
  await sim?.close();
});

test("pulumi up makes the PV VM from its template, running, with the declared hardware", async () => {
  project.declare([computeVm()]);
  await project.up();
  assert.equal(vms().length, 1);
  const vm = vms()[0].record;
  assert.equal(vm.name_label, "nova-compute");
  assert.equal(vm.power_state, "Running");
  assert.equal(vm.HVM_boot_policy, "", "PV, as the guide requires for the nova-compute VM");
  assert.equal(vm.memory_dynamic_min, String(1024 ** 3));
  assert.equal(vm.VCPUs_at_startup, "2");
  const vif = sim.db.get("VIF", (vm.VIFs as string[])[0]);
  assert.equal(vif.MAC, "02:16:3e:00:00:01");
});

test("a second preview has no changes", async () => {
  const result = await project.run(["preview", "--expect-no-changes"]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
});

test("in-place changes preview as updates of exactly that field", async () => {
  for (const [args, field] of [
    [{ description: "compute node" }, "description"],
    [{ memory: { staticMax: "2GiB", dynamicMin: "1536MiB", dynamicMax: "2GiB" } }, "memory"],
    [{ tags: ["openstack", "nova"] }, "tags"],
    [{ disks: [{ device: "0", size: "16GiB", bootable: true }] }, "disks"],
  ] as const) {
    project.declare([computeVm(args)]);
    const step = stepFor(await project.previewSteps(), "compute")!;
    assert.equal(step.op, "update", JSON.stringify(args));
    assert.deepEqual(changedInputs(step), [field]);
  }
});

test("a different template previews as a replace naming the property", async () => {
  project.declare([computeVm({ template: "Other install media", bootMode: "hvm", pvBootloader: undefined })]);
  const step = stepFor(await project.previewSteps(), "compute")!;
  assert.equal(step.op, "replace");
  assert.deepEqual([...(step.replaceReasons ?? [])].sort(), ["bootMode", "template"]);
});

test("invalid input fails at preview naming the field, and nothing changes in xapi", async () => {
  const writesBefore = sim.counters.writeCalls();
  for (const [args, message] of [
    [{ networkInterfaces: [{ network: NETWORK, mac: "02:16:3e:00:00:zz" }] }, /networkInterfaces\[0\]\.mac.*has a problem: "02:16:3e:00:00:zz" is not a MAC address/],
    [{ memory: { staticMax: "1GiB", dynamicMin: "2GiB", dynamicMax: "2GiB" } }, /property memory.*has a problem: memory limits out of order: dynamicMax 2GiB > staticMax 1GiB/],
    [{ networkInterfaces: [{ network: "no-such-network" }] }, /networkInterfaces\[0\]\.network.*has a problem: no network with uuid or name "no-such-network"/],
    [{ disks: [{ device: "0", size: "8GiB", bootable: true }] }, /disks\[0\]\.size.*has a problem: disk 0 cannot shrink from 12GiB to 8GiB/],
    [{ memory: "4GiB" }, /property memory.*has a problem: static memory limits can only change while the VM is halted: set allowRestart/],
  ] as const) {
    project.declare([computeVm(args)]);
    const result = await project.run(["preview"]);
    assert.notEqual(result.code, 0, JSON.stringify(args));
    assert.match(result.stdout + result.stderr, message);
  }
  assert.equal(sim.counters.writeCalls(), writesBefore, "preview wrote nothing");
});

test("a newcomer's Vm without memory and vcpus and a wrong template name: preview shows the template failure, not a protobuf error", async () => {
  const writesBefore = sim.counters.writeCalls();
  project.declare([computeVm(), { kind: "Vm", name: "newcomer", args: { name: "web", template: "Debian Bookwurm 12" } }]);
  const result = await project.run(["preview"]);
  assert.notEqual(result.code, 0);
  assert.match(result.stdout + result.stderr, /property template.*has a problem: no VM with uuid or name "Debian Bookwurm 12"/);
  assert.doesNotMatch(result.stdout + result.stderr, /Unexpected struct type/);
  assert.equal(sim.counters.writeCalls(), writesBefore, "preview wrote nothing");
});

test("the template's disk on another SR fails at preview naming both disks", async () => {
  const templateDiskSr = sim.db.get("SR", sim.db.get("VDI", sim.db.get("VBD", (vms()[0].record.VBDs as string[]).find((r) => sim.db.get("VBD", r).userdevice === "0")!).VDI as string).SR as string);
  const other = sim.db.all("SR").find((x) => x.record.content_type !== "iso" && x.record.uuid !== templateDiskSr.uuid)!.record.uuid as string;
  project.declare([computeVm({ disks: [{ device: "0", size: "12GiB", bootable: true, sr: other }] })]);
  const result = await project.run(["preview"]);
  assert.notEqual(result.code, 0);
  assert.match(result.stdout + result.stderr, new RegExp(`disks\\[0\\]\\.sr.*has a problem: disks\\[0\\] \\(device 0, 12GiB, SR "[^"]+" \\(${other}\\)\\) is template "Debian Bookworm 12" \\([0-9a-f-]+\\)'s disk 0 \\(10GiB, SR "[^"]+" \\(${templateDiskSr.uuid}\\)\\)`));
});

test("in-place updates are applied without replacing the VM", async () => {
  const uuid = vms()[0].record.uuid;
  project.declare([computeVm({ description: "compute node", tags: ["nova", "openstack"], disks: [{ device: "0", size: "16GiB", bootable: true }], allowRestart: true })]);
  await project.up();
  const vm = vms()[0].record;
  assert.equal(vm.uuid, uuid);
  assert.equal(vm.name_description, "compute node");
  assert.equal(vm.power_state, "Running");
  const result = await project.run(["preview", "--expect-no-changes"]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
});

test("a disk without device is added after the template's; dropping it fails at preview naming it, until allowDiskRemoval", async () => {
  const updated = { description: "compute node", tags: ["nova", "openstack"], allowRestart: true };
  const root = { device: "0", size: "16GiB", bootable: true };
  project.declare([computeVm({ ...updated, disks: [root, { size: "1GiB", name: "scratch" }] })]);
  await project.up();
  const disks = () => new Map((vms()[0].record.VBDs as string[]).map((r) => sim.db.get("VBD", r)).filter((b) => b.type === "Disk").map((b) => [b.userdevice as string, sim.db.get("VDI", b.VDI as string)]));
  assert.deepEqual([...disks().keys()].sort(), ["0", "1"]);
  assert.equal(Number(disks().get("0")!.virtual_size), 16 * 1024 ** 3, "the template's disk is untouched by the new one");
  assert.equal(disks().get("1")!.name_label, "scratch");
  project.declare([computeVm({ ...updated, disks: [root] })]);
  const refused = await project.run(["preview"]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stdout + refused.stderr, /property disks.*has a problem: disk 1 \(1GiB, .*\) is no longer declared: the update would detach it and destroy it \(this VM made it\)\. .*set allowDiskRemoval: true/);
  project.declare([computeVm({ ...updated, disks: [root], allowDiskRemoval: true })]);
  await project.up();
  assert.deepEqual([...disks().keys()], ["0"]);
});

test("a VM changed behind Pulumi's back shows as drift after refresh", async () => {
  const operator = new XenApiSession(sim.masterUrl, { username: "root", password: PASSWORD }, { tls: { fingerprints: [sim.tls!.fingerprint256] } });
  const ref = await operator.call<string>("VM.get_by_uuid", vms()[0].record.uuid);
  await operator.call("VM.set_name_label", ref, "renamed-by-hand");
  await operator.call("VM.add_tags", ref, "hand-made");
  await operator.logout();
  assert.notEqual((await project.run(["refresh", "--yes", "--expect-no-changes"])).code, 0, "refresh sees the drift");
  await project.ok(["refresh", "--yes"]);
  const step = stepFor(await project.previewSteps(), "compute")!;
  assert.equal(step.op, "update");
  assert.deepEqual(changedInputs(step), ["name", "tags"]);
});

test("pulumi destroy removes the VM and every disk it made, and closes its session", async () => {
  await project.ok(["destroy", "--yes", "--skip-preview"]);
  assert.equal(vms().length, 0);
  assert.equal(ownedVdis().length, 0);
  assert.equal(sim.counters.sessionsOpen, 0);
});
