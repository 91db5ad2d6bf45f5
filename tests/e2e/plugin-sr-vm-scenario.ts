import { test } from "node:test";
import assert from "node:assert/strict";
import type { Simulator } from "../../sim";
import { PluginProject, stepFor } from "./plugin-harness";

/**
 * The scenario every language's program on the `xen` plugin goes through (Python, Go): an SR and a VM on it by the
 * SR's uuid, a one-field change of the VM, a change of the SR alone, destroy. The program declares the SR's
 * description and the VM's tags from its spec file, which `declare` writes; the SR is named `store` and the VM `web`
 * in the stack, and export `srUuid` and `vmUuid`.
 */
export interface SrVmProgram {
  /** The language, for the test names. */
  language: string;
  /** The project, once `before` made it. */
  project: () => PluginProject;
  /** The simulator, once `before` started it. */
  sim: () => Simulator;
  /** Writes the program with this SR description and these VM tags. */
  declare: (srDescription: string, vmTags: string[]) => void;
  /** The xapi name labels the program gives the VM and the SR. */
  vmName: string;
  srName: string;
}

export function srVmScenario(p: SrVmProgram): void {
  const vms = () => p.sim().db.all("VM").filter((v) => !v.record.is_a_template && !v.record.is_control_domain && v.record.name_label === p.vmName);
  const srs = () => p.sim().db.all("SR").filter((s) => s.record.name_label === p.srName);

  test(`a ${p.language} program creates an SR and a VM that uses its uuid`, async () => {
    p.declare("first", ["web"]);
    await p.project().up();
    const [sr] = srs();
    const [vm] = vms();
    assert.ok(sr && vm, "the SR and the VM exist in xapi");
    assert.equal(vm.record.memory_static_max, String(1024 ** 3));
    const outputs = JSON.parse((await p.project().ok(["stack", "output", "--json"])).stdout);
    assert.equal(outputs.vmUuid, vm.record.uuid);
    assert.equal(outputs.srUuid, sr.record.uuid);
  });

  test("a one-field change previews as an update of exactly that field", async () => {
    p.declare("first", ["web", "green"]);
    const steps = await p.project().previewSteps();
    assert.deepEqual(steps.map((s) => [s.op, s.urn.split("::").pop()]), [["update", "web"]]);
    assert.deepEqual((stepFor(steps, "web") as { detailedDiff?: object }).detailedDiff, { tags: { kind: "update", inputDiff: true } });
    await p.project().up();
    assert.deepEqual([...(vms()[0].record.tags as string[])].sort(), ["green", "web"]);
  });

  test("changing only the SR's description leaves the VM that uses its uuid unchanged", async () => {
    p.declare("second", ["web", "green"]);
    const steps = await p.project().previewSteps();
    assert.deepEqual(steps.map((s) => [s.op, s.urn.split("::").pop()]), [["update", "store"]]);
    await p.project().up();
    assert.equal(srs()[0].record.name_description, "second");
  });

  test("destroy leaves nothing behind", async () => {
    await p.project().ok(["destroy", "--yes", "--skip-preview"]);
    assert.equal(vms().length, 0);
    assert.equal(srs().length, 0);
  });
}
