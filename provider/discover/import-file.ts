import { Discovery } from "./walk";
import { UniqueNames } from "./program";

/**
 * What discover found as a `pulumi import --file` document for the `xen` provider plugin: the pool, its SRs and its
 * VMs by uuid. `pulumi import --file <this> --out <program>` then reads each one (without a write) and writes the
 * program in the project's language (YAML, Python ...) that declares it exactly. Hosts are in it only when their
 * dom0 was read (`--dom0`): a Host is imported by its dom0's SSH target (`<uuid>=<address>:<port>@<fingerprint>`),
 * which xapi does not know.
 */
export interface ImportFile {
  /**
   * The resources to import, the pool first, then the hosts read with `--dom0`, the SRs and the VMs: each with its
   * type token (`xen:index:<Kind>`), a name unique in the file, and the id `pulumi import` reads it by.
   */
  resources: Array<{ type: string; name: string; id: string }>;
}

export function renderImportFile(d: Discovery): ImportFile {
  const names = new UniqueNames();
  return {
    resources: [
      { type: "xen:index:Pool", name: names.take("pool"), id: d.pool.uuid },
      ...d.dom0Hosts.map((h) => {
        const ssh = h.args.ssh as { address: string; port: number; hostKeyFingerprint: string };
        const address = ssh.address.includes(":") ? `[${ssh.address}]` : ssh.address;
        return { type: "xen:index:Host", name: names.take(`host-${h.args.name ?? h.uuid}`, h.uuid), id: `${h.uuid}=${address}:${ssh.port}@${ssh.hostKeyFingerprint}` };
      }),
      ...d.storageRepositories.map((sr) => ({ type: "xen:index:StorageRepository", name: names.take(`sr-${sr.args.name}`, sr.uuid), id: sr.uuid })),
      ...d.vms.map((vm) => ({ type: "xen:index:Vm", name: names.take(`vm-${vm.args.name}`, vm.uuid), id: vm.uuid })),
    ],
  };
}
