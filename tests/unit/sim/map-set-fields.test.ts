/**
 * Map entries and set members as xapi's database changes them (ocaml/database/db_cache_types.ml add_to_map,
 * remove_from_map, add_to_set, remove_from_set; db_cache_impl.ml process_structured_field_locked; the error
 * mapping in xapi's error_of_exn): what provider/xenapi/field-entry.ts relies on.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { withSim, demoSpec } from "./client";

test("add_to_<map>: MAP_DUPLICATE_KEY [table, field, ref, key] for a key that is there, even with the same value", async () => {
  await withSim(demoSpec(), { tls: false }, async (_sim, _c, s) => {
    const [sr] = await s.call("SR.get_by_name_label", "NFS");
    await s.call("SR.add_to_other_config", sr, "k", "v");
    assert.deepEqual(await s.fails("SR.add_to_other_config", sr, "k", "v"), ["MAP_DUPLICATE_KEY", "SR", "other_config", sr, "k"]);
    assert.deepEqual(await s.fails("SR.add_to_other_config", sr, "k", "w"), ["MAP_DUPLICATE_KEY", "SR", "other_config", sr, "k"]);
    assert.equal((await s.call("SR.get_other_config", sr)).k, "v", "a refused add changes nothing");
    const [vm] = await s.call("VM.get_by_name_label", "Debian Bookworm 12");
    await s.call("VM.add_to_xenstore_data", vm, "vm-data/x", "1");
    assert.deepEqual(await s.fails("VM.add_to_xenstore_data", vm, "vm-data/x", "1"), ["MAP_DUPLICATE_KEY", "VM", "xenstore_data", vm, "vm-data/x"]);
  });
});

test("an empty map key is refused (Db_exn.Empty_key_in_map as INTERNAL_ERROR), by add_to_ and by the whole-field setter", async () => {
  await withSim(demoSpec(), { tls: false }, async (_sim, _c, s) => {
    const pool = (await s.call("pool.get_all"))[0];
    assert.deepEqual(await s.fails("pool.add_to_other_config", pool, "", "v"), ["INTERNAL_ERROR", "Db_exn.Empty_key_in_map"]);
    assert.deepEqual(await s.fails("pool.set_other_config", pool, { "": "v" }), ["INTERNAL_ERROR", "Db_exn.Empty_key_in_map"]);
    assert.ok(!("" in (await s.call("pool.get_other_config", pool))));
  });
});

test("remove_from_<map> of an absent key and add_<set> of a member that is there change nothing, but are writes (a mod event)", async () => {
  await withSim(demoSpec(), { tls: false }, async (_sim, _c, s) => {
    const pool = (await s.call("pool.get_all"))[0];
    await s.call("pool.add_tags", pool, "t");
    const before = await s.call("pool.get_record", pool);
    const token = (await s.call("event.from", ["pool"], "", 0)).token;
    await s.call("pool.remove_from_other_config", pool, "never-there");
    const removed = await s.call("event.from", ["pool"], token, 1);
    assert.deepEqual(removed.events.map((e: any) => [e.ref, e.operation]), [[pool, "mod"]]);
    await s.call("pool.add_tags", pool, "t");
    const added = await s.call("event.from", ["pool"], removed.token, 1);
    assert.deepEqual(added.events.map((e: any) => [e.ref, e.operation]), [[pool, "mod"]]);
    await s.call("pool.remove_tags", pool, "never-there");
    const removedTag = await s.call("event.from", ["pool"], added.token, 1);
    assert.deepEqual(removedTag.events.map((e: any) => [e.ref, e.operation]), [[pool, "mod"]]);
    const after = await s.call("pool.get_record", pool);
    assert.deepEqual(after.other_config, before.other_config);
    assert.deepEqual(after.tags, before.tags);
  });
});

test("a new set member or map key goes first, as xapi's database prepends it", async () => {
  await withSim(demoSpec(), { tls: false }, async (_sim, _c, s) => {
    const net = (await s.call("network.get_all"))[0];
    await s.call("network.set_tags", net, []);
    await s.call("network.set_other_config", net, {});
    for (const t of ["a", "b", "c"]) await s.call("network.add_tags", net, t);
    assert.deepEqual(await s.call("network.get_tags", net), ["c", "b", "a"]);
    await s.call("network.remove_tags", net, "b");
    assert.deepEqual(await s.call("network.get_tags", net), ["c", "a"]);
    for (const k of ["x", "y"]) await s.call("network.add_to_other_config", net, k, k);
    assert.deepEqual(Object.keys(await s.call("network.get_other_config", net)), ["y", "x"]);
  });
});
