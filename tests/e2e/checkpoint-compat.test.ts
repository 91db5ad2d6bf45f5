import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { startSimulator, Simulator } from "../../sim";
import type { SimSnapshot } from "../../sim/spec";
import { loadSpec } from "../../sim/spec-load";
import { PulumiProject } from "./pulumi-harness";
import { checkpointStack } from "./fixtures/checkpoint-stack";

/**
 * States written by an earlier version stay readable: a checkpoint exported from a stack applied with pulumi-xen
 * 0.1.0 (whose serialized provider is the 2.5 KB form), imported into a stack run by this code, previews with no
 * change, refreshes with no change and destroys what it holds. The simulator starts from the database that state
 * refers to (fixtures/make-checkpoint.ts made both).
 */
const PASSWORD = "checkpoint-fixture";
const FIXTURES = path.resolve(__dirname, "..", "..", "..", "tests", "e2e", "fixtures");
let sim: Simulator;
let project: PulumiProject;

const vms = () => sim.db.all("VM").filter((v) => !v.record.is_a_template && !v.record.is_control_domain);

before(async () => {
  const snapshot = JSON.parse(fs.readFileSync(path.join(FIXTURES, "checkpoint-0.1.0.sim.json"), "utf8")) as SimSnapshot;
  sim = await startSimulator({ ...loadSpec("demo"), users: { root: PASSWORD } }, { restore: snapshot });
  project = await PulumiProject.onSimulator("checkpoint", sim, PASSWORD);
  project.declare(checkpointStack());
  // The state keeps the connection its provider was configured with (refresh and destroy use it): point it at this
  // run's simulator, which listens elsewhere with another certificate. The password is the same.
  const exported = JSON.parse(fs.readFileSync(path.join(FIXTURES, "checkpoint-0.1.0.json"), "utf8")) as {
    deployment: { resources: Array<{ type: string; inputs: Record<string, unknown> }> };
  };
  for (const r of exported.deployment.resources.filter((x) => x.type.startsWith("pulumi:providers:"))) {
    r.inputs["xen:url"] = sim.masterUrl;
    r.inputs["xen:tlsFingerprint"] = sim.tls!.fingerprint256;
  }
  const file = path.join(project.dir, "checkpoint.json");
  fs.writeFileSync(file, JSON.stringify(exported));
  await project.ok(["stack", "import", "--file", file]);
});
after(async () => {
  project?.cleanup();
  await sim?.close();
});

test("the imported state holds the old, large serialized provider", async () => {
  const state = JSON.parse(await project.stackExport()) as { deployment: { resources: Array<{ type: string; inputs: Record<string, string> }> } };
  const vm = state.deployment.resources.find((r) => r.type.endsWith(":Vm"))!;
  assert.ok(vm.inputs.__provider.length > 2000, "the 0.1.0 form");
  assert.match(vm.inputs.__provider, /require\("pulumi-xen\/provider"\)/);
});

test("preview with this code shows no change", async () => {
  const result = await project.run(["preview", "--expect-no-changes"]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
});

test("refresh with this code reads the old state and finds no change", async () => {
  const result = await project.run(["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
});

test("destroy with this code removes the VM with its disks and forgets the SR", async () => {
  assert.equal(vms().length, 1);
  assert.ok(sim.db.all("SR").some((s) => s.record.name_label === "legacy ISOs"));
  await project.ok(["destroy", "--yes"]);
  assert.equal(vms().length, 0);
  assert.equal(sim.db.all("VDI").filter((v) => (v.record.other_config as Record<string, string>)["pulumi-xen:owner"]).length, 0);
  assert.ok(!sim.db.all("SR").some((s) => s.record.name_label === "legacy ISOs"));
});
