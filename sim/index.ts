/**
 * XenAPI simulator: a pool of hosts, each serving XML-RPC (and JSON-RPC at /jsonrpc) on its own port,
 * over TLS with a self-signed certificate by default.
 */
import { HostServer } from "./server";
import { makeCertificate, Cert } from "./tls";
import { createState, register, unregister, listenersServing, Listener } from "./membership";
import type { SimState, HostEndpoint, Dom0Hook } from "./state";
import type { PoolSpec, SimulatorOptions, Simulator } from "./spec";
import { snapshotState } from "./snapshot";
import { X509Certificate } from "crypto";
import "./classes";

export type { PoolSpec, SimulatorOptions, Simulator, TripSpec, TripAction } from "./spec";

export async function startSimulator(spec: PoolSpec, options: SimulatorOptions = {}): Promise<Simulator> {
  if (!spec?.hosts?.length) throw new Error("sim: a pool needs at least one host");
  const tls = options.tls ?? true;
  const bind = options.host ?? "127.0.0.1";
  const urlHost = bind === "0.0.0.0" || bind === "::" ? "127.0.0.1" : bind;
  const addresses = spec.hosts.map((h) => h.address ?? "127.0.0.1");
  const cert: Cert | undefined = !tls ? undefined
    : options.certificate ? { ...options.certificate, fingerprint256: new X509Certificate(options.certificate.cert).fingerprint256 }
    : makeCertificate([urlHost, ...addresses]);

  let sim: Simulator;
  const ownerDom0 = () => sim?.dom0 as Dom0Hook | undefined;
  const st: SimState = createState(spec, addresses, ownerDom0, [], options.restore);
  st.taskSeconds = options.taskSeconds ?? 0;

  // A restored pool keeps its hosts' order (and refs) even if they were renamed since.
  const hostRefs = options.restore?.hostRefs ?? st.db.find("host", () => true);
  const servers: HostServer[] = [];
  const mine: Listener[] = [];
  try {
    for (let i = 0; i < spec.hosts.length; i++) {
      const ref = options.restore ? hostRefs[i]
        : hostRefs.find((r) => st.db.field("host", r, "name_label") === spec.hosts[i].name && !st.hosts.some((h) => h.ref === r))!;
      if (!ref || !st.db.exists("host", ref)) throw new Error(`sim: the saved pool has no host #${i} (${spec.hosts[i].name})`);
      const server = new HostServer(st, ref, cert);
      const port = await server.listen(options.ports?.[i] ?? 0, bind);
      servers.push(server);
      const hostname = port === (tls ? 443 : 80) ? urlHost : `${urlHost}:${port}`;
      const ep: HostEndpoint = { ref, uuid: String(st.db.field("host", ref, "uuid")), name: spec.hosts[i].name, hostname, port,
        url: `${tls ? "https" : "http"}://${hostname}/` };
      st.hosts.push(ep);
      mine.push({ server, ep, ownerSpec: spec, ownerDom0 });
    }
    for (const l of mine) register(l);
  } catch (e) {
    await Promise.all(servers.map((s) => s.close()));
    throw e;
  }

  // The pool this simulator's first port serves now: its own, or the pool it joined (pool.join), or a fresh one.
  const cur = (): SimState => servers[0].st;
  let closed = false;
  sim = {
    get masterUrl() { return cur().hosts[0].url; },
    get hosts() { return cur().hosts.map(({ uuid, name, ref, url }) => ({ uuid, name, ref, url })); },
    tls: cert ? { certificatePem: cert.cert, fingerprint256: cert.fingerprint256 } : undefined,
    counters: {
      calls: () => cur().counters.calls(),
      writeCalls: () => cur().counters.writeCalls(),
      get sessionsOpened() { return cur().counters.sessionsOpened; },
      get sessionsClosed() { return cur().counters.sessionsClosed; },
      get sessionsOpen() { return cur().counters.sessionsOpen; },
      reset: () => cur().counters.reset(cur().sessions.count()),
    },
    faults: {
      setLatency: (ms, method) => cur().faults.setLatency(ms, method),
      dropNextConnections: (n) => cur().faults.dropNextConnections(n),
      // A toolstack restart: every connection is cut and every session forgotten; the database survives.
      // (Only a master's restart forgets the pool's sessions; a member's port just cuts its connections.)
      restart: async () => {
        for (const srv of servers) {
          srv.dropAll();
          const s = srv.st;
          if (s.hosts[0]?.ref !== srv.hostRef) continue;
          for (const l of listenersServing(s)) l.server.dropAll();
          s.sessions.destroyAll();
          // xapi keeps no task across a restart (the datamodel persists none): a client polling one gets HANDLE_INVALID.
          for (const task of s.db.refs("task")) s.db.destroy("task", task);
          s.db.wakeAll();
        }
      },
      failNextTask: (method, desc) => cur().faults.failNextTask(method, desc),
      arm: (spec) => cur().faults.trip.arm(spec),
      writeLog: () => [...cur().faults.trip.log],
      tripped: () => cur().faults.trip.tripped,
      clear: () => cur().faults.clear(),
    },
    db: {
      all: (cls) => cur().db.all(cls),
      get: (cls, ref) => cur().db.get(cls, ref),
      byUuid: (cls, uuid) => cur().db.byUuid(cls, uuid),
      set: (cls, ref, field, value) => cur().db.set(cls, ref, field, value),
    },
    snapshot: () => snapshotState(cur()),
    onChange: (fn) => cur().db.onChange(fn),
    dom0: undefined,
    close: async () => {
      if (closed) return;
      closed = true;
      for (const l of mine) unregister(l);
      for (const srv of servers) srv.st.db.wakeAll();
      await Promise.all(servers.map((s) => s.close()));
    },
  };
  st.faults.restart = () => sim.faults.restart();
  return sim;
}
