import * as pool from "./pool";
import * as storageRepository from "./storage-repository";
import * as vm from "./vm";
import * as host from "./host";
import * as plugins from "./plugins";

export { pool, storageRepository, vm };
export { host, plugins };
