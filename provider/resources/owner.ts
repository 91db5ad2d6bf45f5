/**
 * How what a resource makes in xapi is marked as its own. The SDK gives each resource an owner key
 * (`<project>/<stack>/<kind>/<name>`, sdk/owner.ts); objects carry it in other-config from the call that makes them,
 * or, where that call takes no other-config (`VM.clone`, `SR.create`), in their CREATING name until the next call
 * tags them. Delete removes only what carries the key; a retried create finds its half-made object by it.
 */
export const OWNER_KEY = "pulumi-xen:owner";

/** The name an object carries from the call that makes it until its create's last step. */
export function creatingName(owner: string): string {
  return `pulumi-xen creating ${owner}`;
}
