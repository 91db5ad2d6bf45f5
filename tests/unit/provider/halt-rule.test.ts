import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { haltOnlyChanges, haltRefusal, mayHalt } from "../../../provider/resources/vm/halt-rule";
import { normalize } from "../../../provider/resources/vm/inputs";
import { UNKNOWN } from "../../../provider/resources/unknown";

/** The halt-only rule (provider/resources/vm/halt-rule.ts), pure: no simulator. */
const GiB = 1024 ** 3;
const memory = (staticMax: number, dynamicMin = staticMax, staticMin?: number) => ({ staticMin, dynamicMin, dynamicMax: dynamicMin, staticMax });

describe("changes XenAPI makes only on a halted VM", () => {
  test("static max, a declared static min, a dynamic min below the static min, and VCPUs max need a halt; the dynamic range and at-startup do not", () => {
    const now = { staticMin: 1 * GiB, staticMax: 4 * GiB, vcpusMax: 4 };
    assert.deepEqual(haltOnlyChanges(now, { memory: memory(4 * GiB, 2 * GiB), vcpus: { max: 4, atStartup: 2 } }), []);
    assert.deepEqual(haltOnlyChanges(now, { memory: memory(8 * GiB, 2 * GiB), vcpus: undefined }), ["memory"]);
    assert.deepEqual(haltOnlyChanges(now, { memory: memory(4 * GiB, 2 * GiB, 2 * GiB), vcpus: undefined }), ["memory"]);
    assert.deepEqual(haltOnlyChanges(now, { memory: memory(4 * GiB, GiB / 2), vcpus: undefined }), ["memory"]);
    assert.deepEqual(haltOnlyChanges(now, { memory: undefined, vcpus: { max: 8, atStartup: 2 } }), ["vcpus"]);
  });

  test("what is not known (a field never declared, or a value unknown at preview) is no change", () => {
    assert.deepEqual(haltOnlyChanges({}, { memory: memory(8 * GiB), vcpus: { max: 8, atStartup: 8 } }), []);
    assert.deepEqual(haltOnlyChanges({ staticMax: GiB, vcpusMax: 1 }, { memory: UNKNOWN as never, vcpus: UNKNOWN as never }), []);
  });

  test("a halt is allowed for a new VM, with allowRestart, or when the VM was or will be declared halted", () => {
    const running = { allowRestart: false, powerState: "running" as const };
    assert.equal(mayHalt(undefined, running), true);
    assert.equal(mayHalt({ powerState: "running" }, running), false);
    assert.equal(mayHalt({ powerState: "running" }, { ...running, allowRestart: true }), true);
    assert.equal(mayHalt({ powerState: "halted" }, running), true);
    assert.equal(mayHalt({ powerState: "running" }, { ...running, powerState: "halted" }), true);
  });

  test("check applies the same rule against the last state, and names the field and the way out", () => {
    const olds = { name: "web", template: "t", memory: memory(2 * GiB), vcpus: { max: 2, atStartup: 2 }, powerState: "running" };
    const refused = normalize(olds, { name: "web", template: "t", memory: "4GiB", vcpus: 4 });
    assert.deepEqual(refused.failures.map((f) => f.property), ["memory", "vcpus"]);
    assert.equal(refused.failures[0].reason, haltRefusal("memory"));
    assert.match(refused.failures[1].reason, /VCPUs max .*allowRestart: true.*powerState: halted/);
    // Declaring it halted in the same change is allowed: converge halts it (it ends halted anyway).
    assert.deepEqual(normalize(olds, { name: "web", template: "t", memory: "4GiB", vcpus: 4, powerState: "halted" }).failures, []);
    assert.deepEqual(normalize(olds, { name: "web", template: "t", memory: "4GiB", vcpus: 4, allowRestart: true }).failures, []);
    // The dynamic range alone changes live.
    assert.deepEqual(normalize(olds, { name: "web", template: "t", memory: { dynamicMin: "1GiB", dynamicMax: "2GiB", staticMax: "2GiB" } }).failures, []);
  });
});
