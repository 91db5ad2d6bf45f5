import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { startSimulator, Simulator, PoolSpec } from "../../sim";
import { callAsync, XenApiSession } from "../../provider/xenapi";
import { PluginProject } from "./plugin-harness";

/**
 * `pulumi import` through the xen plugin, on a YAML program: an existing VM, SR and the pool are read into the
 * state without a write to xapi, Pulumi prints the program for them, and that program then previews with no change.
 * And the `import` resource option in code.
 */
const PASSWORD = "e2e-plugin-import-password";
// js-yaml ships with @pulumi/pulumi (no types): to merge what `pulumi import` prints into Pulumi.yaml.
const yaml = require(require.resolve("js-yaml", { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] })) as {
  load(text: string): any;
  dump(value: unknown): string;
};

let sim: Simulator;
let project: PluginProject;
let vmUuid = "";
let srUuid = "";
let poolUuid = "";
const program: { resources: Record<string, any> } = { resources: {} };

before(async () => {
  const spec = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../../sim/pools/demo.json"), "utf8")) as PoolSpec;
  sim = await startSimulator({ ...spec, users: { root: PASSWORD } });
  // What an operator made by hand: a running VM from the template (with a VIF and the pool's disks) and an NFS SR.
  const s = new XenApiSession(sim.masterUrl, { username: "root", password: PASSWORD }, { tls: { fingerprints: [sim.tls!.fingerprint256] } });
  const [template] = await s.call<string[]>("VM.get_by_name_label", "Debian Bookworm 12");
  const vm = await callAsync<string>(s, "VM.clone", [template, "hand-made"]);
  await callAsync(s, "VM.provision", [vm]);
  await s.call("VM.set_is_a_template", vm, false);
  await s.call("VM.add_tags", vm, "legacy");
  const [network] = await s.call<string[]>("network.get_all");
  await s.call("VIF.create", { device: "0", network, VM: vm, MAC: "02:00:00:00:00:07", MTU: "1500", other_config: {}, qos_algorithm_type: "", qos_algorithm_params: {} });
  await callAsync(s, "VM.start", [vm, false, false]);
  vmUuid = await s.call<string>("VM.get_uuid", vm);
  const [host] = await s.call<string[]>("host.get_all");
  const sr = await callAsync<string>(s, "SR.create", [host, { server: "nfs.example.org", serverpath: "/export/old" }, "0", "old NFS", "made by hand", "nfs", "user", true, {}]);
  srUuid = await s.call<string>("SR.get_uuid", sr);
  const [pool] = await s.call<string[]>("pool.get_all");
  poolUuid = await s.call<string>("pool.get_uuid", pool);
  await s.logout();
  project = await PluginProject.onSimulator("plugin-import", "yaml", sim, PASSWORD);
  project.write({}, "resources: {}\n");
});
after(async () => {
  project?.cleanup();
  await sim?.close();
});

/** `pulumi import <type> <name> <id>`: no write to xapi; the printed program is added to Pulumi.yaml. */
async function importOne(type: string, name: string, id: string): Promise<Record<string, any>> {
  const writes = sim.counters.writeCalls();
  const out = path.join(project.dir, `${name}.import.yaml`);
  await project.ok(["import", type, name, id, "--yes", "--protect=false", "--out", out]);
  assert.equal(sim.counters.writeCalls(), writes, "import writes nothing to xapi");
  const generated = yaml.load(fs.readFileSync(out, "utf8"));
  const resource = generated.resources[name];
  // YAML writes the short form of the token (xen:Vm for xen:index:Vm).
  assert.ok([type, type.replace(":index:", ":")].includes(resource.type), `${resource.type} names ${type}`);
  program.resources[name] = resource;
  project.write({}, yaml.dump(program));
  return resource.properties;
}

test("pulumi import of an existing VM records it and prints a program that describes all of it", async () => {
  const props = await importOne("xen:index:Vm", "web", vmUuid);
  assert.equal(props.name, "hand-made");
  assert.equal(props.bootMode, "pv");
  assert.equal(props.powerState, "running");
  assert.deepEqual(props.tags, ["legacy"]);
  assert.equal(props.disks.length, 1);
  assert.equal(props.disks[0].size, 10737418240);
  assert.equal(props.networkInterfaces[0].device, "0");
  assert.equal(props.memory.staticMax, 2147483648);
  const state = (await project.resources()).find((r) => r.type === "xen:index:Vm");
  assert.equal(state?.id, vmUuid);
});

test("after the VM's import, preview --expect-no-changes passes", async () => {
  await project.ok(["preview", "--expect-no-changes"]);
});

test("pulumi import of an SR and of the pool, then preview --expect-no-changes", async () => {
  const sr = await importOne("xen:index:StorageRepository", "old-nfs", srUuid);
  assert.equal(sr.type, "nfs");
  assert.deepEqual(sr.deviceConfig, { server: "nfs.example.org", serverpath: "/export/old" });
  assert.equal(sr.description, "made by hand");
  const pool = await importOne("xen:index:Pool", "pool", poolUuid);
  assert.equal(pool.name, sim.db.all("pool")[0].record.name_label);
  await project.ok(["preview", "--expect-no-changes"]);
});

test("an imported VM is then managed: a changed field previews as an update of exactly it, and applies", async () => {
  program.resources.web.properties.tags = ["legacy", "managed"];
  project.write({}, yaml.dump(program));
  const steps = await project.previewSteps();
  assert.deepEqual(steps.map((s) => [s.op, s.urn.split("::").pop(), (s as { detailedDiff?: object }).detailedDiff]), [
    ["update", "web", { tags: { kind: "update", inputDiff: true } }],
  ]);
  await project.up();
  const vm = sim.db.all("VM").find((v) => v.record.uuid === vmUuid)!;
  assert.deepEqual([...(vm.record.tags as string[])].sort(), ["legacy", "managed"]);
});

test("the import resource option in code takes the VM under management without a write", async () => {
  await project.ok(["state", "delete", (await project.resources()).find((r) => r.type === "xen:index:Vm")!.urn, "--yes"]);
  program.resources.web.options = { import: vmUuid };
  project.write({}, yaml.dump(program));
  const writes = sim.counters.writeCalls();
  await project.up();
  assert.equal(sim.counters.writeCalls(), writes, "importing writes nothing");
  assert.equal((await project.resources()).find((r) => r.type === "xen:index:Vm")?.id, vmUuid);
  delete program.resources.web.options;
  project.write({}, yaml.dump(program));
  await project.ok(["preview", "--expect-no-changes"]);
});

test("a uuid that names nothing fails the import, naming it", async () => {
  const result = await project.run(["import", "xen:index:Vm", "ghost", "00000000-0000-0000-0000-000000000000", "--yes"]);
  assert.notEqual(result.code, 0);
  assert.match(result.stdout + result.stderr, /00000000-0000-0000-0000-000000000000/);
  assert.match(result.stdout + result.stderr, /does not exist/);
});
