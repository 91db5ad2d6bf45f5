import * as pulumi from "@pulumi/pulumi";
import type * as Implementation from "../provider";

/** A resource kind as the provider implementation exports it (provider/index.ts): the name states store. */
export type ResourceKind = Exclude<keyof typeof Implementation, "configure">;

/**
 * The provider object Pulumi serializes into each resource's state (`__provider`, in its inputs and outputs) for a
 * resource kind: the exports of `sdk/dynamic/<kind>.ts`.
 *
 * Pulumi serializes the object's methods with what they capture, except a module it can `require` instead: when
 * this package is installed in the program's `node_modules` (as `npm install` does), the object is that module's
 * exports, so the state holds a few lines that require `pulumi-xen/dist/sdk/dynamic/<kind>.js` (about 0.3 KB per
 * copy, against 2.5 KB for the methods). When the package is linked from elsewhere (`npm link`, a `file:` link),
 * Pulumi serializes the methods themselves (providerMethods below), which is larger but equivalent. Either way
 * every method `require`s the implementation when called, so the state does not change with the implementation,
 * and states written by earlier versions (which require `pulumi-xen/provider`) stay readable.
 *
 * Pulumi runs it in its dynamic-provider process, where `require` resolves from the program's directory: the
 * program must depend on this package.
 */
export function dynamicProviderFor(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return require(`./dynamic/${kind}`) as pulumi.dynamic.ResourceProvider;
}

/** The methods of a kind's provider: each `require`s the implementation at call time; `kind` is all they capture. */
export function providerMethods(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
  const impl = (): typeof Implementation => require("pulumi-xen/provider");
  return {
    configure: async (req) => impl().configure(req.config),
    check: async (olds, news) => impl()[kind].check(olds, news),
    diff: async (id, olds, news) => impl()[kind].diff(id, olds, news),
    create: async (inputs) => impl()[kind].create(inputs),
    read: async (id, props) => impl()[kind].read(id, props),
    update: async (id, olds, news) => impl()[kind].update(id, olds, news),
    delete: async (id, props) => impl()[kind].remove(id, props),
  };
}
