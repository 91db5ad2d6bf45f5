import { test } from "node:test";
import assert from "node:assert/strict";
import { withSim, demoSpec, get, post } from "./client";

test("counters: calls by method, write calls, sessions; /_sim/counters and /_sim/reset-counters on every host", async () => {
  await withSim(demoSpec(), {}, async (sim, c, s) => {
    sim.counters.reset();
    assert.equal(sim.counters.sessionsOpen, 1);
    await s.call("VM.get_all");
    await s.call("VM.get_all");
    const net = (await s.call("network.get_all"))[0];
    await s.call("network.add_to_other_config", net, "a", "b");
    const s2 = await c.call("session.login_with_password", "root", "xenroot", "1.0", "x");
    await c.call("event.from", s2, ["vm"], "", 0.01);
    await c.call("session.logout", s2);
    const calls = sim.counters.calls();
    assert.equal(calls["VM.get_all"], 2);
    assert.equal(calls["network.add_to_other_config"], 1);
    assert.equal(sim.counters.writeCalls(), 1);
    assert.equal(sim.counters.sessionsOpened, 2);
    assert.equal(sim.counters.sessionsClosed, 1);
    assert.equal(sim.counters.sessionsOpen, 1);
    for (const h of sim.hosts) {
      const r = await get(h.url, "/_sim/counters", sim.tls!.certificatePem);
      assert.equal(r.status, 200);
      const j = JSON.parse(r.body);
      assert.equal(j.calls["VM.get_all"], 2);
      assert.equal(j.writeCalls, 1);
      assert.equal(j.sessionsOpen, 1);
      assert.equal(j.sessionsOpened, 2);
      assert.equal(j.sessionsClosed, 1);
    }
    const r = await post(sim.hosts[1].url, "", { ca: sim.tls!.certificatePem, path: "/_sim/reset-counters" });
    assert.equal(r.status, 200);
    const after = JSON.parse((await get(sim.masterUrl, "/_sim/counters", sim.tls!.certificatePem)).body);
    assert.deepEqual(after.calls, {});
    assert.equal(after.writeCalls, 0);
    assert.equal(after.sessionsOpen, 1);
  });
});
