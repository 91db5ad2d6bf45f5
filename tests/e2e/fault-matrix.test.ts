import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { startSimulator, Simulator, PoolSpec } from "../../sim";
import { PulumiProject, ResourceDeclaration } from "./pulumi-harness";
import { Cell, cellsOf, CellResult, formatMatrix, runCell, Scenario, writesOf } from "./faults/matrix";

/**
 * Crash-safe convergence through the real CLI: a fault at each write call of Vm create and delete and of SR
 * create and delete, then the README's recovery, must converge with nothing leaked. `FAULT_MATRIX=full`
 * (`npm run test:faults`) runs every cell; otherwise (CI) the fixed subset below.
 */
const PASSWORD = "e2e-faults-password";
const FULL = process.env.FAULT_MATRIX === "full";

const vm: ResourceDeclaration = {
  kind: "Vm",
  name: "worker",
  args: {
    name: "worker",
    template: "Debian Bookworm 12",
    bootMode: "pv",
    memory: { staticMax: "2GiB", dynamicMin: "1GiB", dynamicMax: "2GiB" },
    vcpus: 2,
    disks: [{ device: "0", size: "12GiB", bootable: true }, { device: "1", size: "1GiB", name: "worker scratch" }],
    networkInterfaces: [{ network: "Pool-wide network associated with eth0" }],
    tags: ["faults"],
  },
};
const sr: ResourceDeclaration = {
  kind: "StorageRepository",
  name: "images",
  args: {
    name: "images",
    type: "nfs",
    deviceConfig: { server: "nfs.example.org", serverpath: "/export/images" },
    otherConfig: { purpose: "fault matrix" },
    tags: ["faults"],
  },
};

const SCENARIOS: Scenario[] = [
  { name: "Vm create", before: [], after: [vm] },
  { name: "Vm delete", before: [vm], after: [] },
  { name: "SR create", before: [], after: [sr] },
  { name: "SR delete", before: [sr], after: [] },
];

/** CI's subset: one cell of each fault kind on each operation, at the calls where a retry has most to recognise. */
const SUBSET: Array<[string, string, Cell["action"]]> = [
  ["Vm create", "Async.VM.clone", "kill"],
  ["Vm create", "Async.VM.provision", "restart"],
  ["Vm create", "VDI.create", "drop"],
  ["Vm create", "Async.VM.start", "fail-task"],
  ["Vm delete", "VM.destroy", "kill"],
  ["SR create", "Async.SR.create", "kill"],
  ["SR delete", "Async.PBD.unplug", "restart"],
];

let sim: Simulator;
let project: PulumiProject;
const results: CellResult[] = [];

before(async () => {
  const spec = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../../sim/pools/demo.json"), "utf8")) as PoolSpec;
  sim = await startSimulator({ ...spec, users: { root: PASSWORD } });
  project = await PulumiProject.onSimulator("faults", sim, PASSWORD);
});
after(async () => {
  if (results.length) console.log(`\nfault matrix (${FULL ? "full" : "CI subset"}):\n${formatMatrix(results)}\n`);
  project?.cleanup();
  await sim?.close();
});

for (const scenario of SCENARIOS) {
  test(`${scenario.name}: a fault at each write call, then the README's recovery, converges with nothing leaked`, async (t) => {
    const writes = await writesOf(sim, project, scenario);
    assert.ok(writes.length > 0, "the operation writes");
    const cells = cellsOf(scenario, writes).filter((c) => FULL || SUBSET.some(([s, m, a]) => s === c.scenario && m === c.method && a === c.action));
    assert.ok(cells.length > 0, `cells chosen from the writes ${writes.join(", ")}`);
    for (const cell of cells) {
      await t.test(`${cell.action} at write ${cell.at} (${cell.method})`, async () => {
        const result = await runCell(sim, project, scenario, cell);
        results.push(result);
        assert.deepEqual(result.leaked, [], "nothing the run made is left");
        assert.deepEqual(result.lost, [], "nothing the pool had is gone");
        assert.ok(result.filesRestored, "no file the run wrote is left");
      });
    }
  });
}
