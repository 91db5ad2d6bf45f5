import * as pulumi from "@pulumi/pulumi";

/**
 * The key a resource writes into what it makes in xapi (other-config `pulumi-xen:owner`): project, stack and
 * resource name. It lets delete remove only what this resource made, and a create that was interrupted find its
 * half-made object again instead of making a second one.
 */
export function ownerKey(kind: string, name: string): string {
  return `${pulumi.getProject()}/${pulumi.getStack()}/${kind}/${name}`;
}
