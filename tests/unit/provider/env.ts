import { after, before } from "node:test";
import { startSimulator, type PoolSpec, type Simulator } from "../../../sim";
import { configure } from "../../../provider/context";
import { closeAllSessions } from "../../../provider/xenapi";

/** Points the provider at `sim` as a stack's config would: its URL, root's password, its certificate pinned. */
export function configureFor(sim: Simulator, password = "pw"): void {
  const settings: Record<string, string> = { "xen:url": sim.masterUrl, "xen:password": password, "xen:tlsFingerprint": sim.tls!.fingerprint256 };
  configure({ get: (k) => settings[k] });
}

/**
 * A simulated pool of `spec` (root's password "pw") for the enclosing suite: started and configured as the stack's
 * pool before its tests, every provider session and the simulator closed after. Returns the simulator once started.
 */
export function simulatedPool(spec: PoolSpec): () => Simulator {
  let sim: Simulator | undefined;
  before(async () => {
    sim = await startSimulator({ ...spec, users: { root: "pw" } });
    configureFor(sim);
  });
  after(async () => {
    await closeAllSessions();
    await sim?.close();
  });
  return () => sim!;
}
