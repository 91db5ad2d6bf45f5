import { Discovery } from "./walk";
import { UniqueNames } from "./program";

/**
 * What discover found as a `pulumi import --file` document for the `xen` provider plugin: the pool, its SRs and its
 * VMs by uuid. `pulumi import --file <this> --out <program>` then reads each one (without a write) and writes the
 * program in the project's language (YAML, Python ...) that declares it exactly. Hosts are not in it: a Host needs
 * its SSH target, which xapi does not know (the TypeScript program discover writes adopts them with `--dom0`).
 */
export interface ImportFile {
  resources: Array<{ type: string; name: string; id: string }>;
}

export function renderImportFile(d: Discovery): ImportFile {
  const names = new UniqueNames();
  return {
    resources: [
      { type: "xen:index:Pool", name: names.take("pool"), id: d.pool.uuid },
      ...d.storageRepositories.map((sr) => ({ type: "xen:index:StorageRepository", name: names.take(`sr-${sr.args.name}`, sr.uuid), id: sr.uuid })),
      ...d.vms.map((vm) => ({ type: "xen:index:Vm", name: names.take(`vm-${vm.args.name}`, vm.uuid), id: vm.uuid })),
    ],
  };
}
