/**
 * XenAPI simulator: a pool of hosts, each serving XML-RPC (and JSON-RPC at /jsonrpc) on its own port,
 * over TLS with a self-signed certificate by default.
 */
import { datamodel } from "./datamodel";
import { Db } from "./db/db";
import { Counters } from "./counters";
import { Faults } from "./faults";
import { Sessions } from "./session";
import { seed } from "./seed";
import { HostServer } from "./server";
import { makeCertificate, Cert } from "./tls";
import type { SimState, HostEndpoint, Dom0Hook } from "./state";
import type { PoolSpec, SimulatorOptions, Simulator } from "./spec";
import "./classes";

export type { PoolSpec, SimulatorOptions, Simulator } from "./spec";

export async function startSimulator(spec: PoolSpec, options: SimulatorOptions = {}): Promise<Simulator> {
  if (!spec?.hosts?.length) throw new Error("sim: a pool needs at least one host");
  const tls = options.tls ?? true;
  const bind = options.host ?? "127.0.0.1";
  const urlHost = bind === "0.0.0.0" || bind === "::" ? "127.0.0.1" : bind;
  const addresses = spec.hosts.map((h) => h.address ?? "127.0.0.1");
  const cert: Cert | undefined = tls ? makeCertificate([urlHost, ...addresses]) : undefined;

  let sim: Simulator;
  const st: SimState = {
    dm: datamodel(), db: undefined as unknown as Db, counters: new Counters(), faults: new Faults(),
    sessions: undefined as unknown as Sessions, spec, users: { ...(spec.users ?? { root: "xenroot" }) },
    poolRef: "", hosts: [], dom0: () => sim?.dom0 as Dom0Hook | undefined, domidCounter: 0,
  };
  st.db = new Db(st.dm);
  st.sessions = new Sessions(() => st);
  seed(st, spec, addresses);

  const hostRefs = st.db.find("host", () => true);
  const servers: HostServer[] = [];
  try {
    for (let i = 0; i < spec.hosts.length; i++) {
      const ref = hostRefs.find((r) => st.db.field("host", r, "name_label") === spec.hosts[i].name && !st.hosts.some((h) => h.ref === r))!;
      const server = new HostServer(st, () => ref, cert);
      const port = await server.listen(options.ports?.[i] ?? 0, bind);
      servers.push(server);
      const hostname = port === (tls ? 443 : 80) ? urlHost : `${urlHost}:${port}`;
      const ep: HostEndpoint = { ref, uuid: String(st.db.field("host", ref, "uuid")), name: spec.hosts[i].name, hostname, port,
        url: `${tls ? "https" : "http"}://${hostname}/` };
      st.hosts.push(ep);
    }
  } catch (e) {
    await Promise.all(servers.map((s) => s.close()));
    throw e;
  }

  let closed = false;
  sim = {
    masterUrl: st.hosts[0].url,
    hosts: st.hosts.map(({ uuid, name, ref, url }) => ({ uuid, name, ref, url })),
    tls: cert ? { certificatePem: cert.cert, fingerprint256: cert.fingerprint256 } : undefined,
    counters: {
      calls: () => st.counters.calls(),
      writeCalls: () => st.counters.writeCalls(),
      get sessionsOpened() { return st.counters.sessionsOpened; },
      get sessionsClosed() { return st.counters.sessionsClosed; },
      get sessionsOpen() { return st.counters.sessionsOpen; },
      reset: () => st.counters.reset(st.sessions.count()),
    },
    faults: {
      setLatency: (ms, method) => st.faults.setLatency(ms, method),
      dropNextConnections: (n) => st.faults.dropNextConnections(n),
      // A toolstack restart: every connection is cut and every session forgotten; the database survives.
      restart: async () => { for (const s of servers) s.dropAll(); st.sessions.destroyAll(); st.db.wakeAll(); },
      failNextTask: (method, desc) => st.faults.failNextTask(method, desc),
      clear: () => st.faults.clear(),
    },
    db: {
      all: (cls) => st.db.all(cls),
      get: (cls, ref) => st.db.get(cls, ref),
      byUuid: (cls, uuid) => st.db.byUuid(cls, uuid),
      set: (cls, ref, field, value) => st.db.set(cls, ref, field, value),
    },
    dom0: undefined,
    close: async () => {
      if (closed) return;
      closed = true;
      st.db.wakeAll();
      await Promise.all(servers.map((s) => s.close()));
    },
  };
  return sim;
}
