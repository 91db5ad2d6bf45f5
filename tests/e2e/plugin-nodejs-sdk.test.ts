import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { startSimulator, Simulator, PoolSpec } from "../../sim";
import { PluginProject, stepFor } from "./plugin-harness";

/**
 * A JavaScript program on the Node.js SDK generated from the plugin's schema (scripts/gen-sdk.sh nodejs, compiled
 * with tsc as its package.json says): typed resource classes and outputs, on the xen plugin.
 */
const PASSWORD = "e2e-plugin-nodejs-sdk-password";
const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

const PROGRAM = `"use strict";
const xen = require("@pulumi-xen/xen");
const spec = require("./spec.json");
const store = new xen.StorageRepository("store", { name: "node-sdk NFS", description: spec.srDescription, type: "nfs",
  deviceConfig: { server: "nfs.example.org", serverpath: "/export/node-sdk" } });
const web = new xen.Vm("web", { name: "node-sdk-web", template: "Debian Bookworm 12", bootMode: "pv", memory: "1GiB", vcpus: 1,
  disks: [{ size: "12GiB", bootable: true }], sr: store.uuid, tags: spec.tags });
exports.vmUuid = web.uuid;
exports.macs = web.macs;
`;

let sim: Simulator;
let project: PluginProject;
let sdk: string;
const declare = (srDescription: string, tags: string[]) => project.write({ "index.js": PROGRAM, "spec.json": JSON.stringify({ srDescription, tags }) });
const vms = () => sim.db.all("VM").filter((v) => !v.record.is_a_template && v.record.name_label === "node-sdk-web");

before(async () => {
  // Inside the repo, so that the SDK's own require("@pulumi/pulumi") resolves to the repo's copy.
  sdk = path.join(REPO_ROOT, ".work", "node-sdk");
  fs.rmSync(sdk, { recursive: true, force: true });
  execFileSync("bash", [path.join(REPO_ROOT, "scripts", "gen-sdk.sh"), "nodejs", sdk], { stdio: "inherit" });
  execFileSync(path.join(REPO_ROOT, "node_modules", ".bin", "tsc"), ["-p", sdk], { stdio: "inherit" });
  fs.copyFileSync(path.join(sdk, "package.json"), path.join(sdk, "bin", "package.json"));
  const spec = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "sim", "pools", "demo.json"), "utf8")) as PoolSpec;
  sim = await startSimulator({ ...spec, users: { root: PASSWORD } });
  project = await PluginProject.onSimulator("plugin-nodejs-sdk", "nodejs", sim, PASSWORD);
  fs.mkdirSync(path.join(project.dir, "node_modules", "@pulumi-xen"), { recursive: true });
  fs.symlinkSync(path.join(sdk, "bin"), path.join(project.dir, "node_modules", "@pulumi-xen", "xen"));
});
after(async () => {
  project?.cleanup();
  await sim?.close();
});

test("a program on the generated Node.js SDK creates an SR and a VM with typed outputs", async () => {
  declare("first", ["web"]);
  await project.up();
  const [vm] = vms();
  assert.ok(vm, "the VM exists in xapi");
  const outputs = JSON.parse((await project.ok(["stack", "output", "--json"])).stdout);
  assert.equal(outputs.vmUuid, vm.record.uuid);
  assert.equal(typeof outputs.macs, "object");
});

test("a one-field change is an update of exactly it; an SR-only change leaves the VM unchanged", async () => {
  declare("first", ["web", "red"]);
  let steps = await project.previewSteps();
  assert.deepEqual(steps.map((s) => [s.op, s.urn.split("::").pop(), (s as { detailedDiff?: object }).detailedDiff]), [
    ["update", "web", { tags: { kind: "update", inputDiff: true } }],
  ]);
  declare("second", ["web"]);
  steps = await project.previewSteps();
  assert.deepEqual(steps.map((s) => [s.op, s.urn.split("::").pop()]), [["update", "store"]]);
  assert.deepEqual((stepFor(steps, "store") as { detailedDiff?: object }).detailedDiff, { description: { kind: "update", inputDiff: true } });
});

test("destroy leaves nothing behind", async () => {
  await project.ok(["destroy", "--yes", "--skip-preview"]);
  assert.equal(vms().length, 0);
  assert.equal(sim.db.all("SR").filter((s) => s.record.name_label === "node-sdk NFS").length, 0);
});
