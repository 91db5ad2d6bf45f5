import * as pulumi from "@pulumi/pulumi";

/**
 * The provider object Pulumi serializes into each resource's state (`__provider`). It is deliberately tiny:
 * every method `require`s the implementation at call time, so the state does not change when the implementation
 * does, and nothing unserializable is captured. `kind` (a string) is its only captured value.
 *
 * Pulumi runs it in its dynamic-provider process, where `require` resolves from the program's directory: the
 * program must depend on this package.
 */
export function dynamicProviderFor(kind: string): pulumi.dynamic.ResourceProvider {
  return {
    async configure(req: pulumi.dynamic.ConfigureRequest) {
      require("pulumi-xen/provider").configure(req.config);
    },
    async check(olds: any, news: any) {
      return require("pulumi-xen/provider")[kind].check(olds, news);
    },
    async diff(id: string, olds: any, news: any) {
      return require("pulumi-xen/provider")[kind].diff(id, olds, news);
    },
    async create(inputs: any) {
      return require("pulumi-xen/provider")[kind].create(inputs);
    },
    async read(id: string, props: any) {
      return require("pulumi-xen/provider")[kind].read(id, props);
    },
    async update(id: string, olds: any, news: any) {
      return require("pulumi-xen/provider")[kind].update(id, olds, news);
    },
    async delete(id: string, props: any) {
      return require("pulumi-xen/provider")[kind].remove(id, props);
    },
  };
}
