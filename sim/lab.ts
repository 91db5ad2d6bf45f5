/**
 * A lab: a simulated pool whose hosts each have a real dom0 (an sshd test host with a filesystem of its own), plus
 * extra machines outside the pool (such as the guest OS of the nova-compute VM). The simulator's
 * `host.call_plugin` runs plug-ins inside the matching dom0, each host's local SR is mounted at
 * /var/run/sr-mount/<uuid> on a filesystem of its own, and one operator key logs in to every machine as root.
 * The demo runs on it; so do the end-to-end tests of the OpenStack example. Needs root (mount namespaces).
 */
import * as fs from "node:fs";
import { startSimulator, Simulator, PoolSpec } from "./index";
import { Dom0TestHost, startDom0TestHosts } from "./dom0";

export interface Lab {
  sim: Simulator;
  /** The dom0s of the pool's hosts, in the spec's order. */
  dom0s: Dom0TestHost[];
  /** The extra machines, by name. */
  machines: Record<string, Dom0TestHost>;
  /** uuid of each host's local SR (other-config i18n-key=local-storage), in host order. */
  localSrs: string[];
  /** The operator's private key, accepted for root by every machine (what `xen:sshPrivateKey` holds). */
  operatorKey: string;
  /** `ssh` input of a resource for a machine. */
  ssh(machine: Dom0TestHost): { address: string; port: number; hostKeyFingerprint: string };
  stop(): Promise<void>;
}

export async function startLab(spec: PoolSpec, options: { extraMachines?: string[] } = {}): Promise<Lab> {
  const names = spec.hosts.map((h) => h.name);
  const extra = options.extraMachines ?? [];
  const started = await startDom0TestHosts([...names, ...extra]);
  let sim: Simulator | undefined;
  try {
    const machines = started.hosts;
    const dom0s = machines.slice(0, names.length);
    sim = await startSimulator({ ...spec, hosts: spec.hosts.map((h, i) => ({ ...h, address: dom0s[i].address })) });
    const byUuid = new Map(sim.hosts.map((h, i) => [h.uuid, dom0s[i]]));
    sim.dom0 = (uuid) => {
      const dom0 = byUuid.get(uuid);
      return dom0 ? { exec: (argv, stdin) => dom0.exec(argv, stdin) } : undefined;
    };
    const localSrs: string[] = [];
    for (const [i, host] of sim.hosts.entries()) {
      const sr = sim.db.all("SR").find(
        (s) =>
          (s.record.other_config as Record<string, string>)["i18n-key"] === "local-storage" &&
          (s.record.PBDs as string[]).some((p) => sim!.db.get("PBD", p).host === host.ref),
      );
      if (!sr) throw new Error(`lab: host ${host.name} has no local SR (other-config i18n-key=local-storage)`);
      await dom0s[i].createSrMount(String(sr.record.uuid));
      localSrs.push(String(sr.record.uuid));
    }
    // One operator key for every machine, as the provider has one `xen:sshPrivateKey`.
    const operator = machines[0];
    for (const m of machines.slice(1)) fs.appendFileSync(m.path("/etc/ssh/authorized_keys.d/root"), `${operator.clientPublicKey.trim()}\n`);
    const simulator = sim;
    return {
      sim: simulator,
      dom0s,
      machines: Object.fromEntries(machines.slice(names.length).map((m) => [m.name, m])),
      localSrs,
      operatorKey: operator.clientPrivateKey,
      ssh: (m) => ({ address: m.address, port: m.port, hostKeyFingerprint: m.hostKeyFingerprint }),
      stop: async () => {
        await simulator.close();
        await started.stop();
      },
    };
  } catch (err) {
    await sim?.close();
    await started.stop();
    throw err;
  }
}
