import * as pool from "./pool";
import * as storageRepository from "./storage-repository";
import * as vm from "./vm";

export { pool, storageRepository, vm };
