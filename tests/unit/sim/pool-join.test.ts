import { test } from "node:test";
import assert from "node:assert/strict";
import { Client, Envelope, Session, demoSpec } from "./client";
import { startSimulator, PoolSpec, Simulator } from "../../../sim";

const spareSpec = (): PoolSpec => ({
  name: "spare",
  hosts: [{ name: "xs4" }],
  srs: [{ name: "Local storage", type: "ext", deviceConfig: { device: "/dev/sda3" } }],
  templates: [{ name: "Other install media", memory: 1073741824, vcpus: 1, hvm: true }],
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hostAddress = (sim: Simulator) => new URL(sim.masterUrl).host; // 127.0.0.1:<port>, as HOST_IS_SLAVE names it

async function login(url: string, pwd = "xenroot"): Promise<Session> {
  const c = new Client(url);
  return new Session(c, await c.call("session.login_with_password", "root", pwd, "2.21", "pool-tests"));
}

/** The joined host restarts as a member shortly after the join returns: wait until its login says so. */
/**
 * Polls a host's login until `done` holds. The host's xapi restarts meanwhile (join, eject), and a restart cuts
 * the connections open at that moment: a reset connection is a "not yet", as for any client of a restarting xapi.
 */
async function untilLogin(url: string, done: (e: Envelope) => boolean, what: string): Promise<Envelope> {
  for (let i = 0; i < 200; i++) {
    const e = await new Client(url).raw("session.login_with_password", ["root", "xenroot", "2.21", "x"]).catch(() => undefined);
    if (e && done(e)) return e;
    await sleep(10);
  }
  throw new Error(`${url} never ${what}`);
}

async function untilMember(url: string): Promise<string[]> {
  const e = await untilLogin(url, (r) => r.Status === "Failure" && r.ErrorDescription?.[0] === "HOST_IS_SLAVE", "answered HOST_IS_SLAVE");
  return e.ErrorDescription!;
}

async function withPools(fn: (pool: Simulator, spare: Simulator) => Promise<void>): Promise<void> {
  const pool = await startSimulator(demoSpec(), { tls: false });
  const spare = await startSimulator(spareSpec(), { tls: false });
  try { await fn(pool, spare); } finally { await spare.close(); await pool.close(); }
}

test("pool.join: the standalone host becomes a member: host record, local SR, PIFs, a PBD on every shared SR; its port answers HOST_IS_SLAVE", async () => {
  await withPools(async (pool, spare) => {
    const xs4 = spare.hosts[0];
    const s4 = await login(spare.masterUrl);
    const oldPool = (await s4.call("pool.get_all"))[0];
    const localSr = (await s4.call("SR.get_by_name_label", "Local storage"))[0];
    const t = await s4.task("pool.join", hostAddress(pool), "root", "xenroot");
    assert.equal(t.status, "success", JSON.stringify(t.error_info));
    assert.equal(t.result, "");

    const s = await login(pool.masterUrl);
    const hosts: string[] = await s.call("host.get_all");
    assert.equal(hosts.length, 4);
    const h4 = await s.call("host.get_by_uuid", xs4.uuid);
    assert.equal(await s.call("host.get_name_label", h4), "xs4");
    assert.ok(pool.hosts.some((h) => h.uuid === xs4.uuid && h.url === xs4.url), "the master simulator lists the joined host");
    assert.equal((await s.call("pool.get_all")).length, 1, "one pool; the joining host's pool is gone");
    assert.ok(!(await s.call("pool.get_all")).includes(oldPool));

    // shared SR: a plugged PBD for the new host with the pool's device_config
    const nfs = (await s.call("SR.get_by_name_label", "NFS"))[0];
    const pbds = await s.call("SR.get_PBDs", nfs);
    assert.equal(pbds.length, 4);
    const mine = await Promise.all(pbds.map((p: string) => s.call("PBD.get_record", p)));
    const p4 = mine.find((p: any) => p.host === h4);
    assert.ok(p4, "PBD for the joined host");
    assert.equal(p4.currently_attached, true);
    assert.deepEqual(p4.device_config, { server: "10.0.0.5", serverpath: "/export" });

    // its local SR came along (same uuid), not shared, one PBD on the new host
    const srs = await s.call("SR.get_all_records");
    const local = Object.entries(srs).find(([, r]: any) => r.uuid === spare.db.get("SR", localSr).uuid);
    assert.ok(local, "local SR of the joined host in the pool database");
    const [srRef, srRec] = local as [string, any];
    assert.equal(srRec.shared, false);
    assert.deepEqual((await Promise.all(srRec.PBDs.map((p: string) => s.call("PBD.get_host", p)))), [h4]);
    assert.ok(srRef);

    // its management PIF is on the pool's network of the same bridge; its control domain is there
    const h4rec = await s.call("host.get_record", h4);
    assert.equal(h4rec.PIFs.length, 1);
    const pif = await s.call("PIF.get_record", h4rec.PIFs[0]);
    assert.equal(pif.management, true);
    assert.equal(await s.call("network.get_bridge", pif.network), "xenbr0");
    assert.equal((await s.call("network.get_by_name_label", "Pool-wide network associated with eth0")).length, 1);
    const dom0 = await s.call("VM.get_record", h4rec.control_domain);
    assert.equal(dom0.is_control_domain, true);
    assert.equal(dom0.resident_on, h4);
    // default templates are not duplicated
    assert.equal((await s.call("VM.get_by_name_label", "Other install media")).length, 1);

    // xapi restarts as a member: old sessions are gone, login names the master
    const d = await untilMember(xs4.url);
    assert.deepEqual(d, ["HOST_IS_SLAVE", hostAddress(pool)]);
    assert.equal((await s4.c.raw("pool.get_all", [s4.ref])).ErrorDescription?.[0], "SESSION_INVALID");
    // a pool session works on the new member's port, and the spare simulator now shows the pool it belongs to
    assert.equal((await new Session(new Client(xs4.url), s.ref).call("host.get_all")).length, 4);
    assert.equal(spare.masterUrl, pool.masterUrl);
  });
});

test("pool.join: wrong password, unreachable master, a member as master, joining itself", async () => {
  await withPools(async (pool, spare) => {
    const s4 = await login(spare.masterUrl);
    assert.deepEqual(await s4.fails("pool.join", hostAddress(pool), "root", "wrong"), ["SESSION_AUTHENTICATION_FAILED", "root", "Authentication failure"]);
    assert.deepEqual(await s4.fails("pool.join", "127.0.0.1:1", "root", "xenroot"), ["JOINING_HOST_CONNECTION_FAILED"]);
    assert.deepEqual(await s4.fails("pool.join", new URL(pool.hosts[1].url).host, "root", "xenroot"), ["HOST_IS_SLAVE", hostAddress(pool)]);
    assert.deepEqual(await s4.fails("pool.join", hostAddress(spare), "root", "xenroot"), ["OPERATION_NOT_ALLOWED", "Host cannot become slave of itself"]);
    // the async form fails its task with the same code
    const t = await s4.task("pool.join", hostAddress(pool), "root", "wrong");
    assert.equal(t.status, "failure");
    assert.deepEqual(t.error_info, ["SESSION_AUTHENTICATION_FAILED", "root", "Authentication failure"]);
    assert.equal(pool.hosts.length, 3);
    assert.equal((await s4.call("host.get_all")).length, 1, "nothing moved");
    // the master saw the logins and logged its sessions out again
    assert.equal(pool.counters.sessionsOpen, 0);
  });
});

test("pool.join: refused with a running VM, from a master of other hosts, with shared storage", async () => {
  await withPools(async (pool, spare) => {
    const s4 = await login(spare.masterUrl);
    const vm = await s4.call("VM.clone", (await s4.call("VM.get_by_name_label", "Other install media"))[0], "busy");
    await s4.call("VM.provision", vm);
    await s4.call("VM.set_is_a_template", vm, false);
    await s4.call("VM.start", vm, false, false);
    assert.deepEqual(await s4.fails("pool.join", hostAddress(pool), "root", "xenroot"), ["JOINING_HOST_CANNOT_HAVE_RUNNING_VMS"]);
    await s4.call("VM.hard_shutdown", vm);

    // the master of a 3-host pool cannot join another pool
    const s = await login(pool.masterUrl);
    assert.deepEqual(await s.fails("pool.join", hostAddress(spare), "root", "xenroot"), ["JOINING_HOST_CANNOT_BE_MASTER_OF_OTHER_HOSTS"]);
    assert.deepEqual(await s.fails("pool.join", hostAddress(pool), "root", "xenroot"), ["OPERATION_NOT_ALLOWED", "Host is already part of a pool"]);

    // a shared SR on the joining host
    await s4.call("SR.introduce", "6e1c5c8a-0d1e-4c39-9d0c-3a5d3b2f1a11", "nfs2", "", "nfs", "user", true, {});
    assert.deepEqual(await s4.fails("pool.join", hostAddress(pool), "root", "xenroot"), ["JOINING_HOST_CANNOT_CONTAIN_SHARED_SRS"]);
  });
});

test("pool.join keeps the joining host's halted VMs; pool.eject returns the host to a pool of its own", async () => {
  await withPools(async (pool, spare) => {
    const xs4 = spare.hosts[0];
    const s4 = await login(spare.masterUrl);
    const vm = await s4.call("VM.clone", (await s4.call("VM.get_by_name_label", "Other install media"))[0], "kept");
    const vmUuid = await s4.call("VM.get_uuid", vm);
    const localUuid = await s4.call("SR.get_uuid", (await s4.call("SR.get_by_name_label", "Local storage"))[0]);
    await s4.call("pool.join", hostAddress(pool), "root", "xenroot");
    await untilMember(xs4.url);
    const s = await login(pool.masterUrl);
    assert.equal(await s.call("VM.get_name_label", await s.call("VM.get_by_uuid", vmUuid)), "kept");

    const h4 = await s.call("host.get_by_uuid", xs4.uuid);
    // eject refuses a host with a running VM
    const busy = await s.call("VM.clone", (await s.call("VM.get_by_name_label", "Other install media"))[0], "busy");
    await s.call("VM.provision", busy);
    await s.call("VM.set_is_a_template", busy, false);
    await s.call("VM.start_on", busy, h4, false, false);
    assert.deepEqual(await s.fails("pool.eject", h4), ["OPERATION_NOT_ALLOWED", "VM resident on host"]);
    await s.call("VM.hard_shutdown", busy);

    assert.match(await s.call("SR.get_by_uuid", localUuid), /^OpaqueRef:/);
    const t = await s.task("pool.eject", h4);
    assert.equal(t.status, "success", JSON.stringify(t.error_info));
    assert.equal((await s.call("host.get_all")).length, 3);
    assert.ok(!pool.hosts.some((h) => h.uuid === xs4.uuid));
    assert.deepEqual(await s.fails("host.get_record", h4), ["HANDLE_INVALID", "host", h4]);
    const nfs = (await s.call("SR.get_by_name_label", "NFS"))[0];
    assert.equal((await s.call("SR.get_PBDs", nfs)).length, 3, "its PBD on the shared SR is gone");
    const pbdHosts = await Promise.all((await s.call("PBD.get_all")).map((p: string) => s.call("PBD.get_host", p)));
    assert.ok(!pbdHosts.includes(h4));
    assert.ok(!(await Promise.all((await s.call("PIF.get_all")).map((p: string) => s.call("PIF.get_host", p)))).includes(h4));
    assert.deepEqual(await s.fails("SR.get_by_uuid", localUuid), ["UUID_INVALID", "SR", localUuid], "its local SR was forgotten");
    // the VM metadata stays in the pool database (as in xapi)
    assert.equal((await s.call("VM.get_by_name_label", "kept")).length, 1);

    // standalone again: login works on its port, a pool of one with the same host uuid, fresh local storage
    await untilLogin(xs4.url, (r) => r.Status === "Success", "accepted a login after its eject");
    const fresh = await login(xs4.url);
    const hosts = await fresh.call("host.get_all");
    assert.equal(hosts.length, 1);
    assert.equal(await fresh.call("host.get_uuid", hosts[0]), xs4.uuid);
    const pools = await fresh.call("pool.get_all");
    assert.equal(await fresh.call("pool.get_master", pools[0]), hosts[0]);
    assert.equal((await fresh.call("SR.get_by_name_label", "Local storage")).length, 1);
    assert.equal((await fresh.call("VM.get_by_name_label", "kept")).length, 0);
    assert.equal(spare.masterUrl, xs4.url);
    assert.equal(spare.hosts.length, 1);

    // and it can join again
    await fresh.call("pool.join", hostAddress(pool), "root", "xenroot");
    await untilMember(xs4.url);
    assert.equal((await s.call("host.get_all")).length, 4);
  });
});

test("pool.eject of the master fails as xapi does (Cannot_eject_master); a demo member can be ejected and closing either simulator leaves the other working", async () => {
  await withPools(async (pool, spare) => {
    const s = await login(pool.masterUrl);
    const master = await s.call("pool.get_master", (await s.call("pool.get_all"))[0]);
    assert.deepEqual(await s.fails("pool.eject", master), ["INTERNAL_ERROR", "Xapi_pool.Cannot_eject_master"]);

    // h2 (of the demo pool) leaves with its local SR forgotten in the pool; its port is a fresh pool with its own local SR
    const h2 = pool.hosts[1];
    await s.call("pool.eject", h2.ref);
    assert.equal((await s.call("SR.get_by_name_label", "Local storage")).length, 1, "h2's local SR was forgotten");
    const s2 = await login(h2.url);
    assert.equal((await s2.call("host.get_all")).length, 1);
    assert.equal((await s2.call("SR.get_by_name_label", "Local storage")).length, 1);
    assert.equal(await s2.call("pool.get_name_label", (await s2.call("pool.get_all"))[0]), "");

    // the spare joins, then the pool simulator closes: the spare's port is still open and closes cleanly
    await (await login(spare.masterUrl)).call("pool.join", hostAddress(pool), "root", "xenroot");
    await untilMember(spare.hosts.find((h) => h.name === "xs4")!.url);
    await pool.close();
    const url = spare.hosts.find((h) => h.name === "xs4")!.url;
    const e = await new Client(url).raw("session.login_with_password", ["root", "xenroot", "2.21", "x"]);
    assert.equal(e.ErrorDescription?.[0], "HOST_IS_SLAVE");
    await spare.close();
    await assert.rejects(new Client(url).raw("session.login_with_password", ["root", "xenroot"]));
  });
});
