import { ResourceContract } from "../resources/contract";
import { firewallDriver, host, novaComputeConfig, plugins, pool, storageRepository, vm } from "../resources";

/** A resource kind as the plugin serves it: its type token's last part, and the one implementation behind it. */
export interface ServedResource {
  /** The type token's last part, e.g. `Vm` for `xen:index:Vm`. */
  kind: string;
  /** The resource's one implementation (provider/resources/<kind>), shared with the dynamic provider. */
  contract: ResourceContract<any, any>;
}

/** Type token (`xen:index:<Kind>`) → implementation. The same modules the dynamic provider dispatches to. */
export const RESOURCES: Record<string, ServedResource> = Object.fromEntries(
  (
    [
      ["StorageRepository", storageRepository.contract],
      ["Vm", vm.contract],
      ["Pool", pool.contract],
      ["Host", host.contract],
      ["Plugins", plugins.contract],
      ["FirewallDriver", firewallDriver.contract],
      ["NovaComputeConfig", novaComputeConfig.contract],
    ] as Array<[string, ResourceContract<any, any>]>
  ).map(([kind, contract]) => [`xen:index:${kind}`, { kind, contract }]),
);

/** The resource a URN (`urn:pulumi:<stack>::<project>::<type>::<name>`) or type token names. */
export function resourceFor(urnOrType: string): ServedResource {
  const type = urnOrType.startsWith("urn:") ? urnParts(urnOrType).type : urnOrType;
  const served = RESOURCES[type];
  if (!served) throw new Error(`xen: unknown resource type ${type}`);
  return served;
}

export function urnParts(urn: string): { stack: string; project: string; type: string; name: string } {
  const [head, project, qualifiedType, ...name] = urn.split("::");
  return { stack: head.replace(/^urn:pulumi:/, ""), project, type: qualifiedType.split("$").pop() ?? "", name: name.join("::") };
}

/** The owner mark the TypeScript SDK gives each resource (sdk/owner.ts): `<project>/<stack>/<Kind>/<name>`. */
export function ownerKeyOf(urn: string): string {
  const { stack, project, name } = urnParts(urn);
  return `${project}/${stack}/${resourceFor(urn).kind}/${name}`;
}
