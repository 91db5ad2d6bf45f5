import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { startSimulator, Simulator } from "../../sim";
import { PulumiProject, ResourceDeclaration } from "./pulumi-harness";
import { summarizePreview } from "../../cli/preview-summary";

/** The PR-check example's summary, computed from a real `pulumi preview --json`. */
const PASSWORD = "pr-check";
let sim: Simulator;
let project: PulumiProject;

const iso = (args: Record<string, unknown> = {}): ResourceDeclaration => ({
  kind: "StorageRepository",
  name: "iso-library",
  args: { name: "ISO library", type: "iso", deviceConfig: { location: "nfs:/isos" }, otherConfig: { "i18n-key": "local-storage-iso" }, ...args },
});
const nfs = (args: Record<string, unknown> = {}): ResourceDeclaration => ({
  kind: "StorageRepository",
  name: "nfs-store",
  args: { name: "NFS", type: "nfs", deviceConfig: { server: "filer", serverpath: "/vhds" }, ...args },
});

before(async () => {
  sim = await startSimulator({ name: "pr", hosts: [{ name: "xs1" }], users: { root: PASSWORD } });
  project = await PulumiProject.onSimulator("pr-check", sim, PASSWORD);
  project.declare([iso(), nfs()]);
  await project.up();
});
after(async () => {
  await project?.run(["destroy", "--yes", "--skip-preview"]);
  project?.cleanup();
  await sim?.close();
});

test("no change: the summary says so", async () => {
  const preview = await project.ok(["preview", "--json"]);
  assert.equal(summarizePreview(preview.stdout), "No changes.\n");
});

test("one update and one replace: each on its own row with exactly its fields", async () => {
  project.declare([iso({ description: "boot-from-ISO" }), nfs({ deviceConfig: { server: "filer2", serverpath: "/vhds" } })]);
  const preview = await project.ok(["preview", "--json"]);
  const summary = await viaCli(preview.stdout);
  assert.equal(summary, summarizePreview(preview.stdout));
  const rows = summary.trim().split("\n").slice(2).sort();
  assert.deepEqual(rows, [
    "| iso-library | xen:StorageRepository | update | description |",
    "| nfs-store | xen:StorageRepository | replace | deviceConfig (replaced because of deviceConfig) |",
  ]);
});

/** `pulumi-xen summarize-preview`, as the workflow runs it. */
function viaCli(json: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.resolve(__dirname, "..", "..", "cli", "main.js"), "summarize-preview"], { stdio: ["pipe", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
    child.stdin.end(json);
  });
}
