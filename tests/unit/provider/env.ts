import type { Simulator } from "../../../sim";
import { configure } from "../../../provider/context";

/** Points the provider at `sim` as a stack's config would: its URL, root's password, its certificate pinned. */
export function configureFor(sim: Simulator, password = "pw"): void {
  const settings: Record<string, string> = { "xen:url": sim.masterUrl, "xen:password": password, "xen:tlsFingerprint": sim.tls!.fingerprint256 };
  configure({ get: (k) => settings[k] });
}
