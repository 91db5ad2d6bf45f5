export * from "./pool";
export * from "./storageRepository";
export * from "./vm";
export * from "./host";
export * from "./plugins";
export * from "./firewallDriver";
export * from "./novaComputeConfig";
