export * from "./storageRepository";
