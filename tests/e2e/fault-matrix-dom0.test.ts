import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { PulumiProject, ResourceDeclaration } from "./pulumi-harness";
import { cellsOf, CellResult, formatMatrix, runCell, Scenario, writesOf } from "./faults/matrix";
import { python27 } from "../unit/pythons";
import { Dom0Pool, pluginDir, realPathsSnapshot, startDom0Pool, treeListing } from "../unit/dom0-resources/env";

/**
 * The fault matrix for a Plugins update (a changed plug-in file, then the version check through host.call_plugin on
 * each host): a fault at each XenAPI write of the update, then the README's recovery; after destroy no dom0 holds a
 * file the runs wrote. `FAULT_MATRIX=full` runs every cell; CI runs one.
 */
const FULL = process.env.FAULT_MATRIX === "full";

let pool: Dom0Pool;
let project: PulumiProject;
let v1: string;
let v2: string;
let realBefore: Record<string, string>;
const results: CellResult[] = [];

const plugins = (source: string): ResourceDeclaration => ({
  kind: "Plugins",
  name: "nova-plugins",
  args: { source, hosts: pool.hosts.map((h, i) => ({ host: pool.sim.hosts[i].name, ssh: pool.ssh(h) })), requiredVersion: "1.2" },
});

before(async () => {
  python27(); // the plug-ins run under Python 2.7 in the dom0s: without it, every test fails saying so
  realBefore = realPathsSnapshot();
  pool = await startDom0Pool(["xs1", "xs2"]);
  v1 = pluginDir("1.2");
  v2 = pluginDir("1.2");
  fs.appendFileSync(`${v2}/xenhost`, "\n# changed: the update rewrites this file on every host\n");
  project = new PulumiProject("faults-dom0");
  const { "xen:password": password, "xen:sshPrivateKey": key, ...config } = pool.settings;
  await project.init(config, { "xen:password": password });
  await project.ok(["config", "set-all", "--secret", `xen:sshPrivateKey=${key}`]);
});

after(async () => {
  if (results.length) console.log(`\nfault matrix, dom0 (${FULL ? "full" : "CI subset"}):\n${formatMatrix(results)}\n`);
  project?.cleanup();
  await pool?.stop();
  for (const d of [v1, v2]) if (d) fs.rmSync(d, { recursive: true, force: true });
  assert.deepEqual(realPathsSnapshot(), realBefore, "this machine's own /boot, /images, /etc and /root are untouched");
});

test("Plugins update: a fault at each XenAPI write, then the README's recovery, converges and leaves no file behind", async (t) => {
  const scenario: Scenario = {
    name: "Plugins update",
    before: [plugins(v1)],
    after: [plugins(v2)],
    files: async () => (await Promise.all(pool.hosts.map((h) => treeListing(h)))).join("\n"),
  };
  const writes = await writesOf(pool.sim, project, scenario);
  assert.ok(writes.includes("host.call_plugin"), `the update checks the version through xapi: ${writes.join(", ")}`);
  const cells = cellsOf(scenario, writes).filter((c, i) => FULL || i === 0);
  for (const cell of cells) {
    await t.test(`${cell.action} at write ${cell.at} (${cell.method})`, async () => {
      const result = await runCell(pool.sim, project, scenario, cell);
      results.push(result);
      assert.deepEqual(result.leaked, []);
      assert.deepEqual(result.lost, []);
      assert.ok(result.filesRestored, "no dom0 holds a file the runs wrote");
    });
  }
});
