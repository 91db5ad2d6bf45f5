import { test } from "node:test";
import assert from "node:assert/strict";
import { progressReporter, withResourceUrn, ProgressSink } from "../../../provider/resources/progress";

/** Long tasks' progress: from 0%, steps of 10%, on the row of the resource whose operation runs the task. */
function recording(): ProgressSink & { shown: Array<[string, string | undefined]> } {
  const shown: Array<[string, string | undefined]> = [];
  return { shown, show: (message, urn) => shown.push([message, urn]) };
}

test("a task's progress shows from 0%, once per step of 10%, never 100%", () => {
  const sink = recording();
  const report = progressReporter("web-1: copying Debian", sink);
  for (const p of [0, 0.01, 0.05, 0.1, 0.12, 0.35, 0.35, 0.2, 0.99, 1]) report(p);
  assert.deepEqual(sink.shown.map(([m]) => m), [
    "web-1: copying Debian: 0%",
    "web-1: copying Debian: 10%",
    "web-1: copying Debian: 30%",
    "web-1: copying Debian: 90%",
  ]);
});

test("a task first seen part-way shows where it is; nonsense progress reads as 0%", () => {
  const sink = recording();
  const report = progressReporter("SR x: creating", sink);
  report(Number.NaN);
  report(0.42);
  assert.deepEqual(sink.shown.map(([m]) => m), ["SR x: creating: 0%", "SR x: creating: 40%"]);
});

test("each operation's progress carries its own resource's URN, across awaits and side by side", async () => {
  const sink = recording();
  const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
  const operation = (urn: string, label: string) =>
    withResourceUrn(urn, async () => {
      await tick();
      const report = progressReporter(label, sink);
      for (const p of [0, 0.5]) {
        report(p);
        await tick();
      }
    });
  await Promise.all([operation("urn:pulumi:dev::p::xen:Vm::a", "a"), operation("urn:pulumi:dev::p::xen:Vm::b", "b")]);
  const byLabel = (l: string) => sink.shown.filter(([m]) => m.startsWith(`${l}:`));
  assert.deepEqual(byLabel("a"), [["a: 0%", "urn:pulumi:dev::p::xen:Vm::a"], ["a: 50%", "urn:pulumi:dev::p::xen:Vm::a"]]);
  assert.deepEqual(byLabel("b"), [["b: 0%", "urn:pulumi:dev::p::xen:Vm::b"], ["b: 50%", "urn:pulumi:dev::p::xen:Vm::b"]]);
  const outside = recording();
  progressReporter("no operation", outside)(0);
  assert.deepEqual(outside.shown, [["no operation: 0%", undefined]]);
});
