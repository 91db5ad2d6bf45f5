import { test } from "node:test";
import assert from "node:assert/strict";
import * as https from "https";
import { X509Certificate } from "crypto";
import { withSim, demoSpec, post } from "./client";
import { datamodel } from "../../../sim/datamodel";

test("wire format: envelopes, int64 strings, xapi datetimes, refs, void", async () => {
  await withSim(demoSpec(), { tls: false }, async (sim, c, s) => {
    const vms = await s.call("VM.get_all");
    assert.ok(vms.length >= 5);
    for (const r of vms) assert.match(r, /^OpaqueRef:[0-9a-f-]{36}$/);
    const tpl = (await s.call("VM.get_by_name_label", "Debian Bookworm 12"))[0];
    const rec = await s.call("VM.get_record", tpl);
    assert.equal(rec.memory_static_max, "1073741824", "int64 travels as a string");
    assert.equal(typeof rec.VCPUs_max, "string");
    assert.equal(rec.suspend_VDI, "OpaqueRef:NULL");
    // raw XML: xapi's datetime form and bare strings
    await s.call("VM.get_snapshot_time", tpl);
    assert.match(c.lastXml, /<dateTime\.iso8601>19700101T00:00:00Z<\/dateTime\.iso8601>/);
    await s.call("VM.get_HVM_shadow_multiplier", tpl);
    assert.match(c.lastXml, /<double>1<\/double>/);
    // void -> ""
    assert.equal(await s.call("VM.set_name_description", tpl, "x"), "");
    // every datamodel field is in the record
    for (const f of datamodel().cls("VM").fields) assert.ok(f.name in rec, `VM record lacks ${f.name}`);
    const hrec = await s.call("host.get_record", sim.hosts[0].ref);
    for (const f of datamodel().cls("host").fields) assert.ok(f.name in hrec, `host record lacks ${f.name}`);
  });
});

test("errors are Failure envelopes with xapi's parameters, never faults", async () => {
  await withSim(demoSpec(), { tls: false }, async (_sim, c, s) => {
    assert.deepEqual(await s.fails("VM.no_such_thing"), ["MESSAGE_METHOD_UNKNOWN", "VM.no_such_thing"]);
    assert.deepEqual(await c.fails("Nope.get_all", s.ref), ["MESSAGE_METHOD_UNKNOWN", "Nope.get_all"]);
    assert.doesNotMatch(c.lastXml, /<fault>/);
    assert.deepEqual(await s.fails("VM.get_record"), ["MESSAGE_PARAMETER_COUNT_MISMATCH", "VM.get_record", "1", "0"]);
    assert.deepEqual(await s.fails("VM.get_record", "a", "b"), ["MESSAGE_PARAMETER_COUNT_MISMATCH", "VM.get_record", "1", "2"]);
    assert.deepEqual(await s.fails("VM.get_record", "OpaqueRef:nope"), ["HANDLE_INVALID", "VM", "OpaqueRef:nope"]);
    assert.deepEqual(await s.fails("SR.get_name_label", "OpaqueRef:NULL"), ["HANDLE_INVALID", "SR", "OpaqueRef:NULL"]);
    assert.deepEqual(await c.fails("VM.get_all", "OpaqueRef:bogus"), ["SESSION_INVALID", "OpaqueRef:bogus"]);
    const uuid = "00000000-0000-0000-0000-000000000000";
    assert.deepEqual(await s.fails("VM.get_by_uuid", uuid), ["UUID_INVALID", "VM", uuid]);
    assert.deepEqual(await s.fails("VM.get_memory_static_max"), ["MESSAGE_PARAMETER_COUNT_MISMATCH", "VM.get_memory_static_max", "1", "0"]);
    // unparseable body: HTTP error, as xapi
    const r = await post(c.url, "not xml");
    assert.equal(r.status, 400);
  });
});

test("generic datamodel methods: get_all_records, get_by_uuid, getters, RW setters, maps, tags", async () => {
  await withSim(demoSpec(), { tls: false }, async (_sim, _c, s) => {
    const all = await s.call("network.get_all_records");
    const [ref, rec] = Object.entries<any>(all).find(([, r]) => r.name_label === "storage")!;
    assert.equal(await s.call("network.get_by_uuid", rec.uuid), ref);
    assert.deepEqual(await s.call("network.get_by_name_label", "storage"), [ref]);
    assert.equal(await s.call("network.get_bridge", ref), "xenbr1");
    await s.call("network.set_name_label", ref, "renamed");
    assert.equal(await s.call("network.get_name_label", ref), "renamed");
    await s.call("network.add_to_other_config", ref, "k", "v");
    assert.deepEqual(await s.fails("network.add_to_other_config", ref, "k", "w"), ["MAP_DUPLICATE_KEY", "network", "other_config", ref, "k"]);
    assert.deepEqual(await s.call("network.get_other_config", ref), { k: "v" });
    await s.call("network.remove_from_other_config", ref, "k");
    await s.call("network.remove_from_other_config", ref, "k"); // absent key: no error
    await s.call("network.set_other_config", ref, { a: "1", b: "2" });
    assert.deepEqual(await s.call("network.get_other_config", ref), { a: "1", b: "2" });
    await s.call("network.add_tags", ref, "t1");
    await s.call("network.add_tags", ref, "t2");
    await s.call("network.add_tags", ref, "t1");
    await s.call("network.remove_tags", ref, "t2");
    assert.deepEqual(await s.call("network.get_tags", ref), ["t1"]);
    // RO fields have no setter
    assert.deepEqual(await s.fails("network.set_bridge", ref, "x"), ["MESSAGE_METHOD_UNKNOWN", "network.set_bridge"]);
    // relations are derived both ways
    const pifs = await s.call("network.get_PIFs", ref);
    assert.equal(pifs.length, 3);
    assert.equal(await s.call("PIF.get_network", pifs[0]), ref);
  });
});

test("TLS: self-signed certificate, fingerprint as node prints it, trusted via the PEM", async () => {
  await withSim(demoSpec(), {}, async (sim, c, s) => {
    assert.match(sim.masterUrl, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    assert.ok(sim.tls);
    assert.match(sim.tls!.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.equal(new X509Certificate(sim.tls!.certificatePem).fingerprint256, sim.tls!.fingerprint256);
    const u = new URL(sim.masterUrl);
    const presented = await new Promise<string>((resolve, reject) => {
      const req = https.request({ hostname: u.hostname, port: u.port, method: "GET", path: "/", rejectUnauthorized: false, agent: false }, (res) => {
        resolve((res.socket as any).getPeerCertificate().fingerprint256);
        res.resume();
      });
      req.on("error", reject);
      req.end();
    });
    assert.equal(presented, sim.tls!.fingerprint256);
    assert.ok((await s.call("pool.get_all")).length === 1);
    void c;
  });
});
