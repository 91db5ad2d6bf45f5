import { test } from "node:test";
import assert from "node:assert/strict";
import { withSim, demoSpec } from "./client";

test("seeded SRs: local ones with one PBD, shared ones with a PBD per host", async () => {
  await withSim(demoSpec(), { tls: false }, async (sim, _c, s) => {
    const local = await s.call("SR.get_by_name_label", "Local storage");
    assert.equal(local.length, 2);
    for (const sr of local) {
      const rec = await s.call("SR.get_record", sr);
      assert.equal(rec.PBDs.length, 1);
      assert.deepEqual(rec.other_config, { "i18n-key": "local-storage" });
      assert.equal(rec.shared, false);
    }
    const [nfs] = await s.call("SR.get_by_name_label", "NFS");
    const pbds = await s.call("SR.get_PBDs", nfs);
    assert.equal(pbds.length, 3);
    const hosts = await Promise.all(pbds.map((p: string) => s.call("PBD.get_host", p)));
    assert.deepEqual(new Set(hosts), new Set(sim.hosts.map((h) => h.ref)));
    const pool = (await s.call("pool.get_all"))[0];
    assert.equal(await s.call("pool.get_default_SR", pool), nfs);
  });
});

test("SR.create: backend checks give SR_BACKEND_FAILURE_<n> [\"\", reason, stderr]", async () => {
  await withSim(demoSpec(), { tls: false }, async (sim, _c, s) => {
    const h = sim.hosts[0].ref;
    assert.deepEqual(await s.fails("SR.create", h, {}, "0", "n", "", "nfs", "user", true, {}),
      ["SR_BACKEND_FAILURE_102", "", "The request is missing the server parameter", ""]);
    assert.deepEqual(await s.fails("SR.create", h, { server: "x" }, "0", "n", "", "nfs", "user", true, {}),
      ["SR_BACKEND_FAILURE_101", "", "The request is missing the serverpath parameter", ""]);
    assert.deepEqual(await s.fails("SR.create", h, {}, "0", "iso", "", "iso", "iso", true, {}),
      ["SR_BACKEND_FAILURE_94", "", "The request is missing the location parameter", ""]);
    assert.deepEqual(await s.fails("SR.create", h, {}, "0", "loc", "", "ext", "user", false, {}),
      ["SR_BACKEND_FAILURE_90", "", "The request is missing the device parameter", ""]);
    assert.deepEqual(await s.fails("SR.create", h, {}, "0", "x", "", "zzz", "user", false, {}), ["SR_UNKNOWN_DRIVER", "zzz"]);
    // sm_config may be omitted (xapi gives it a default)
    const sr = await s.call("SR.create", h, { server: "nfs.example", serverpath: "/x" }, "0", "shared nfs", "d", "nfs", "user", true);
    const rec = await s.call("SR.get_record", sr);
    assert.equal(rec.PBDs.length, 3);
    assert.equal(rec.type, "nfs");
    assert.equal(rec.shared, true);
    assert.match(rec.physical_size, /^\d+$/);
    for (const p of rec.PBDs) assert.equal(await s.call("PBD.get_currently_attached", p), true);
    const local = await s.call("SR.create", h, { device: "/dev/sdb" }, "1000000", "local ext", "", "ext", "user", false, {});
    assert.equal((await s.call("SR.get_PBDs", local)).length, 1);
    assert.equal(await s.call("SR.get_physical_size", local), "1000000");
    // Async variant returns a task whose result is the SR ref
    const t = await s.task("SR.create", h, { device: "/dev/sdc" }, "0", "async", "", "ext", "user", false, {});
    assert.equal(t.status, "success");
    assert.match(t.result, /^<value>OpaqueRef:[0-9a-f-]+<\/value>$/);
  });
});

test("PBD plug/unplug are idempotent; forget/destroy need every PBD unplugged; scan needs one plugged", async () => {
  await withSim(demoSpec(), { tls: false }, async (sim, _c, s) => {
    const [nfs] = await s.call("SR.get_by_name_label", "NFS");
    const pbds: string[] = await s.call("SR.get_PBDs", nfs);
    await s.call("PBD.plug", pbds[0]); // already attached: success
    assert.deepEqual(await s.fails("SR.forget", nfs), ["SR_HAS_PBD", nfs]);
    assert.deepEqual(await s.fails("SR.destroy", nfs), ["SR_HAS_PBD", nfs]);
    assert.deepEqual(await s.fails("PBD.destroy", pbds[0]), ["OPERATION_NOT_ALLOWED", "PBD is currently attached"]);
    await s.call("SR.scan", nfs);
    for (const p of pbds) { await s.call("PBD.unplug", p); await s.call("PBD.unplug", p); }
    assert.equal(await s.call("PBD.get_currently_attached", pbds[0]), false);
    assert.deepEqual(await s.fails("SR.scan", nfs), ["SR_HAS_NO_PBDS", nfs]);
    await s.task("PBD.plug", pbds[0]);
    assert.equal(await s.call("PBD.get_currently_attached", pbds[0]), true);
    await s.call("PBD.unplug", pbds[0]);
    await s.call("SR.forget", nfs);
    assert.deepEqual(await s.fails("SR.get_record", nfs), ["HANDLE_INVALID", "SR", nfs]);
    assert.deepEqual(await s.fails("PBD.get_record", pbds[0]), ["HANDLE_INVALID", "PBD", pbds[0]]);

    // introduce + PBD.create + plug, then destroy
    const uuid = "3f1c2a9e-5b7d-4c1e-9a2b-0c4d5e6f7a8b";
    const sr = await s.call("SR.introduce", uuid, "again", "", "nfs", "user", true, {});
    assert.equal(await s.call("SR.get_uuid", sr), uuid);
    assert.deepEqual(await s.fails("SR.introduce", uuid, "dup", "", "nfs", "user", true, {}), ["SR_UUID_EXISTS", uuid]);
    const bad = await s.call("PBD.create", { host: sim.hosts[0].ref, SR: sr, device_config: { server: "x" } });
    assert.deepEqual(await s.fails("PBD.plug", bad), ["SR_BACKEND_FAILURE_101", "", "The request is missing the serverpath parameter", ""]);
    assert.deepEqual((await s.fails("PBD.create", { host: sim.hosts[0].ref, SR: sr, device_config: {} }))[0], "PBD_EXISTS");
    await s.call("PBD.destroy", bad);
    const pbd = await s.call("PBD.create", { host: sim.hosts[0].ref, SR: sr, device_config: { server: "x", serverpath: "/y" }, other_config: {} });
    assert.equal(await s.call("PBD.get_currently_attached", pbd), false);
    await s.call("PBD.plug", pbd);
    await s.call("SR.set_name_label", sr, "renamed");
    await s.call("SR.set_name_description", sr, "desc");
    assert.equal(await s.call("SR.get_name_label", sr), "renamed");
    await s.call("PBD.unplug", pbd);
    await s.call("SR.destroy", sr);
    assert.equal((await s.call("SR.get_by_name_label", "renamed")).length, 0);
  });
});
