import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { startSimulator, Simulator, PoolSpec } from "../../sim";
import { PluginProject, stepFor } from "./plugin-harness";

/**
 * A TypeScript/JavaScript program on the `xen` provider plugin (no dynamic provider): resources by type token, the
 * engine's detailed diff, and stable outputs (a Vm that uses an SR's uuid stays unchanged when only the SR's
 * description changes).
 */
const PASSWORD = "e2e-plugin-node-password";

const PROGRAM = `"use strict";
const pulumi = require("@pulumi/pulumi");
const spec = require("./spec.json");
const store = new pulumi.CustomResource("xen:index:StorageRepository", "store", { ...spec.sr, uuid: undefined, physicalSize: undefined });
const web = new pulumi.CustomResource("xen:index:Vm", "web", { ...spec.vm, sr: store.uuid, uuid: undefined, macs: undefined });
module.exports = { srUuid: store.uuid, vmUuid: web.uuid };
`;

const SR = { name: "plugin NFS", description: "first", type: "nfs", deviceConfig: { server: "nfs.example.org", serverpath: "/export/plugin" } };
const VM = {
  name: "plugin-web",
  template: "Debian Bookworm 12",
  bootMode: "pv",
  memory: { staticMax: "1GiB", dynamicMin: "512MiB", dynamicMax: "1GiB" },
  vcpus: 1,
  disks: [{ size: "12GiB", bootable: true }],
  tags: ["web"],
};

let sim: Simulator;
let project: PluginProject;
const declare = (sr: object, vm: object) => project.write({ "index.js": PROGRAM, "spec.json": JSON.stringify({ sr, vm }) });
const vms = () => sim.db.all("VM").filter((v) => !v.record.is_a_template && !v.record.is_control_domain);

before(async () => {
  const spec = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../../sim/pools/demo.json"), "utf8")) as PoolSpec;
  sim = await startSimulator({ ...spec, users: { root: PASSWORD } });
  project = await PluginProject.onSimulator("plugin-node", "nodejs", sim, PASSWORD);
});
after(async () => {
  project?.cleanup();
  await sim?.close();
});

test("a JavaScript program creates an SR and a VM on it through the xen plugin", async () => {
  declare(SR, VM);
  await project.up();
  const [sr] = sim.db.all("SR").filter((s) => s.record.name_label === "plugin NFS");
  assert.ok(sr, "the SR exists in xapi");
  const [vm] = vms().filter((v) => v.record.name_label === "plugin-web");
  assert.ok(vm, "the VM exists in xapi");
  const resources = await project.resources();
  const state = resources.find((r) => r.type === "xen:index:Vm");
  assert.equal(state?.id, vm.record.uuid, "the VM's id is its uuid");
  assert.equal(state?.inputs?.sr, sr.record.uuid, "the VM got the SR's uuid");
  assert.ok(resources.some((r) => r.type === "pulumi:providers:xen"), "a default xen provider, not the dynamic one");
  assert.equal(resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic")).length, 0);
});

test("a changed SR description previews as an update of exactly that field; the VM using its uuid is unchanged", async () => {
  declare({ ...SR, description: "second" }, VM);
  const steps = await project.previewSteps();
  assert.deepEqual(steps.map((s) => [s.op, s.urn.split("::").pop()]), [["update", "store"]]);
  assert.deepEqual((stepFor(steps, "store") as { detailedDiff?: object }).detailedDiff, { description: { kind: "update", inputDiff: true } });
  const text = (await project.ok(["preview", "--diff"])).stdout;
  assert.doesNotMatch(text, /unknown/, "no output of the SR becomes unknown");
});

test("a replacing field previews as a replace naming it", async () => {
  declare(SR, { ...VM, bootMode: "hvm" });
  const steps = await project.previewSteps();
  const web = stepFor(steps, "web") as { op: string; detailedDiff?: Record<string, { kind: string }>; replaceReasons?: string[] };
  assert.equal(web.op, "replace");
  assert.deepEqual(web.replaceReasons, ["bootMode"]);
  assert.equal(web.detailedDiff?.bootMode?.kind, "update-replace");
});

test("destroy leaves nothing behind", async () => {
  await project.ok(["destroy", "--yes", "--skip-preview"]);
  assert.equal(vms().filter((v) => v.record.name_label === "plugin-web").length, 0);
  assert.equal(sim.db.all("SR").filter((s) => s.record.name_label === "plugin NFS").length, 0);
});
