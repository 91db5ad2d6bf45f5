import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { startSimulator, Simulator, PoolSpec } from "../../sim";
import { PluginProject, stepFor } from "./plugin-harness";

/**
 * A Pulumi YAML program on the `xen` provider plugin (the YAML language host reads the plugin's schema; no SDK
 * needed): an SR and a VM on it, a one-field change, an SR change that leaves the VM using its uuid alone, destroy.
 */
const PASSWORD = "e2e-plugin-yaml-password";

const SR = { name: "yaml NFS", description: "first", type: "nfs", deviceConfig: { server: "nfs.example.org", serverpath: "/export/yaml" } };
const VM = {
  name: "yaml-web",
  template: "Debian Bookworm 12",
  bootMode: "pv",
  memory: "1GiB", // one size (a union in the schema: number, string or the four limits)
  vcpus: 1,
  disks: [{ size: "12GiB", bootable: true }],
  tags: ["web"],
};

/** Pulumi.yaml's resources (YAML takes JSON as flow style); the VM's `sr` is the SR's uuid output. */
const program = (sr: object, vm: object) =>
  `resources:\n` +
  `  store:\n    type: xen:index:StorageRepository\n    properties: ${JSON.stringify(sr)}\n` +
  `  web:\n    type: xen:index:Vm\n    properties: ${JSON.stringify({ ...vm, sr: "${store.uuid}" })}\n` +
  `outputs:\n  vmUuid: \${web.uuid}\n  srUuid: \${store.uuid}\n`;

let sim: Simulator;
let project: PluginProject;
const declare = (sr: object, vm: object) => project.write({}, program(sr, vm));
const vms = () => sim.db.all("VM").filter((v) => !v.record.is_a_template && !v.record.is_control_domain && v.record.name_label === "yaml-web");
const srs = () => sim.db.all("SR").filter((s) => s.record.name_label === "yaml NFS");

before(async () => {
  const spec = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../../sim/pools/demo.json"), "utf8")) as PoolSpec;
  sim = await startSimulator({ ...spec, users: { root: PASSWORD } });
  project = await PluginProject.onSimulator("plugin-yaml", "yaml", sim, PASSWORD);
});
after(async () => {
  project?.cleanup();
  await sim?.close();
});

test("a YAML program creates an SR and a VM that uses its uuid", async () => {
  declare(SR, VM);
  await project.up();
  const [sr] = srs();
  const [vm] = vms();
  assert.ok(sr && vm, "the SR and the VM exist in xapi");
  const outputs = JSON.parse((await project.ok(["stack", "output", "--json"])).stdout);
  assert.equal(outputs.vmUuid, vm.record.uuid);
  assert.equal(outputs.srUuid, sr.record.uuid);
  const state = (await project.resources()).find((r) => r.type === "xen:index:Vm");
  assert.equal(state?.inputs?.sr, sr.record.uuid);
  assert.equal(state?.inputs?.memory && (state.inputs.memory as { staticMax: number }).staticMax, 1024 ** 3, "sizes normalized to bytes");
});

test("a second preview shows no change", async () => {
  assert.deepEqual(await project.previewSteps(), []);
});

test("a one-field change of the VM previews as an update of exactly that field, and applies", async () => {
  declare(SR, { ...VM, tags: ["web", "blue"] });
  const steps = await project.previewSteps();
  assert.deepEqual(steps.map((s) => [s.op, s.urn.split("::").pop()]), [["update", "web"]]);
  assert.deepEqual((stepFor(steps, "web") as { detailedDiff?: object }).detailedDiff, { tags: { kind: "update", inputDiff: true } });
  await project.up();
  assert.deepEqual([...(vms()[0].record.tags as string[])].sort(), ["blue", "web"]);
});

test("changing only the SR's description leaves the VM that uses its uuid unchanged", async () => {
  declare({ ...SR, description: "second" }, { ...VM, tags: ["web", "blue"] });
  const steps = await project.previewSteps();
  assert.deepEqual(steps.map((s) => [s.op, s.urn.split("::").pop()]), [["update", "store"]]);
  assert.deepEqual((stepFor(steps, "store") as { detailedDiff?: object }).detailedDiff, { description: { kind: "update", inputDiff: true } });
  await project.up();
  assert.equal(srs()[0].record.name_description, "second");
});

test("refresh reads both back as the program declares them: the next preview shows no change", async () => {
  await project.ok(["refresh", "--yes", "--skip-preview"]);
  await project.ok(["preview", "--expect-no-changes"]);
});

test("the password stays out of the state", async () => {
  for (const file of project.backendFiles()) assert.doesNotMatch(fs.readFileSync(file, "utf8"), new RegExp(PASSWORD), file);
});

test("destroy leaves nothing behind", async () => {
  await project.ok(["destroy", "--yes", "--skip-preview"]);
  assert.equal(vms().length, 0);
  assert.equal(srs().length, 0);
  assert.deepEqual((await project.resources()).filter((r) => r.type.startsWith("xen:")), []);
});
