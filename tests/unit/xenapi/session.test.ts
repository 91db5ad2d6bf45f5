import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSimulator, Simulator } from "../../../sim";
import { callAsync, isXenApiError, XenApiError, XenApiSession, closeAllSessions, sharedSession } from "../../../provider/xenapi";

const PASSWORD = "s3cret-xen";
let sim: Simulator;

before(async () => {
  sim = await startSimulator({
    name: "unit",
    hosts: [{ name: "master" }, { name: "member" }],
    users: { root: PASSWORD },
  });
});
after(async () => {
  await sim?.close();
});

function session(url = sim.masterUrl, fingerprints = [sim.tls!.fingerprint256]) {
  return new XenApiSession(url, { username: "root", password: PASSWORD }, { tls: { fingerprints } });
}

test("logs in once, reuses the session for every call, and logs out", async () => {
  sim.counters.reset();
  const opened = sim.counters.sessionsOpened;
  const s = session();
  const pools = await s.call<string[]>("pool.get_all");
  await s.call("pool.get_master", pools[0]);
  await s.call("host.get_all");
  assert.equal(sim.counters.sessionsOpened - opened, 1);
  assert.equal(sim.counters.sessionsOpen, 1);
  await s.logout();
  assert.equal(sim.counters.sessionsOpen, 0);
  assert.equal(sim.counters.calls()["session.logout"], 1);
});

test("xapi's errors arrive as typed errors with code and parameters", async () => {
  const s = session();
  try {
    await assert.rejects(s.call("SR.get_by_uuid", "no-such-uuid"), (err: unknown) => {
      assert.ok(err instanceof XenApiError);
      assert.equal(err.code, "UUID_INVALID");
      assert.equal(err.method, "SR.get_by_uuid");
      assert.ok(err.params.includes("no-such-uuid"), JSON.stringify(err.params));
      return true;
    });
  } finally {
    await s.logout();
  }
});

test("after xapi restarts (SESSION_INVALID) the session logs in again and the call goes through", async () => {
  const s = session();
  try {
    await s.call("host.get_all");
    const opened = sim.counters.sessionsOpened;
    await sim.faults.restart();
    const hosts = await s.call<string[]>("host.get_all");
    assert.equal(hosts.length, 2);
    assert.equal(sim.counters.sessionsOpened - opened, 1, "one new login");
  } finally {
    await s.logout();
  }
});

test("a pool member answers HOST_IS_SLAVE and the session follows it to the master", async () => {
  const member = sim.hosts.find((h) => h.name === "member")!;
  const s = session(member.url);
  try {
    const pools = await s.call<string[]>("pool.get_all");
    const master = await s.call<string>("pool.get_master", pools[0]);
    assert.equal(await s.call("host.get_name_label", master), "master");
    assert.equal(new URL(s.url).port, new URL(sim.masterUrl).port);
  } finally {
    await s.logout();
  }
});

test("a certificate that does not match the pinned fingerprint is refused before the password is sent", async () => {
  sim.counters.reset();
  const wrong = "AA:".repeat(31) + "AA";
  const s = session(sim.masterUrl, [wrong]);
  await assert.rejects(s.call("host.get_all"), /not a pinned one/);
  assert.equal(sim.counters.calls()["session.login_with_password"] ?? 0, 0);
  await s.logout();
});

test("the certificate can be trusted as a CA instead of pinned", async () => {
  const s = new XenApiSession(sim.masterUrl, { username: "root", password: PASSWORD }, { tls: { caPem: sim.tls!.certificatePem } });
  try {
    assert.equal((await s.call<string[]>("host.get_all")).length, 2);
  } finally {
    await s.logout();
  }
});

test("without a CA, pin or explicit opt-out, a self-signed certificate is refused", async () => {
  const s = new XenApiSession(sim.masterUrl, { username: "root", password: PASSWORD }, { tls: {} });
  await assert.rejects(s.call("host.get_all"), /self[- ]signed|certificate/i);
  await s.logout();
});

test("a wrong password fails with SESSION_AUTHENTICATION_FAILED and the message holds no password", async () => {
  const s = new XenApiSession(sim.masterUrl, { username: "root", password: "wrong-pw-123" }, { tls: { fingerprints: [sim.tls!.fingerprint256] } });
  await assert.rejects(s.call("host.get_all"), (err: unknown) => {
    assert.ok(isXenApiError(err, "SESSION_AUTHENTICATION_FAILED"));
    assert.ok(!(err as Error).message.includes("wrong-pw-123"));
    return true;
  });
  await s.logout();
});

test("async calls wait for their task, return its result and destroy it", async () => {
  const s = session();
  try {
    const [host] = await s.call<string[]>("host.get_all");
    const ref = await callAsync<string>(s, "SR.create", [host, { location: "/isos", legacy_mode: "true" }, "0", "async", "", "iso", "iso", false, {}]);
    assert.match(ref, /^OpaqueRef:/);
    assert.equal(await s.call("SR.get_name_label", ref), "async");
    assert.equal(sim.db.all("task").length, 0, "no task left behind");
  } finally {
    await s.logout();
  }
});

test("a task that fails raises the task's error and is destroyed too", async () => {
  const s = session();
  try {
    const [host] = await s.call<string[]>("host.get_all");
    sim.faults.failNextTask("SR.create", ["SR_BACKEND_FAILURE_73", "", "NFS mount error", ""]);
    await assert.rejects(
      callAsync(s, "SR.create", [host, { server: "filer", serverpath: "/x" }, "0", "f", "", "nfs", "user", true, {}]),
      (err: unknown) => isXenApiError(err, "SR_BACKEND_FAILURE_73"),
    );
    assert.equal(sim.db.all("task").length, 0);
  } finally {
    sim.faults.clear();
    await s.logout();
  }
});

test("a read whose connection drops is retried once", async () => {
  const s = session();
  try {
    await s.call("host.get_all");
    sim.faults.dropNextConnections(1);
    assert.equal((await s.call<string[]>("host.get_all")).length, 2);
  } finally {
    sim.faults.clear();
    await s.logout();
  }
});

test("shared sessions: one per pool and user, all logged out by closeAllSessions", async () => {
  const opened = sim.counters.sessionsOpened;
  const settings = { url: sim.masterUrl, username: "root", password: PASSWORD, tls: { fingerprints: [sim.tls!.fingerprint256] } };
  assert.equal(sharedSession(settings), sharedSession({ ...settings }));
  await sharedSession(settings).call("host.get_all");
  await sharedSession(settings).call("SR.get_all");
  assert.equal(sim.counters.sessionsOpened - opened, 1);
  await closeAllSessions();
  assert.equal(sim.counters.sessionsOpen, 0);
});
