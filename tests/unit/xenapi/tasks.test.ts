import { test, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { startSimulator, Simulator } from "../../../sim";
import { callAsync, waitForTask, XenApiSession } from "../../../provider/xenapi";

/**
 * Task waits by calls made. The former wait slept 50 ms, then polled task.get_record at 50, 150, 350, 750 ms ...
 * (doubling to 1 s): a task done within a few ms cost a sleep, and one taking 0.7 s cost 4 polls.
 */
const PASSWORD = "pw";
let sim: Simulator;

before(async () => {
  sim = await startSimulator({ name: "tasks", hosts: [{ name: "master" }], users: { root: PASSWORD }, templates: [{ name: "Debian Bookworm 12" }] });
});
after(async () => {
  await sim?.close();
});
afterEach(() => sim.faults.clear());

function session() {
  return new XenApiSession(sim.masterUrl, { username: "root", password: PASSWORD }, { tls: { fingerprints: [sim.tls!.fingerprint256] } });
}
const calls = (method: string) => sim.counters.calls()[method] ?? 0;
const taskReads = () => calls("event.from") + calls("task.get_record");

test("a task already done when first looked at costs one read: Async call, one event.from, destroy", async () => {
  const s = session();
  try {
    const template = sim.db.all("VM").find((v) => v.record.name_label === "Debian Bookworm 12")!.ref;
    await s.call("pool.get_all"); // logged in
    // The first look arrives after the simulator ran the task (it waits 10 ms before running one).
    sim.faults.setLatency(40, "event.from");
    sim.counters.reset();
    const clone = await callAsync<string>(s, "VM.clone", [template, "fast-clone"]);
    assert.equal(await s.call("VM.get_name_label", clone), "fast-clone");
    assert.equal(taskReads(), 1);
    assert.equal(calls("task.destroy"), 1);
    assert.equal(sim.db.all("task").length, 0, "no task left behind");
  } finally {
    await s.logout();
  }
});

test("a task still pending at the first look is awaited by event.from: two reads, no polling", async () => {
  const s = session();
  try {
    const template = sim.db.all("VM").find((v) => v.record.name_label === "Debian Bookworm 12")!.ref;
    await s.call("pool.get_all");
    sim.counters.reset();
    await callAsync<string>(s, "VM.clone", [template, "clone-2"]);
    assert.ok(taskReads() <= 2, `task reads: ${taskReads()}`);
    assert.equal(calls("task.get_record"), 0);
  } finally {
    await s.logout();
  }
});

test("a slow task costs one read per change, not one per poll interval; progress is reported", async () => {
  const s = session();
  try {
    const task = await s.call<string>("task.create", "slow", "a task the test finishes");
    sim.counters.reset();
    const progress: number[] = [];
    const waiting = waitForTask(s, task, "test.slow", { onProgress: (p) => progress.push(p) });
    const half = setTimeout(() => sim.db.set("task", task, "progress", 0.5), 150);
    const done = setTimeout(() => {
      sim.db.set("task", task, "result", "<value>finished</value>");
      sim.db.set("task", task, "status", "success");
    }, 700);
    try {
      const record = await waiting;
      assert.equal(record.status, "success");
    } finally {
      clearTimeout(half);
      clearTimeout(done);
    }
    // Two changes after the first look: at most three reads, however long the task took (polling: four by 0.7 s).
    assert.ok(taskReads() <= 3, `task reads: ${taskReads()}`);
    assert.equal(calls("task.get_record"), 0);
    assert.ok(progress.includes(0.5), `progress: ${progress}`);
    await s.call("task.destroy", task);
  } finally {
    await s.logout();
  }
});

test("a pool that refuses event.from is polled instead", async () => {
  const s = session();
  try {
    const template = sim.db.all("VM").find((v) => v.record.name_label === "Debian Bookworm 12")!.ref;
    await s.call("pool.get_all");
    sim.faults.failNextTask("event.from", ["RBAC_PERMISSION_DENIED", "event.from", "no"]);
    sim.counters.reset();
    const clone = await callAsync<string>(s, "VM.clone", [template, "polled-clone"]);
    assert.equal(await s.call("VM.get_name_label", clone), "polled-clone");
    assert.equal(calls("event.from"), 1);
    assert.ok(calls("task.get_record") >= 1);
    assert.equal(sim.db.all("task").length, 0);
  } finally {
    await s.logout();
  }
});
