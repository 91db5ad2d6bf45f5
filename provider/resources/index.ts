import * as storageRepository from "./storage-repository";

export { storageRepository };
