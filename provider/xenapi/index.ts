export * from "./errors";
export * from "./tls";
export * from "./transport";
export * from "./session";
export * from "./sessions";
export * from "./connection";
export * from "./tasks";
export * from "./records";
