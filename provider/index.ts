/**
 * The provider implementation, loaded inside Pulumi's dynamic-provider process by the tiny serialized provider
 * objects of sdk/ (each `require`s this module from its method bodies).
 */
export { configure } from "./context";
export * from "./resources";
