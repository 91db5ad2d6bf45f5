import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { storedInputs, withDefaults, withoutDefaults, withStoredDefaults } from "../../../provider/resources/defaults";
import { dynamicMethods } from "../../../provider/resources/dynamic";
import { ResourceContract } from "../../../provider/resources/contract";
import { UNKNOWN } from "../../../provider/resources/unknown";
import { normalize, VM_DEFAULTS, VmInputs } from "../../../provider/resources/vm/inputs";
import { diff as vmDiff } from "../../../provider/resources/vm/diff";

/**
 * Inputs the engine stores without their defaults (provider/resources/defaults.ts): pure, no simulator. What is left
 * out must come back exactly, and a state written with every field (or before a field existed) must read the same.
 */
type Raw = Record<string, unknown>;

const DEFAULTS = { description: "", tags: [] as string[], otherConfig: {} as Record<string, string>, waitForIp: false, ipTimeoutSeconds: 300 };

describe("stored inputs without their defaults", () => {
  test("leaves out exactly the fields at their default, deep-equal for lists and maps, and keeps unknowns", () => {
    const inputs = { name: "web", description: "", tags: [], otherConfig: { a: "1" }, waitForIp: true, ipTimeoutSeconds: UNKNOWN };
    assert.deepEqual(withoutDefaults<Raw>(inputs, DEFAULTS), { name: "web", otherConfig: { a: "1" }, waitForIp: true, ipTimeoutSeconds: UNKNOWN });
  });

  test("fills what is absent or undefined, never what is set (falsy values included), with fresh copies", () => {
    const filled = withDefaults<Raw>({ name: "web", description: undefined, waitForIp: false, ipTimeoutSeconds: 0 }, DEFAULTS);
    assert.deepEqual(filled, { name: "web", description: "", tags: [], otherConfig: {}, waitForIp: false, ipTimeoutSeconds: 0 });
    (filled.tags as string[]).push("x");
    assert.deepEqual(DEFAULTS.tags, [], "the defaults table is not shared with a result");
  });

  test("a Vm's normalized inputs survive the round trip, and the stored form drops the defaulted fields", () => {
    const { inputs, failures } = normalize({}, { name: "web", template: "Debian", tags: ["b", "a"], networkInterfaces: [{ network: "net0" }] });
    assert.deepEqual(failures, []);
    const contract = { defaults: VM_DEFAULTS as Partial<VmInputs> };
    const stored = storedInputs(contract, inputs);
    assert.deepEqual(withStoredDefaults(contract, stored as Raw), Object.fromEntries(Object.entries(inputs).filter(([, v]) => v !== undefined)));
    assert.deepEqual(Object.keys(stored).sort(), ["assignedDevices", "disks", "name", "networkInterfaces", "tags", "template", "templateDisks"]);
  });

  test("every Vm default is what normalize gives a field left out", () => {
    const { inputs } = normalize({}, { name: "web", template: "Debian" });
    for (const [field, value] of Object.entries(VM_DEFAULTS)) if (field !== "template") assert.deepEqual((inputs as unknown as Raw)[field], value, field);
  });

  test("a state with every field stored, or one from before a field existed, diffs as no change against the stored form", () => {
    const { inputs } = normalize({}, { name: "web", template: "Debian", powerState: "halted" });
    const contract = { defaults: VM_DEFAULTS as Partial<VmInputs> };
    const stored = storedInputs(contract, inputs) as Raw;
    const { allowDiskRemoval: _r, ...before } = inputs as unknown as Raw; // a state older than allowDiskRemoval
    for (const olds of [inputs as unknown as Raw, before]) {
      const result = vmDiff("id", withStoredDefaults(contract, olds) as unknown as Raw, withStoredDefaults(contract, stored) as unknown as Raw);
      assert.deepEqual(result, { changes: false, replaces: [], deleteBeforeReplace: false });
    }
    // ... and a real change still shows against the stored form.
    const changed = storedInputs(contract, normalize({}, { name: "web", template: "Debian", powerState: "halted", description: "x" }).inputs) as Raw;
    assert.equal(vmDiff("id", inputs as unknown as Raw, withStoredDefaults(contract, changed) as unknown as Raw).changes, true);
  });
});

describe("the dynamic provider's surface", () => {
  // A contract that records what it is handed: the surface must fill defaults in, and leave them out of what it stores.
  const seen: Raw[] = [];
  const contract: ResourceContract<{ name: string; size: number }, { name: string; size: number; uuid: string }> = {
    check: (_olds, news) => ({ inputs: { name: String(news.name), size: typeof news.size === "number" ? news.size : 1 }, failures: [] }),
    diff: (_id, olds, news) => {
      seen.push(olds, news);
      return { changes: olds.size !== news.size, replaces: [], deleteBeforeReplace: false };
    },
    create: async (inputs) => {
      seen.push(inputs);
      return { id: "u", outs: { ...inputs, uuid: "u" } };
    },
    read: async (id, props) => ({ id, props, inputs: { name: props.name, size: props.size } }),
    update: async (_id, olds, news) => {
      seen.push(olds, news);
      return { outs: { ...news, uuid: olds.uuid } };
    },
    remove: async () => undefined,
    updatable: ["size"],
    replacing: ["name"],
    defaults: { size: 1 },
    stableOutputs: ["uuid"],
  };
  const surface = dynamicMethods(contract);

  test("check stores without defaults; diff, create and update get them back; read stores its inputs without them", async () => {
    seen.length = 0;
    const checked = await surface.check({}, { name: "a" });
    assert.deepEqual(checked.inputs, { name: "a" });
    assert.deepEqual(surface.diff("u", { name: "a", size: 1, uuid: "u" }, checked.inputs), { changes: false, replaces: [], deleteBeforeReplace: false });
    const made = await surface.create(checked.inputs);
    assert.deepEqual(made.outs, { name: "a", size: 1, uuid: "u" }, "outputs keep every field");
    const bigger = await surface.check(checked.inputs, { name: "a", size: 2 });
    assert.deepEqual(bigger.inputs, { name: "a", size: 2 });
    assert.equal(surface.diff("u", made.outs, bigger.inputs).changes, true);
    await surface.update("u", made.outs, checked.inputs);
    assert.ok(seen.every((x) => x.size !== undefined), "the contract never saw a field left out");
    const read = await surface.read("u", made.outs);
    assert.deepEqual(read.inputs, { name: "a" });
    assert.deepEqual(read.props, made.outs);
  });
});
