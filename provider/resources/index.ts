import * as pool from "./pool";
import * as storageRepository from "./storage-repository";
import * as vm from "./vm";
import * as host from "./host";
import * as plugins from "./plugins";
import * as firewallDriver from "./firewall-driver";
import * as novaComputeConfig from "./nova-compute-config";

export { pool, storageRepository, vm };
export { host, plugins, firewallDriver, novaComputeConfig };
