/**
 * pool.join / pool.join_force / pool.eject, after xapi's Xapi_pool.join_common and Xapi_pool.eject.
 *
 * join runs on the joining host: it logs in to the master at master_address (another simulator's port in this
 * process; unknown address: JOINING_HOST_CONNECTION_FAILED), runs xapi's pre-join checks in xapi's order, copies
 * its host, local storage, PIFs and VM metadata into the master's database, logs out, and returns. Then, as xapi
 * does on its restart fuse, the port starts serving the master's pool as a member (its sessions are gone; login
 * answers HOST_IS_SLAVE) after JOIN_RESTART_MS, so a client can still read the Async.pool.join task.
 *
 * eject is forwarded by xapi to the host being ejected: the master itself raises Cannot_eject_master, which xapi
 * reports as INTERNAL_ERROR; a host with non-halted VMs resident is refused; otherwise its PBDs are unplugged, SRs
 * that only it could see are forgotten, its record (PBDs, PIFs, CPUs, control domain) leaves the pool, and its port
 * serves a freshly installed pool of one (same host uuid, its spec's local SRs, templates and users).
 */
import { on } from "../registry";
import { fail, XapiError } from "../errors";
import type { Ctx, SimState } from "../state";
import { dispatch } from "../dispatch";
import { listenerAt, listenerOf, moveHost, createState, freshSpec } from "../membership";
import { destroyVM } from "../objects";
import { removeSR } from "./sr";

/** Delay between a successful join and the joining host serving the new pool (xapi's restart fuse). */
export const JOIN_RESTART_MS = 100;

const NULL = "OpaqueRef:NULL";

/** A call on another host, through its dispatch (counted there, its faults apply); failures are raised as-is. */
async function remote(st: SimState, host: string, method: string, ...params: unknown[]): Promise<unknown> {
  const out = await dispatch(st, host, method, params);
  if (!out.ok) throw new XapiError(out.error[0], out.error.slice(1));
  return out.value;
}

function preJoinChecks(ctx: Ctx, master: SimState, force: boolean): void {
  const me = ctx.st, db = me.db, mdb = master.db;
  const masterHost = mdb.field("pool", master.poolRef, "master") as string;
  if (db.field("pool", me.poolRef, "ha_enabled") === true) fail("HA_IS_ENABLED");
  if (mdb.field("pool", master.poolRef, "ha_enabled") === true) fail("HA_IS_ENABLED");
  // assert_not_joining_myself
  if (mdb.field("host", masterHost, "uuid") === db.field("host", ctx.hostRef, "uuid")) {
    fail("OPERATION_NOT_ALLOWED", db.refs("host").length > 1 ? "Host is already part of a pool" : "Host cannot become slave of itself");
  }
  // assert_i_know_of_no_other_hosts
  if (db.refs("host").length > 1) fail("JOINING_HOST_CANNOT_BE_MASTER_OF_OTHER_HOSTS");
  // assert_no_running_vms_on_me (dom0 excepted)
  if (db.find("VM", (r) => r.is_control_domain !== true && r.power_state === "Running").length) fail("JOINING_HOST_CANNOT_HAVE_RUNNING_VMS");
  if (db.find("VM", (r) => Object.keys((r.current_operations as Record<string, string>) ?? {}).length > 0).length) {
    fail("JOINING_HOST_CANNOT_HAVE_VMS_WITH_CURRENT_OPERATIONS");
  }
  const mine = db.field("host", ctx.hostRef, "software_version") as Record<string, string>;
  const theirs = mdb.field("host", masterHost, "software_version") as Record<string, string>;
  const brand = (v: Record<string, string>) => v.product_brand ?? v.platform_name;
  if (mine.platform_version !== theirs.platform_version || brand(mine) !== brand(theirs)) fail("HOSTS_NOT_COMPATIBLE");
  if (!force) {
    if (mine.platform_version !== theirs.platform_version || brand(mine) !== brand(theirs) || (mine.git_id ?? "") !== (theirs.git_id ?? "")) {
      fail("HOSTS_NOT_HOMOGENEOUS", "Software version differs");
    }
    const myVendor = (db.field("host", ctx.hostRef, "cpu_info") as Record<string, string>).vendor;
    const poolVendor = (mdb.field("pool", master.poolRef, "cpu_info") as Record<string, string>).vendor;
    if (myVendor !== poolVendor) fail("HOSTS_NOT_HOMOGENEOUS", "CPUs differ");
  }
  if (db.find("SR", (r) => r.shared === true && r.is_tools_sr !== true).length) fail("JOINING_HOST_CANNOT_CONTAIN_SHARED_SRS");
  if (db.count("Bond")) fail("POOL_JOINING_HOST_HAS_BONDS");
  if (db.count("tunnel")) fail("POOL_JOINING_HOST_HAS_TUNNELS");
  if (db.find("VLAN", (r) => db.exists("PIF", r.untagged_PIF) && db.field("PIF", r.untagged_PIF as string, "management") !== true).length) {
    fail("POOL_JOINING_HOST_HAS_NON_MANAGEMENT_VLANS");
  }
  const api = (s: SimState, h: string) => `${s.db.field("host", h, "API_version_major")}.${s.db.field("host", h, "API_version_minor")}`;
  if (api(me, ctx.hostRef) !== api(master, masterHost)) fail("POOL_JOINING_HOST_MUST_HAVE_SAME_API_VERSION", api(me, ctx.hostRef), api(master, masterHost));
}

