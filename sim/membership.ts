/**
 * Pool membership across simulators in one process. Every listening port is a host; the registry maps the
 * address a client would give (`127.0.0.1:<port>`) to the listener, so pool.join on one simulator can reach the
 * master of another ("the network" of the simulated hosts), and pool.eject can hand a port a fresh pool of its own.
 */
import { datamodel } from "./datamodel";
import { Db, NULL_REF, Rec } from "./db/db";
import { Counters } from "./counters";
import { Faults } from "./faults";
import { Sessions } from "./session";
import { seed } from "./seed";
import { restoreState } from "./snapshot";
import type { HostServer } from "./server";
import type { SimState, HostEndpoint, Dom0Hook } from "./state";
import type { PoolSpec, SimSnapshot } from "./spec";

/** One listening host: its server (which knows the pool it serves now) and the simulator that opened it. */
export interface Listener {
  server: HostServer;
  ep: HostEndpoint;
  /** The PoolSpec of the simulator that opened the port: what a fresh install of this host looks like. */
  ownerSpec: PoolSpec;
  ownerDom0: () => Dom0Hook | undefined;
}

const listeners = new Set<Listener>();

export function register(l: Listener): void { listeners.add(l); }
export function unregister(l: Listener): void { listeners.delete(l); }

const norm = (a: string): string => a.trim().toLowerCase().replace(/^[a-z]+:\/\//, "").replace(/\/+$/, "");

/** The listener a client reaches at `address` (host:port as HOST_IS_SLAVE reports it, or a URL). */
export function listenerAt(address: string): Listener | undefined {
  const a = norm(address);
  for (const l of listeners) if (norm(l.ep.hostname) === a || norm(l.ep.url) === a) return l;
  return undefined;
}

/** The listener serving `host` of pool `st`, if its port is open. */
export function listenerOf(st: SimState, host: string): Listener | undefined {
  for (const l of listeners) if (l.server.st === st && l.server.hostRef === host) return l;
  return undefined;
}

export function listenersServing(st: SimState): Listener[] { return [...listeners].filter((l) => l.server.st === st); }

/** A seeded pool state (database, sessions, counters) for a spec; hosts[] endpoints are filled by the caller. */
export function createState(spec: PoolSpec, addresses: string[], dom0: () => Dom0Hook | undefined, hostUuids: string[] = [],
  restore?: SimSnapshot): SimState {
  const dm = datamodel();
  const st: SimState = {
    dm, db: new Db(dm), counters: new Counters(), faults: new Faults(), sessions: undefined as unknown as Sessions,
    spec, users: { ...(spec.users ?? { root: "xenroot" }) }, poolRef: "", hosts: [], dom0, domidCounter: 0, taskSeconds: 0,
  };
  st.sessions = new Sessions(() => st);
  if (restore) restoreState(st, restore);
  else seed(st, spec, addresses, hostUuids);
  return st;
}

/**
 * Moves `host` of the one-host pool `from` into pool `to`, the way xapi's join does it: the joining side
 * creates its host, local SRs with their PBDs and VDIs, physical PIFs (on the pool's network of the same bridge)
 * and its VMs' metadata on the master; on restart as a member it gets a PBD for every shared SR of the pool.
 * Refs and uuids are kept. Returns the endpoint of the host in `to`.
 */
export function moveHost(from: SimState, host: string, to: SimState): HostEndpoint {
  const src = from.db, dst = to.db;
  const moved: Array<[string, string]> = [];
  const copy = (cls: string, ref: string, patch: Rec = {}): void => {
    if (dst.exists(cls, ref)) return;
    const rec = { ...src.get(cls, ref), ...patch };
    if (dst.byUuid(cls, String(rec.uuid))) delete rec.uuid; // xapi creates-or-gets by uuid; never two with one uuid
    dst.create(cls, rec, ref);
    moved.push([cls, ref]);
  };
  const copyIf = (cls: string, ref: unknown): void => { if (typeof ref === "string" && src.exists(cls, ref)) copy(cls, ref); };

  // The host with its metrics and CPUs.
  copy("host", host);
  copyIf("host_metrics", src.field("host", host, "metrics"));
  for (const c of src.field("host", host, "host_CPUs") as string[]) copy("host_cpu", c);

  // Networks by bridge name (physical networks of the same bridge are the same network in a pool).
  const netMap = new Map<string, string>();
  const mapNetwork = (net: string): string => {
    if (!netMap.has(net)) {
      const bridge = src.field("network", net, "bridge");
      const same = dst.find("network", (r) => r.bridge === bridge)[0];
      if (same) netMap.set(net, same);
      else { copy("network", net); netMap.set(net, net); }
    }
    return netMap.get(net)!;
  };
  for (const pif of src.field("host", host, "PIFs") as string[]) {
    const network = mapNetwork(src.field("PIF", pif, "network") as string);
    copy("PIF", pif, { network });
    copyIf("PIF_metrics", src.field("PIF", pif, "metrics"));
  }

  // Local SRs (the joining host has no shared SR but the tools SR, which the pool has already), their PBDs and VDIs.
  const srs = src.refs("SR").filter((sr) => src.field("SR", sr, "shared") !== true);
  for (const sr of srs) {
    copy("SR", sr);
    for (const pbd of src.field("SR", sr, "PBDs") as string[]) copy("PBD", pbd);
    for (const vdi of src.field("SR", sr, "VDIs") as string[]) copy("VDI", vdi);
  }

  // VMs: the control domain, then every VM's metadata except the default templates the pool ships itself.
  const vms = src.refs("VM").filter((vm) => src.field("VM", vm, "is_default_template") !== true);
  for (const vm of vms) {
    copy("VM", vm);
    copyIf("VM_metrics", src.field("VM", vm, "metrics"));
    copyIf("VM_guest_metrics", src.field("VM", vm, "guest_metrics"));
    for (const vbd of src.field("VM", vm, "VBDs") as string[]) {
      const vdi = src.field("VBD", vbd, "VDI") as string;
      copy("VBD", vbd, dst.exists("VDI", vdi) || vdi === NULL_REF ? {} : { VDI: NULL_REF, empty: true });
      copyIf("VBD_metrics", src.field("VBD", vbd, "metrics"));
    }
    for (const vif of src.field("VM", vm, "VIFs") as string[]) {
      copy("VIF", vif, { network: mapNetwork(src.field("VIF", vif, "network") as string) });
      copyIf("VIF_metrics", src.field("VIF", vif, "metrics"));
    }
    for (const c of src.field("VM", vm, "consoles") as string[]) copy("console", c);
  }

  // References to objects that stayed behind (the old pool, default templates ...) become null, as after xapi's GC.
  for (const [cls, ref] of moved) {
    const def = to.dm.cls(cls);
    for (const f of def.fields) {
      const t = to.dm.parseType(f.type);
      const v = dst.field(cls, ref, f.name);
      if (t.kind === "ref" && typeof v === "string" && v !== NULL_REF && to.dm.classes.has(t.cls) && !dst.exists(t.cls, v)) dst.set(cls, ref, f.name, NULL_REF);
      else if (t.kind === "set" && t.of.kind === "ref" && Array.isArray(v) && to.dm.classes.has(t.of.cls)) {
        const cls2 = t.of.cls;
        const kept = v.filter((x) => dst.exists(cls2, x));
        if (kept.length !== v.length) dst.set(cls, ref, f.name, kept);
      }
    }
  }

  // Create_storage on the new member: a plugged PBD for every shared SR, with the device_config the pool uses.
  for (const sr of dst.refs("SR").filter((s) => dst.field("SR", s, "shared") === true)) {
    const pbds = dst.field("SR", sr, "PBDs") as string[];
    if (pbds.some((p) => dst.field("PBD", p, "host") === host)) continue;
    const device_config = pbds.length ? dst.field("PBD", pbds[0], "device_config") : {};
    dst.create("PBD", { host, SR: sr, device_config, currently_attached: true });
  }

  // The pool's CPU summary counts the new member.
  const info = { ...(dst.field("pool", to.poolRef, "cpu_info") as Record<string, string>) };
  const hostCpus = dst.field("host", host, "cpu_info") as Record<string, string>;
  info.cpu_count = String(Number(info.cpu_count ?? 0) + Number(hostCpus.cpu_count ?? 0));
  info.socket_count = String(Number(info.socket_count ?? 0) + Number(hostCpus.socket_count ?? 0));
  dst.set("pool", to.poolRef, "cpu_info", info);
  dst.set("host_metrics", dst.field("host", host, "metrics") as string, "live", true);

  const old = from.hosts.find((h) => h.ref === host)!;
  const ep: HostEndpoint = { ...old, uuid: String(dst.field("host", host, "uuid")) };
  to.hosts.push(ep);

  // call_plugin on the new member still reaches its dom0.
  const poolDom0 = to.dom0, hostDom0 = from.dom0;
  to.dom0 = () => {
    const a = poolDom0(), b = hostDom0();
    if (!a || !b || a === b) return a ?? b;
    return (uuid: string) => a(uuid) ?? b(uuid);
  };
  return ep;
}

/** The spec of a freshly installed pool of one for a host: its own local SRs, networks, templates and users. */
export function freshSpec(owner: PoolSpec, name: string, address?: string): PoolSpec {
  const first = owner.hosts[0]?.name;
  return {
    name: "",
    hosts: [{ name, ...(address ? { address } : {}) }],
    srs: (owner.srs ?? []).filter((s) => !s.shared && (s.host ? s.host === name : name === first)).map((s) => ({ ...s, host: undefined })),
    networks: owner.networks,
    templates: owner.templates,
    users: owner.users,
  };
}
