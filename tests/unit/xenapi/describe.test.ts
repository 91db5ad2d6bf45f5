import { test, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { startSimulator, Simulator } from "../../../sim";
import { callAsync, describeXenApiError, MAX_DESCRIBE_LOOKUPS, XenApiError, XenApiSession } from "../../../provider/xenapi";

/** xapi's errors name the objects behind their OpaqueRefs, within a bounded number of extra reads. */
const PASSWORD = "pw";
let sim: Simulator;

before(async () => {
  sim = await startSimulator({ name: "describe", hosts: [{ name: "master" }], users: { root: PASSWORD }, templates: [{ name: "Debian Bookworm 12" }] });
});
after(async () => {
  await sim?.close();
});
afterEach(() => sim.faults.clear());

function session() {
  const sent = new Map<string, number>();
  const s = new XenApiSession(sim.masterUrl, { username: "root", password: PASSWORD }, {
    tls: { fingerprints: [sim.tls!.fingerprint256] },
    onCall: (method) => sent.set(method, (sent.get(method) ?? 0) + 1),
  });
  const reads = () => [...sent].filter(([m]) => m.endsWith(".get_record")).reduce((n, [, c]) => n + c, 0);
  return { s, reads };
}

const template = () => sim.db.all("VM").find((v) => v.record.name_label === "Debian Bookworm 12")!;

test("a refused call names the object by class, name and uuid instead of its OpaqueRef; params stay raw", async () => {
  const { s, reads } = session();
  const { ref, record } = template();
  try {
    await assert.rejects(s.call("VM.start", ref, false, false), (err: unknown) => {
      assert.ok(err instanceof XenApiError, String(err));
      assert.equal(err.message, `VM.start failed: VM_IS_TEMPLATE: VM "Debian Bookworm 12" (uuid ${record.uuid})`);
      assert.deepEqual(err.params, [ref], "params as xapi sent them");
      assert.equal(err.kind, "xapi");
      return true;
    });
    assert.equal(reads(), 1, "one extra read");
  } finally {
    await s.logout();
  }
});

test("a failed task's error is described too", async () => {
  const { s } = session();
  const { ref, record } = template();
  try {
    await assert.rejects(callAsync(s, "VM.start", [ref, false, false]), new RegExp(`VM\\.start failed: VM_IS_TEMPLATE: VM "Debian Bookworm 12" \\(uuid ${record.uuid}\\)$`));
  } finally {
    await s.logout();
  }
});

test("a ref that cannot be read stays as it is, and describing costs at most a couple of reads", async () => {
  const { s, reads } = session();
  const { ref } = template();
  const gone = "OpaqueRef:00000000-dead-beef-0000-000000000000";
  try {
    const [pool] = await s.call<string[]>("pool.get_all");
    sim.faults.failNextTask("pool.set_name_label", ["VM_REQUIRES_SR", gone, gone, ref, ref]);
    const before = reads();
    await assert.rejects(s.call("pool.set_name_label", pool, "x"), (err: unknown) => {
      assert.ok(err instanceof XenApiError);
      assert.ok(err.message.startsWith(`pool.set_name_label failed: VM_REQUIRES_SR: ${gone}, ${gone}`), err.message);
      assert.deepEqual(err.params, [gone, gone, ref, ref]);
      return true;
    });
    assert.equal(reads() - before, MAX_DESCRIBE_LOOKUPS);
  } finally {
    await s.logout();
  }
});

test("describing never fails the error itself, and leaves errors without refs alone", async () => {
  const failing = async () => {
    throw new Error("lookup failed");
  };
  const err = new XenApiError("VM_BAD_POWER_STATE", ["OpaqueRef:abc", "halted", "running"], "VM.start");
  const described = await describeXenApiError(err, failing);
  assert.equal(described.message, "VM.start failed: VM_BAD_POWER_STATE: OpaqueRef:abc, halted, running");
  const plain = new XenApiError("SR_BACKEND_FAILURE_73", ["", "NFS mount error", ""], "SR.create");
  let looked = 0;
  await describeXenApiError(plain, async () => (looked++, {}));
  assert.equal(looked, 0);
  assert.equal(plain.message, "SR.create failed: SR_BACKEND_FAILURE_73  NFS mount error");
});
