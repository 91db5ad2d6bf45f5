import { test } from "node:test";
import assert from "node:assert/strict";
import { withSim, demoSpec, Client, Session } from "./client";
import { startSimulator } from "../../../sim";

test("login (4-arg and 2-arg), what older clients ask next, logout", async () => {
  await withSim(demoSpec(), { tls: false }, async (sim, c, s) => {
    const s2 = await c.call("session.login_with_password", "root", "xenroot");
    assert.match(s2, /^OpaqueRef:/);
    const pools = await s.call("pool.get_all");
    assert.equal(pools.length, 1);
    const master = await s.call("pool.get_master", pools[0]);
    assert.equal(master, sim.hosts[0].ref);
    assert.equal(await s.call("host.get_API_version_major", master), "2");
    assert.match(await s.call("host.get_API_version_minor", master), /^\d+$/);
    assert.equal(await s.call("session.get_this_host", s.ref), master);
    assert.equal(await s.call("session.get_this_user", s.ref), "OpaqueRef:NULL");
    assert.equal(await s.call("session.get_originator", s.ref), "sim-tests");
    assert.equal(await s.call("pool.get_name_label", pools[0]), "test-pool");
    await c.call("session.logout", s2);
    assert.deepEqual(await c.fails("VM.get_all", s2), ["SESSION_INVALID", s2]);
  });
});

test("bad credentials: SESSION_AUTHENTICATION_FAILED [uname, msg]", async () => {
  const sim = await startSimulator({ hosts: [{ name: "h" }], users: { root: "pw", alice: "secret" } }, { tls: false });
  try {
    const c = new Client(sim.masterUrl);
    const d = await c.fails("session.login_with_password", "root", "wrong", "1.0", "x");
    assert.equal(d[0], "SESSION_AUTHENTICATION_FAILED");
    assert.equal(d[1], "root");
    assert.equal(d.length, 3);
    assert.match(await c.call("session.login_with_password", "alice", "secret", "1.0", "x"), /^OpaqueRef:/);
    assert.deepEqual(await c.fails("session.login_with_password", "root"), ["MESSAGE_PARAMETER_COUNT_MISMATCH", "session.login_with_password", "4", "1"]);
  } finally {
    await sim.close();
  }
});

test("members answer HOST_IS_SLAVE with the master's address; sessions work on every host", async () => {
  await withSim(demoSpec(), { tls: false }, async (sim, _c, s) => {
    assert.equal(sim.hosts.length, 3);
    assert.equal(new Set(sim.hosts.map((h) => h.url)).size, 3, "each host has its own port");
    const member = new Client(sim.hosts[1].url);
    const d = await member.fails("session.login_with_password", "root", "xenroot", "1.0", "x");
    assert.equal(d[0], "HOST_IS_SLAVE");
    assert.equal(d.length, 2);
    assert.equal(`http://${d[1]}/`, sim.masterUrl);
    // a pool-wide session is accepted by members (xapi forwards to the master)
    assert.equal((await new Session(member, s.ref).call("pool.get_all")).length, 1);
  });
});

test("per-user session limit: least recently used sessions are evicted (400 for root without originator)", async () => {
  const sim = await startSimulator({ hosts: [{ name: "h" }] }, { tls: false });
  try {
    const c = new Client(sim.masterUrl);
    const first = await c.call("session.login_with_password", "root", "xenroot", "1.0", "");
    const second = await c.call("session.login_with_password", "root", "xenroot", "1.0", "");
    for (let i = 0; i < 398; i++) await c.call("session.login_with_password", "root", "xenroot", "1.0", "");
    await c.call("pool.get_all", first); // first is now recently used
    assert.equal(sim.counters.sessionsOpen, 400);
    await c.call("session.login_with_password", "root", "xenroot", "1.0", "");
    assert.equal(sim.counters.sessionsOpen, 400);
    assert.deepEqual(await c.fails("pool.get_all", second), ["SESSION_INVALID", second]);
    assert.equal((await c.call("pool.get_all", first)).length, 1);
    // with an originator the group is separate and the limit is 500
    const other = await c.call("session.login_with_password", "root", "xenroot", "1.0", "tool");
    assert.equal(sim.counters.sessionsOpen, 401);
    await c.call("pool.get_all", other);
  } finally {
    await sim.close();
  }
});
