import { test } from "node:test";
import assert from "node:assert/strict";
import { withSim, demoSpec } from "./client";

test("Async.* returns a pending task; task fields; task.destroy; sync-only messages have no Async", async () => {
  await withSim(demoSpec(), { tls: false }, async (sim, c, s) => {
    const tpl = (await s.call("VM.get_by_name_label", "Debian Bookworm 12"))[0];
    const task = await s.call("Async.VM.clone", tpl, "x");
    assert.match(task, /^OpaqueRef:/);
    const rec0 = await s.call("task.get_record", task);
    assert.equal(rec0.status, "pending");
    assert.equal(rec0.name_label, "Async.VM.clone");
    assert.equal(rec0.resident_on, sim.hosts[0].ref);
    await s.call("task.get_created", task);
    assert.match(c.lastXml, /<dateTime\.iso8601>\d{8}T\d\d:\d\d:\d\dZ<\/dateTime\.iso8601>/);
    let rec = rec0;
    while (rec.status === "pending") rec = await s.call("task.get_record", task);
    assert.equal(rec.status, "success");
    assert.equal(rec.progress, 1);
    assert.deepEqual(rec.error_info, []);
    assert.match(rec.result, /^<value>OpaqueRef:.*<\/value>$/);
    await s.call("task.destroy", task);
    assert.deepEqual(await s.fails("task.get_record", task), ["HANDLE_INVALID", "task", task]);
    // failing task: error_info carries the error
    const bad = await s.task("VM.start", tpl, false, false);
    assert.equal(bad.status, "failure");
    assert.deepEqual(bad.error_info, ["VM_IS_TEMPLATE", tpl]);
    assert.deepEqual(await s.fails("Async.VM.get_record", tpl), ["MESSAGE_METHOD_UNKNOWN", "Async.VM.get_record"]);
    assert.deepEqual(await c.fails("Async.session.logout", s.ref), ["MESSAGE_METHOD_UNKNOWN", "Async.session.logout"]);
    // host.call_plugin and PBD.plug have Async forms
    const t2 = await s.call("task.create", "mine", "d");
    assert.equal(await s.call("task.get_status", t2), "pending");
    await s.call("task.cancel", t2);
    assert.equal(await s.call("task.get_status", t2), "cancelled");
  });
});

test("event.from: tokens, per-class and per-object subscriptions, \"*\", add/mod/del, valid_ref_counts, timeout", async () => {
  await withSim(demoSpec(), { tls: false }, async (_sim, c, s) => {
    const first = await s.call("event.from", ["vm"], "", 1.0);
    assert.ok(first.events.length >= 4, "initial call returns every object");
    assert.ok(first.events.every((e: any) => e.class === "vm" && e.operation === "add" && e.snapshot && e.ref));
    assert.match(first.token, /^\d+,\d+$/);
    assert.equal(first.valid_ref_counts.vm, String(first.events.length));
    const t0 = Date.now();
    const none = await s.call("event.from", ["vm"], first.token, 0.3);
    assert.equal(none.events.length, 0);
    assert.ok(Date.now() - t0 >= 250, "waits for the timeout");
    const tpl = (await s.call("VM.get_by_name_label", "Debian Bookworm 12"))[0];
    // a change while waiting wakes the call
    const waiting = s.call("event.from", ["VM"], first.token, 30.0);
    await new Promise((r) => setTimeout(r, 50));
    await s.call("VM.add_to_other_config", tpl, "k", "v");
    const got = await waiting;
    assert.equal(got.events.length, 1);
    assert.equal(got.events[0].operation, "mod");
    assert.equal(got.events[0].ref, tpl);
    assert.equal(got.events[0].snapshot.other_config.k, "v");
    assert.equal(got.events[0].snapshot.memory_static_max, "1073741824");
    // per-object subscription + add/del
    const net = (await s.call("network.get_all"))[0];
    const tok = (await s.call("event.from", ["network"], "", 0)).token;
    const vm = await s.call("VM.clone", tpl, "ev");
    await s.call("network.set_name_label", net, "n2");
    const objEvents = await s.call("event.from", [`vm/${vm}`], tok, 1);
    assert.deepEqual(objEvents.events.map((e: any) => [e.ref, e.operation]), [[vm, "add"]]);
    const star = await s.call("event.from", ["*"], tok, 1);
    const classes = new Set(star.events.map((e: any) => e.class));
    assert.ok(classes.has("vm") && classes.has("network") && classes.has("vm_metrics"));
    await s.call("VM.destroy", vm);
    const del = await s.call("event.from", ["vm"], star.token, 1);
    assert.ok(del.events.some((e: any) => e.ref === vm && e.operation === "del"));
    assert.deepEqual(await s.fails("event.from", ["vm"], "garbage", 0), ["EVENT_FROM_TOKEN_PARSE_FAILURE", "garbage"]);
    // task progress is visible as events on the task
    const tt = (await s.call("event.from", ["task"], "", 0)).token;
    const task = await s.call("Async.VM.clone", tpl, "ev2");
    let done = false, seen = 0, token = tt;
    while (!done && seen < 50) {
      const r = await s.call("event.from", ["task"], token, 5);
      token = r.token;
      for (const e of r.events) if (e.ref === task && e.snapshot?.status === "success") done = true;
      seen++;
    }
    assert.ok(done);
    // older register/next API
    const s2 = await c.call("session.login_with_password", "root", "xenroot", "1.0", "old");
    assert.deepEqual(await c.fails("event.next", s2), ["SESSION_NOT_REGISTERED", s2]);
    await c.call("event.register", s2, ["vm"]);
    const nextP = c.call("event.next", s2);
    await new Promise((r) => setTimeout(r, 30));
    await s.call("VM.set_name_description", tpl, "changed");
    const evs = await nextP;
    assert.ok(evs.some((e: any) => e.ref === tpl && e.class === "vm" && e.obj_uuid));
  });
});
