import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startSimulator, Simulator } from "../../../sim";
import { loadSpec } from "../../../sim/spec-load";
import { addFieldEntry, addToSet, applyMapDelta, applySetDelta, mapDelta, removeFromSet, setDelta, setFieldEntry, XenApiError, XenApiSession } from "../../../provider/xenapi";

describe("mapDelta / setDelta (pure)", () => {
  test("mapDelta: new and changed keys are set, dropped keys removed, equal keys left alone", () => {
    assert.deepEqual(mapDelta({ a: "1", b: "2", c: "3" }, { a: "1", b: "x", d: "4" }), { set: { b: "x", d: "4" }, remove: ["c"] });
  });

  test("mapDelta: undefined reads as empty", () => {
    assert.deepEqual(mapDelta(undefined, { a: "1" }), { set: { a: "1" }, remove: [] });
    assert.deepEqual(mapDelta({ a: "1" }, undefined), { set: {}, remove: ["a"] });
    assert.deepEqual(mapDelta(undefined, undefined), { set: {}, remove: [] });
  });

  test("mapDelta: with managedKeys only managed keys are removed; sets are not restricted", () => {
    const actual = { "i18n-key": "local-storage", owner: "me", old: "x" };
    assert.deepEqual(mapDelta(actual, { owner: "you" }, ["owner", "old"]), { set: { owner: "you" }, remove: ["old"] });
    assert.deepEqual(mapDelta(actual, { fresh: "1" }, []), { set: { fresh: "1" }, remove: [] });
  });

  test("mapDelta: an empty value is a value, and an inherited property name is an ordinary key", () => {
    assert.deepEqual(mapDelta({ a: "" }, { a: "" }), { set: {}, remove: [] });
    assert.deepEqual(mapDelta({}, { a: "" }), { set: { a: "" }, remove: [] });
    assert.deepEqual(mapDelta({}, { toString: "x" }), { set: { toString: "x" }, remove: [] });
    assert.deepEqual(mapDelta({ constructor: "y" }, {}), { set: {}, remove: ["constructor"] });
  });

  test("setDelta: additions and removals, duplicates counted once, order kept", () => {
    assert.deepEqual(setDelta(["a", "b", "c"], ["c", "d", "d", "a", "e"]), { add: ["d", "e"], remove: ["b"] });
    assert.deepEqual(setDelta(undefined, ["a"]), { add: ["a"], remove: [] });
    assert.deepEqual(setDelta(["a"], undefined), { add: [], remove: ["a"] });
    assert.deepEqual(setDelta(["a", "b"], ["b", "a"]), { add: [], remove: [] });
  });
});

