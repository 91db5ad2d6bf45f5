import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSimulator, Simulator } from "../../../sim";
import { loadSpec } from "../../../sim/spec-load";
import { beginOperation, PoolView, VmRecord, XenApiError, XenApiSession } from "../../../provider/xenapi";

/** The pool view: one load per class, then event.from; what this process writes is read back as written. */
describe("pool view", () => {
  let sim: Simulator;
  const sessions: XenApiSession[] = [];
  const open = (make = (url: string, fp: string) => new XenApiSession(url, { username: "root", password: "pw" }, { tls: { fingerprints: [fp] } })) => {
    const s = make(sim.masterUrl, sim.tls!.fingerprint256);
    sessions.push(s);
    return s;
  };
  const calls = (method: string) => sim.counters.calls()[method] ?? 0;
  const templateRef = () => sim.db.all("VM").find((v) => v.record.name_label === "Debian Bookworm 12")!.ref;

  before(async () => {
    sim = await startSimulator({ ...loadSpec("demo"), users: { root: "pw" } });
  });
  after(async () => {
    for (const s of sessions) await s.logout();
    await sim?.close();
  });

  test("a change made behind its back is seen through event.from, without loading the class again", async () => {
    const view = new PoolView(open());
    const template = templateRef();
    const uuid = String(sim.db.get("VM", template).uuid);
    assert.equal((await view.byUuid<VmRecord>("VM", uuid))?.record.name_description, sim.db.get("VM", template).name_description);
    const loads = calls("VM.get_all_records");
    const events = calls("event.from");
    // Another client changes the template, then a new operation begins (a refresh starting in the same second).
    await open().call("VM.set_name_description", template, "changed behind our back");
    beginOperation();
    assert.equal((await view.byUuid<VmRecord>("VM", uuid))?.record.name_description, "changed behind our back");
    assert.equal(calls("VM.get_all_records"), loads, "not loaded again");
    assert.equal(calls("event.from"), events + 1, "one catch-up");
    assert.equal(calls("VM.get_record"), 0, "no record fetched one by one");
  });

  test("a write followed by a read in the same process reads the written value", async () => {
    const session = open();
    const view = new PoolView(session);
    const template = templateRef();
    assert.ok(await view.get<VmRecord>("VM", template));
    await session.call("VM.set_name_description", template, "written here");
    assert.equal((await view.get<VmRecord>("VM", template))?.name_description, "written here");
    // A VM made here is found by its name right away.
    const clone = await session.call<string>("VM.clone", template, "made here");
    const [found] = await view.byName<VmRecord>("VM", "made here");
    assert.equal(found?.ref, clone);
    await session.call("VM.destroy", clone);
    assert.deepEqual(await view.byName("VM", "made here"), [], "and gone once destroyed");
  });

  test("readers waiting together share one catch-up", async () => {
    const view = new PoolView(open());
    await view.all("VM");
    const events = calls("event.from");
    await Promise.all(Array.from({ length: 20 }, () => view.current()));
    assert.ok(calls("event.from") - events <= 2, `${calls("event.from") - events} catch-ups for 20 readers`);
  });

  test("a lookup that finds nothing catches up once: an object made behind its back is found", async () => {
    const view = new PoolView(open());
    await view.all("network");
    await open().call("network.create", { name_label: "made elsewhere", name_description: "", MTU: "1500", other_config: {}, tags: [] });
    const [found] = await view.byName("network", "made elsewhere");
    assert.ok(found, "found after one catch-up");
  });

  test("a pool that refuses event.from is still read, and what changes is seen", async () => {
    class NoEvents extends XenApiSession {
      override async call<T = unknown>(method: string, ...args: unknown[]): Promise<T> {
        if (method === "event.from") throw new XenApiError("MESSAGE_METHOD_UNKNOWN", [method], method);
        return super.call<T>(method, ...args);
      }
    }
    const session = open((url, fp) => new NoEvents(url, { username: "root", password: "pw" }, { tls: { fingerprints: [fp] } }));
    const view = new PoolView(session);
    const template = templateRef();
    assert.ok(await view.get<VmRecord>("VM", template));
    await session.call("VM.set_name_description", template, "no events here");
    assert.equal((await view.get<VmRecord>("VM", template))?.name_description, "no events here");
  });
});
