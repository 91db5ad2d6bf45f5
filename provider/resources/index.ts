import * as storageRepository from "./storage-repository";
import * as vm from "./vm";

export { storageRepository, vm };