async function join(ctx: Ctx, masterAddress: string, username: string, password: string, force: boolean): Promise<void> {
  const target = listenerAt(masterAddress);
  if (!target) fail("JOINING_HOST_CONNECTION_FAILED");
  const master = target.server.st, via = target.server.hostRef;
  // The login answers HOST_IS_SLAVE from a member, SESSION_AUTHENTICATION_FAILED for wrong credentials.
  const session = String(await remote(master, via, "session.login_with_password", username, password, "2.21", "xapi"));
  try {
    preJoinChecks(ctx, master, force);
  } finally {
    await remote(master, via, "session.logout", session).catch(() => undefined);
  }
  const me = ctx.st, host = ctx.hostRef;
  // (xapi unplugs local PBDs before its restart and the member plugs them again; the net effect is kept as is.)
  moveHost(me, host, master);
  const self = listenerOf(me, host);
  setTimeout(() => {
    if (self && self.server.st === me) {
      self.server.rebind(master, host);
      self.ep = master.hosts.find((h) => h.ref === host) ?? self.ep;
    }
    me.sessions.destroyAll();
    me.db.wakeAll();
  }, JOIN_RESTART_MS);
}

on("pool.join", (ctx: Ctx, addr: string, user: string, pwd: string) => join(ctx, addr, user, pwd, false));
on("pool.join_force", (ctx: Ctx, addr: string, user: string, pwd: string) => join(ctx, addr, user, pwd, true));

on("pool.eject", (ctx: Ctx, host: string) => {
  const st = ctx.st, db = st.db;
  if (db.field("pool", st.poolRef, "ha_enabled") === true) fail("HA_IS_ENABLED");
  if (db.field("pool", st.poolRef, "master") === host) fail("INTERNAL_ERROR", "Xapi_pool.Cannot_eject_master");
  const resident = db.field("host", host, "resident_VMs") as string[];
  if (resident.some((vm) => db.field("VM", vm, "is_control_domain") !== true && db.field("VM", vm, "power_state") !== "Halted")) {
    fail("OPERATION_NOT_ALLOWED", "VM resident on host");
  }
  // unplug_pbds: unplug every PBD of the host, forget the SRs only it could see.
  const pbds = db.field("host", host, "PBDs") as string[];
  const lonely = pbds.map((p) => db.field("PBD", p, "SR") as string).filter((sr) => (db.field("SR", sr, "PBDs") as string[]).length === 1);
  for (const p of pbds) db.set("PBD", p, "currently_attached", false);
  for (const sr of lonely) removeSR(ctx, sr);

  // Db.Host.destroy and the GC of what hangs off it; the control domain goes too.
  const rec = db.get("host", host);
  const name = String(rec.name_label), uuid = String(rec.uuid), address = String(rec.address);
  for (const p of db.field("host", host, "PBDs") as string[]) db.destroy("PBD", p);
  for (const pif of rec.PIFs as string[]) {
    const m = db.field("PIF", pif, "metrics");
    if (db.exists("PIF_metrics", m)) db.destroy("PIF_metrics", m as string);
    db.destroy("PIF", pif);
  }
  for (const c of rec.host_CPUs as string[]) db.destroy("host_cpu", c);
  for (const c of (rec.crashdumps as string[] | undefined) ?? []) db.destroy("host_crashdump", c);
  for (const vm of resident) if (db.exists("VM", vm) && db.field("VM", vm, "is_control_domain") === true) destroyVM(st, vm);
  for (const vm of db.find("VM", (r) => r.affinity === host)) db.set("VM", vm, "affinity", NULL);
  for (const vm of db.find("VM", (r) => r.scheduled_to_be_resident_on === host)) db.set("VM", vm, "scheduled_to_be_resident_on", NULL);
  if (db.exists("host_metrics", rec.metrics)) db.destroy("host_metrics", rec.metrics as string);
  db.destroy("host", host);
  const info = { ...(db.field("pool", st.poolRef, "cpu_info") as Record<string, string>) };
  const cpus = rec.cpu_info as Record<string, string>;
  info.cpu_count = String(Math.max(0, Number(info.cpu_count ?? 0) - Number(cpus.cpu_count ?? 0)));
  info.socket_count = String(Math.max(0, Number(info.socket_count ?? 0) - Number(cpus.socket_count ?? 0)));
  db.set("pool", st.poolRef, "cpu_info", info);
  const idx = st.hosts.findIndex((h) => h.ref === host);
  const ep = idx >= 0 ? st.hosts.splice(idx, 1)[0] : undefined;

  // The ejected host reboots into a fresh pool of one on the same port.
  const l = listenerOf(st, host);
  if (!l) return;
  const spec = freshSpec(l.ownerSpec, name, address);
  const fresh = createState(spec, [address], l.ownerDom0, [uuid]);
  fresh.taskSeconds = st.taskSeconds;
  const ref = fresh.db.refs("host")[0];
  const newEp = { ...(ep ?? l.ep), ref, uuid };
  fresh.hosts.push(newEp);
  l.ep = newEp;
  l.server.rebind(fresh, ref);
});
