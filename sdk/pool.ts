import * as pulumi from "@pulumi/pulumi";
import { dynamicProviderFor } from "./provider";

const provider = dynamicProviderFor("pool");

export interface PoolArgs {
  /** The pool's name label. */
  name: pulumi.Input<string>;
  /** The pool's description (name_description). Default "". */
  description?: pulumi.Input<string>;
  /**
   * The pool's default SR (name or uuid): where new VM disks go when none is named, and what nova's
   * `sr_matching_filter = "default-sr:true"` selects. Omit to leave it as it is.
   */
  defaultSr?: pulumi.Input<string>;
  /** other-config keys to manage (others are left alone). */
  otherConfig?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Tags (a set: order does not matter). The first apply leaves the pool with exactly these; later updates remove
   * only the tags dropped from this list.
   */
  tags?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Hosts that must be members, by their xapi address or URL. A standalone host is joined (`pool.join` on that
   * host, with the pool's own credentials: its root password must be the pool's). Hosts already in the pool are
   * left as they are. The HA/live-migration prerequisites (shared storage, same CPU family) are the operator's.
   */
  members?: pulumi.Input<pulumi.Input<string>[]>;
  /** Eject a host when it is removed from `members` (it reboots and loses its VMs' local data). Default false. */
  ejectRemovedMembers?: pulumi.Input<boolean>;
  /**
   * Take an existing object (its uuid) under management instead of making one. The program must describe it as it
   * is (`pulumi-xen discover` writes such programs): any difference fails with a field-by-field message, so the
   * first `up` changes nothing. Pulumi's own `import` does not work for dynamic resources (pulumi/pulumi#16175).
   */
  adopt?: pulumi.Input<string>;
}

/**
 * The pool of the connection's master (`xen:url` may name a member: the provider follows it to the master).
 * A pool cannot be created or destroyed: creating this resource takes the pool under management, deleting it
 * releases it without touching xapi.
 */
export class Pool extends pulumi.dynamic.Resource {
  /** The pool's uuid (also the resource id). */
  public readonly uuid!: pulumi.Output<string>;
  /** The pool's name label. */
  public readonly name!: pulumi.Output<string>;
  /** uuid of the master host. */
  public readonly master!: pulumi.Output<string>;
  /** uuid of each declared member, by the address it was declared with. */
  public readonly memberUuids!: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: PoolArgs, opts?: pulumi.CustomResourceOptions) {
    super(provider, name, { ...args, uuid: undefined, master: undefined, memberUuids: undefined }, opts, "xen", "Pool");
  }
}
