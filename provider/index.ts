/**
 * The provider implementation, loaded inside Pulumi's dynamic-provider process by the tiny serialized provider
 * objects of sdk/ (each `require`s this module from its method bodies and calls `<kind>.<method>`).
 */
import {
  firewallDriver as firewallDriverModule,
  host as hostModule,
  novaComputeConfig as novaComputeConfigModule,
  plugins as pluginsModule,
  pool as poolModule,
  storageRepository as storageRepositoryModule,
  vm as vmModule,
} from "./resources";
import { dynamicMethods } from "./resources/dynamic";

export { configure } from "./context";

export const pool = dynamicMethods(poolModule.contract);
export const storageRepository = dynamicMethods(storageRepositoryModule.contract);
export const vm = dynamicMethods(vmModule.contract);
export const host = dynamicMethods(hostModule.contract);
export const plugins = dynamicMethods(pluginsModule.contract);
export const firewallDriver = dynamicMethods(firewallDriverModule.contract);
export const novaComputeConfig = dynamicMethods(novaComputeConfigModule.contract);