/** The appliers against the simulator: the calls they make, counted. */
describe("setFieldEntry / addToSet / removeFromSet (simulator)", () => {
  let sim: Simulator;
  let s: XenApiSession;
  let net: string;
  const counted = async (fn: () => Promise<void>): Promise<Record<string, number>> => {
    const before = { ...sim.counters.calls() };
    await fn();
    const after = sim.counters.calls();
    const out: Record<string, number> = {};
    for (const [m, n] of Object.entries(after)) if (n !== (before[m] ?? 0)) out[m] = n - (before[m] ?? 0);
    return out;
  };
  const otherConfig = () => s.call<Record<string, string>>("network.get_other_config", net);

  before(async () => {
    sim = await startSimulator({ ...loadSpec("demo"), users: { root: "pw" } });
    s = new XenApiSession(sim.masterUrl, { username: "root", password: "pw" }, { tls: { fingerprints: [sim.tls!.fingerprint256] } });
    net = (await s.call<string[]>("network.get_all"))[0];
    await s.call("network.set_other_config", net, { keep: "theirs" });
  });
  after(async () => {
    await s?.logout();
    await sim?.close();
  });

  test("without `known`: remove_from_ then add_to_, whether the key is there or not", async () => {
    assert.deepEqual(await counted(() => setFieldEntry(s, "network", net, "other_config", "k", "1")), {
      "network.remove_from_other_config": 1,
      "network.add_to_other_config": 1,
    });
    assert.deepEqual(await counted(() => setFieldEntry(s, "network", net, "other_config", "k", "2")), {
      "network.remove_from_other_config": 1,
      "network.add_to_other_config": 1,
    });
    assert.deepEqual(await otherConfig(), { keep: "theirs", k: "2" });
    assert.deepEqual(await counted(() => setFieldEntry(s, "network", net, "other_config", "k", null)), { "network.remove_from_other_config": 1 });
    assert.deepEqual(await counted(() => setFieldEntry(s, "network", net, "other_config", "k", undefined)), { "network.remove_from_other_config": 1 }, "absent: xapi does nothing");
    assert.deepEqual(await otherConfig(), { keep: "theirs" });
  });

  test("with `known`: nothing for an entry already as wanted, add_to_ alone for a key known absent", async () => {
    let known = await otherConfig();
    assert.deepEqual(await counted(() => setFieldEntry(s, "network", net, "other_config", "keep", "theirs", known)), {});
    assert.deepEqual(await counted(() => setFieldEntry(s, "network", net, "other_config", "gone", null, known)), {});
    assert.deepEqual(await counted(() => setFieldEntry(s, "network", net, "other_config", "n", "1", known)), { "network.add_to_other_config": 1 });
    known = await otherConfig();
    assert.deepEqual(await counted(() => setFieldEntry(s, "network", net, "other_config", "n", "2", known)), {
      "network.remove_from_other_config": 1,
      "network.add_to_other_config": 1,
    });
    assert.deepEqual(await counted(() => setFieldEntry(s, "network", net, "other_config", "n", null, known)), { "network.remove_from_other_config": 1 });
    assert.deepEqual(await otherConfig(), { keep: "theirs" });
  });

  test("a stale `known` (the key was added since): MAP_DUPLICATE_KEY, then remove_from_ and add_to_", async () => {
    const stale = await otherConfig();
    await s.call("network.add_to_other_config", net, "raced", "someone else");
    const calls = await counted(() => setFieldEntry(s, "network", net, "other_config", "raced", "mine", stale));
    // (the session also reads the record once, to name the object in the refused add's message)
    assert.equal(calls["network.add_to_other_config"], 2);
    assert.equal(calls["network.remove_from_other_config"], 1);
    assert.equal((await otherConfig()).raced, "mine");
    await setFieldEntry(s, "network", net, "other_config", "raced", null);
    assert.deepEqual(await otherConfig(), { keep: "theirs" });
  });

  test("addFieldEntry: one add_to_, refused with MAP_DUPLICATE_KEY when the key is there (another's mark is not replaced)", async () => {
    assert.deepEqual(await counted(() => addFieldEntry(s, "network", net, "other_config", "mark", "mine")), { "network.add_to_other_config": 1 });
    await assert.rejects(addFieldEntry(s, "network", net, "other_config", "mark", "theirs"), (e: unknown) => e instanceof XenApiError && e.code === "MAP_DUPLICATE_KEY");
    assert.equal((await otherConfig()).mark, "mine");
    await setFieldEntry(s, "network", net, "other_config", "mark", null);
  });

  test("applyMapDelta: removals, then sets, entry by entry; other keys untouched", async () => {
    const known = await otherConfig();
    await s.call("network.add_to_other_config", net, "dropped", "x");
    const delta = mapDelta({ dropped: "x" }, { a: "1", b: "2" });
    assert.deepEqual(await counted(() => applyMapDelta(s, "network", net, "other_config", delta)), {
      "network.remove_from_other_config": 3,
      "network.add_to_other_config": 2,
    });
    assert.deepEqual(await otherConfig(), { keep: "theirs", a: "1", b: "2" });
    // the same delta with what was read before "dropped" was added: "dropped" looks absent, so it stays.
    assert.deepEqual(await counted(() => applyMapDelta(s, "network", net, "other_config", mapDelta({ a: "1" }, { a: "9" }), { ...known, a: "1" })), {
      "network.remove_from_other_config": 1,
      "network.add_to_other_config": 1,
    });
    assert.equal((await otherConfig()).a, "9");
  });

  test("sets: addToSet / removeFromSet are one call each, and no-ops where xapi's are", async () => {
    const tags = () => s.call<string[]>("network.get_tags", net);
    assert.deepEqual(await counted(() => addToSet(s, "network", net, "tags", "t1")), { "network.add_tags": 1 });
    await addToSet(s, "network", net, "tags", "t1");
    assert.deepEqual(await tags(), ["t1"]);
    await removeFromSet(s, "network", net, "tags", "absent");
    assert.deepEqual(await counted(() => applySetDelta(s, "network", net, "tags", setDelta(["t1"], ["t2", "t3"]))), {
      "network.remove_tags": 1,
      "network.add_tags": 2,
    });
    assert.deepEqual([...(await tags())].sort(), ["t2", "t3"]);
  });
});
