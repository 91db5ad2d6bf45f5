import { test, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import * as https from "node:https";
import { startSimulator, Simulator } from "../../../sim";
import {
  backoffMs,
  errorKind,
  isReadOnly,
  isRetryable,
  XenApiAuthError,
  XenApiError,
  XenApiSession,
  XenApiTlsError,
  XenApiTransportError,
} from "../../../provider/xenapi";
import { closedPortUrl } from "../closed-port";

/** Connection problems: what is retried, what is not, and what the errors say. */
const PASSWORD = "s3cret-xen";
let sim: Simulator;

before(async () => {
  sim = await startSimulator({ name: "retry", hosts: [{ name: "master" }], users: { root: PASSWORD } });
});
after(async () => {
  await sim?.close();
});
afterEach(() => sim.faults.clear());

/** A session with short back-off (no long sleeps in tests) that counts the requests it makes, by method. */
function session(options: { password?: string; fingerprints?: string[]; url?: string; attempts?: number } = {}) {
  const sent = new Map<string, number>();
  const s = new XenApiSession(
    options.url ?? sim.masterUrl,
    { username: "root", password: options.password ?? PASSWORD },
    {
      tls: { fingerprints: options.fingerprints ?? [sim.tls!.fingerprint256] },
      retry: { attempts: options.attempts ?? 5, firstDelayMs: 1, maxDelayMs: 4 },
      onCall: (method) => sent.set(method, (sent.get(method) ?? 0) + 1),
    },
  );
  return { s, sent: (method: string) => sent.get(method) ?? 0 };
}

/** Arms the simulator to cut the next `n` connections or calls at `at` (its /_sim/faults/drop control). */
function dropNext(n: number, at: "accept" | "request" | "answer"): Promise<void> {
  return new Promise((resolve, reject) => {
    const url = new URL(`/_sim/faults/drop?n=${n}&at=${at}`, sim.masterUrl);
    const req = https.request(url, { method: "POST", ca: sim.tls!.certificatePem, agent: false }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`drop: HTTP ${res.statusCode}`))));
    });
    req.on("error", reject);
    req.end();
  });
}

const simCalls = (method: string) => sim.counters.calls()[method] ?? 0;


test("the read predicate: getters and event.from are reads; writes, Async calls and plain names are not", () => {
  for (const m of ["VM.get_record", "VM.get_all", "SR.get_all_records", "VM.get_by_uuid", "network.get_by_name_label", "event.from", "session.get_this_host"]) {
    assert.ok(isReadOnly(m), m);
  }
  for (const m of ["VM.start", "VM.set_name_label", "Async.VM.get_record", "VDI.destroy", "task.cancel", "get_all"]) {
    assert.ok(!isReadOnly(m), m);
  }
  const notSent = new XenApiTransportError("x", "u", undefined, { delivery: "not-sent" });
  const maybeSent = new XenApiTransportError("x", "u", undefined, { delivery: "maybe-sent" });
  assert.ok(isRetryable(notSent, "VM.start"));
  assert.ok(!isRetryable(maybeSent, "VM.start"));
  assert.ok(isRetryable(maybeSent, "VM.get_record"));
  assert.ok(isRetryable(maybeSent, "session.login_with_password"));
  assert.ok(isRetryable(maybeSent, "task.destroy"));
  assert.ok(!isRetryable(new XenApiTransportError("x", "u", undefined, { delivery: "not-sent", timedOut: true }), "VM.get_record"));
  assert.ok(!isRetryable(new XenApiTlsError("x", "u"), "VM.get_record"));
  assert.ok(!isRetryable(new XenApiError("VM_IS_TEMPLATE", [], "VM.start"), "VM.get_record"));
});

test("back-off doubles from the first delay up to the cap, jittered within the upper half", () => {
  const policy = { attempts: 5, firstDelayMs: 200, maxDelayMs: 3000 };
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => backoffMs(policy, n, () => 1)), [200, 400, 800, 1600, 3000, 3000]);
  assert.deepEqual([1, 2, 5].map((n) => backoffMs(policy, n, () => 0)), [100, 200, 1500]);
});

test("a login whose connections are dropped before the TLS handshake is retried, and logs in once", async () => {
  sim.counters.reset();
  const { s, sent } = session();
  try {
    await dropNext(3, "accept");
    assert.equal((await s.call<string[]>("host.get_all")).length, 1);
    assert.equal(sent("session.login_with_password"), 4, "three dropped attempts, then one that went through");
    assert.equal(simCalls("session.login_with_password"), 1, "xapi saw one login");
    assert.equal(sim.counters.sessionsOpened, 1);
  } finally {
    await s.logout();
  }
  assert.equal(sim.counters.sessionsOpen, 0, "no session left behind");
});

test("a login whose answer is lost is retried; the session xapi made for the lost answer is the one not logged out", async () => {
  sim.counters.reset();
  const { s, sent } = session();
  try {
    await dropNext(1, "answer");
    await s.call("host.get_all");
    assert.equal(sent("session.login_with_password"), 2);
    assert.equal(sim.counters.sessionsOpened, 2, "xapi logged in twice: the first answer was lost");
  } finally {
    await s.logout();
  }
  // Its ref never reached the client, so it cannot be logged out: xapi's per-user session limit evicts it.
  assert.equal(sim.counters.sessionsOpen, 1);
  await sim.faults.restart(); // forget it, for the tests that follow
});

