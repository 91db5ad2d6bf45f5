import * as pulumi from "@pulumi/pulumi";
import { dynamicProviderFor } from "./provider";
import { ownerKey } from "./owner";

const provider = dynamicProviderFor("storageRepository");

/**
 * A storage repository (SR) of the pool.
 *
 * Name, description, other-config and tags change in place. Type, content type, device-config, sm-config, the
 * host and `shared` need a new SR (for `ext`/`lvm` the old one is removed first, since the new one needs its
 * device). Deleting unplugs the SR's PBDs and forgets it, leaving the data on the storage; set `destroyOnDelete`
 * to erase it instead.
 *
 * Note (from the OpenStack guide): features that need VHD files — copy-on-write, snapshot and migration — do not
 * work on `lvm` SRs. Use `ext` for local storage that nova uses.
 */
export interface StorageRepositoryArgs {
  /** The SR's name label. */
  name: pulumi.Input<string>;
  /** The SR's description (name_description). Default "". */
  description?: pulumi.Input<string>;
  /**
   * The storage backend: `nfs` (shared VHDs on an NFS export), `iso` (an ISO library: NFS `server:/path`
   * or a local directory), `ext` (local VHDs on a block device, the guide's choice) or `lvm` (local LVM).
   */
  type: pulumi.Input<"nfs" | "iso" | "ext" | "lvm">;
  /** Content type; `iso` for ISO libraries, `user` otherwise (the default). */
  contentType?: pulumi.Input<string>;
  /**
   * The backend's device-config: `nfs` needs `server` and `serverpath`; `iso` needs `location` (`server:/path`
   * or a local path; add `legacy_mode: "true"` for a local library); `ext` and `lvm` need `device`.
   */
  deviceConfig: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** sm-config given to the backend at creation. */
  smConfig?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** The host (uuid, name or address) to create the SR on; default the pool master. Local SRs live there. */
  host?: pulumi.Input<string>;
  /** Whether every host of the pool reaches the SR (PBDs on every host). Default: true for nfs and NFS iso. */
  shared?: pulumi.Input<boolean>;
  /**
   * other-config keys to manage, e.g. `{ "i18n-key": "local-storage-iso" }` as nova's boot-from-ISO needs.
   * Keys not listed here (xapi adds its own) are left alone.
   */
  otherConfig?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Tags (a set: order does not matter). */
  tags?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Make this the pool's default SR (nova's `sr_matching_filter = "default-sr:true"` then picks it). Omit to leave
   * the default alone (e.g. when the Pool resource's `defaultSr` manages it).
   */
  isDefault?: pulumi.Input<boolean>;
  /** On delete, `SR.destroy` (erases the data) instead of `SR.forget`. Default false. */
  destroyOnDelete?: pulumi.Input<boolean>;
  /**
   * Take an existing object (its uuid) under management instead of making one. The program must describe it as it
   * is (`pulumi-xen discover` writes such programs): any difference fails with a field-by-field message, so the
   * first `up` changes nothing. Pulumi's own `import` does not work for dynamic resources (pulumi/pulumi#16175).
   */
  adopt?: pulumi.Input<string>;
}

export class StorageRepository extends pulumi.dynamic.Resource {
  /** The SR's uuid (also the resource id). */
  public readonly uuid!: pulumi.Output<string>;
  /** The SR's name label. */
  public readonly name!: pulumi.Output<string>;
  /** The SR's description (name_description); "" when none. */
  public readonly description!: pulumi.Output<string>;
  /** The storage backend: `nfs`, `iso`, `ext` or `lvm`. */
  public readonly type!: pulumi.Output<string>;
  /** Content type: `iso` for ISO libraries, `user` by default. */
  public readonly contentType!: pulumi.Output<string>;
  /** Whether the SR is shared by the pool's hosts: as declared (or the type's default); xapi's flag after a refresh. */
  public readonly shared!: pulumi.Output<boolean>;
  /** The declared other-config keys, with their values in xapi (other keys are not reported). */
  public readonly otherConfig!: pulumi.Output<Record<string, string>>;
  /** The SR's tags, sorted. */
  public readonly tags!: pulumi.Output<string[]>;
  /** Size of the SR in bytes, as xapi reports it. */
  public readonly physicalSize!: pulumi.Output<number>;
  /** uuids of the hosts where the SR is plugged. */
  public readonly attachedHosts!: pulumi.Output<string[]>;

  constructor(name: string, args: StorageRepositoryArgs, opts?: pulumi.CustomResourceOptions) {
    // Every declared output is a key here (optional inputs left out included): Pulumi makes an Output property only
    // for the keys it is given.
    super(
      provider,
      name,
      { description: undefined, contentType: undefined, shared: undefined, otherConfig: undefined, tags: undefined, ...args, ownerKey: ownerKey("StorageRepository", name), uuid: undefined, physicalSize: undefined, attachedHosts: undefined },
      opts,
      "xen",
      "StorageRepository",
    );
  }
}
