export * from "./storageRepository";
export * from "./vm";