test("a write whose connection is dropped before it was sent is retried and runs exactly once", async () => {
  const { s, sent } = session();
  try {
    const [pool] = await s.call<string[]>("pool.get_all");
    sim.counters.reset();
    await dropNext(1, "accept");
    // The read takes the open connection; the write needs a new one, which is cut before the handshake.
    const [, description] = await Promise.all([
      s.call("host.get_all"),
      s.call("pool.set_name_description", pool, "written once").then(() => s.call("pool.get_name_description", pool)),
    ]);
    assert.equal(description, "written once");
    assert.equal(sent("pool.set_name_description"), 2, "sent twice: the first never left");
    assert.equal(simCalls("pool.set_name_description"), 1, "ran once");
  } finally {
    await s.logout();
  }
});

test("a write whose answer is lost after it ran is not repeated, and the error says it may have run", async () => {
  const { s, sent } = session();
  try {
    const [pool] = await s.call<string[]>("pool.get_all");
    sim.counters.reset();
    await dropNext(1, "answer");
    await assert.rejects(s.call("pool.set_name_description", pool, "ran anyway"), (err: unknown) => {
      assert.ok(err instanceof XenApiTransportError, String(err));
      assert.equal(err.delivery, "maybe-sent");
      assert.equal(errorKind(err), "connection");
      assert.match(err.message, /pool\.set_name_description at https:\/\/\S+: the connection dropped after the request was sent .*xapi may have run it, so it is not repeated/);
      return true;
    });
    assert.equal(sent("pool.set_name_description"), 1);
    assert.equal(simCalls("pool.set_name_description"), 1);
    assert.equal(await s.call("pool.get_name_description", pool), "ran anyway", "it did run");
  } finally {
    await s.logout();
  }
});

test("a read is retried when its connection drops when the request arrives, or after it ran", async () => {
  const { s, sent } = session();
  try {
    await s.call("host.get_all");
    sim.counters.reset();
    await dropNext(1, "request");
    assert.equal((await s.call<string[]>("host.get_all")).length, 1);
    await dropNext(2, "answer");
    assert.equal((await s.call<string[]>("host.get_all")).length, 1);
    assert.equal(sent("host.get_all"), 1 + 2 + 3, "the first call, then 2 tries, then 3 tries");
    assert.equal(simCalls("host.get_all"), 1 + 3, "the one cut on arrival never ran; the two whose answers were lost did");
  } finally {
    await s.logout();
  }
});

test("after the attempts run out the error says what was tried, for how long, and why: a connection error", async () => {
  const url = await closedPortUrl();
  const { s, sent } = session({ url, attempts: 3 });
  await assert.rejects(s.call("host.get_all"), (err: unknown) => {
    assert.ok(err instanceof XenApiTransportError, String(err));
    assert.ok(!(err instanceof XenApiError), "not an xapi error");
    assert.equal(errorKind(err), "connection");
    assert.match(err.message, new RegExp(`^cannot reach the pool at ${url.replace(/[.]/g, "\\.")}: login failed after 3 attempts over \\d+\\.\\d s: ECONNREFUSED`));
    assert.ok(!err.message.includes(PASSWORD));
    return true;
  });
  assert.equal(sent("session.login_with_password"), 3);
  await s.logout();
});

test("dropped connections beyond the attempts fail the login with the count", async () => {
  const { s, sent } = session({ attempts: 2 });
  await dropNext(5, "accept");
  await assert.rejects(s.call("host.get_all"), /login failed after 2 attempts over [\d.]+ s: ECONNRESET/);
  assert.equal(sent("session.login_with_password"), 2);
  await s.logout();
});

test("a certificate that does not match the pin is a TLS error and is not retried", async () => {
  sim.counters.reset();
  const { s, sent } = session({ fingerprints: ["AB:".repeat(31) + "AB"] });
  await assert.rejects(s.call("host.get_all"), (err: unknown) => {
    assert.ok(err instanceof XenApiTlsError, String(err));
    assert.equal(errorKind(err), "tls");
    assert.match(err.message, /^TLS verification of the pool at https:\/\/\S+ failed: .*not a pinned one/);
    return true;
  });
  assert.equal(sent("session.login_with_password"), 1);
  assert.equal(simCalls("session.login_with_password"), 0, "the password never left");
  await s.logout();
});

test("a wrong password is an auth error naming the user and the pool, not retried, without the password", async () => {
  const { s, sent } = session({ password: "wrong-pw-123" });
  await assert.rejects(s.call("host.get_all"), (err: unknown) => {
    assert.ok(err instanceof XenApiAuthError, String(err));
    assert.equal(errorKind(err), "auth");
    assert.equal(err.code, "SESSION_AUTHENTICATION_FAILED");
    assert.match(err.message, /^login refused for user root at https:\/\/\S+: SESSION_AUTHENTICATION_FAILED/);
    assert.ok(!err.message.includes("wrong-pw-123") && !err.message.includes(PASSWORD));
    return true;
  });
  assert.equal(sent("session.login_with_password"), 1);
  await s.logout();
});
