import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { startSimulator, Simulator } from "../../sim";
import { pluginBinDir, PluginProject } from "./plugin-harness";

/**
 * The plugin as Pulumi users install plugins: the tarball scripts/build-plugin.sh packs, through
 * `pulumi plugin install resource xen <version> --file`, with nothing on PATH.
 */
const PASSWORD = "e2e-plugin-install-password";
const VERSION = (require("../../../package.json") as { version: string }).version;

let sim: Simulator;
let project: PluginProject;

before(async () => {
  sim = await startSimulator({ name: "install", hosts: [{ name: "xs1" }], users: { root: PASSWORD } });
  project = await PluginProject.onSimulator("plugin-install", "yaml", sim, PASSWORD, false);
});
after(async () => {
  project?.cleanup();
  await sim?.close();
});

test("before it is installed, a program that uses xen fails naming the missing plugin", async () => {
  project.write({}, `resources:\n  iso:\n    type: xen:index:StorageRepository\n    properties: { name: ISOs, type: iso, deviceConfig: { location: /srv/iso, legacy_mode: "true" } }\n`);
  const result = await project.run(["preview"]);
  assert.notEqual(result.code, 0);
  assert.match(result.stdout + result.stderr, /xen/);
});

test("pulumi plugin install --file takes the packed plugin, and the program then runs on it", async () => {
  const tarball = `${pluginBinDir()}/pulumi-resource-xen-v${VERSION}-linux-amd64.tar.gz`;
  assert.ok(fs.existsSync(tarball), `${tarball} was packed`);
  await project.ok(["plugin", "install", "resource", "xen", VERSION, "--file", tarball]);
  assert.match((await project.ok(["plugin", "ls"])).stdout, new RegExp(`xen\\s+resource\\s+${VERSION.replace(/\./g, "\\.")}`));
  await project.up();
  assert.equal(sim.db.all("SR").filter((s) => s.record.name_label === "ISOs").length, 1);
  assert.ok((await project.resources()).some((r) => r.type === "pulumi:providers:xen"), "the default xen provider ran it");
  await project.ok(["destroy", "--yes", "--skip-preview"]);
  assert.equal(sim.db.all("SR").filter((s) => s.record.name_label === "ISOs").length, 0);
});
