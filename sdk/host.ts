import * as pulumi from "@pulumi/pulumi";
import { dynamicProviderFor } from "./provider";

const provider = dynamicProviderFor("host");

/**
 * How the provider reaches a machine (a dom0, or the nova-compute VM) over SSH. The private key comes from stack
 * config `xen:sshPrivateKey` (secret; or XEN_SSH_PRIVATE_KEY) and never appears in state or output.
 */
export interface SshTargetArgs {
  /** Host name or address to connect to. */
  address: pulumi.Input<string>;
  /** SSH port; default 22. */
  port?: pulumi.Input<number>;
  /**
   * The machine's host key fingerprint, pinned: `SHA256:<base64>` as `ssh-keygen -lf
   * /etc/ssh/ssh_host_ed25519_key.pub` prints it on the machine. Any other key is refused before authenticating.
   */
  hostKeyFingerprint: pulumi.Input<string>;
  /** SSH user; default stack config `xen:sshUser`, else `root`. */
  user?: pulumi.Input<string>;
}

/**
 * An existing XenServer/XCP-ng host taken under management (it is never created or destroyed), and the guide's
 * dom0 preparation for OpenStack:
 * - `/boot/guest` → `<local SR mount>/os-guest-kernels` (AMI kernels and ramdisks) and `/images` →
 *   `<local SR mount>/images` (resize/migration), checked to be on the local SR's filesystem, not dom0's root;
 * - a root key pair (`/root/.ssh/id_rsa`; its public key is the `publicKey` output);
 * - `authorized_keys` entries: `trustedPublicKeys` on this dom0, and this host's own key on the dom0s listed in
 *   `authorizeOn`. Give each `Host` of a pool the others' `ssh` in `authorizeOn` and every pair of dom0s has root
 *   trust (no dependency cycle, unlike feeding each host's `publicKey` into the others' `trustedPublicKeys`).
 *
 * Everything updates in place; a different `host` is a different resource (replace). Delete removes only what
 * this resource added (symlinks and directories it made while still empty, the key pair it generated, key lines
 * it added, other-config keys and tags it added) and never touches the host itself.
 */
export interface HostArgs {
  /** The host: its uuid, name label or address. */
  host: pulumi.Input<string>;
  /** How to reach the host's dom0 over SSH. */
  ssh: pulumi.Input<SshTargetArgs>;
  /** The host's name label; omit to leave it as it is. */
  name?: pulumi.Input<string>;
  /** The host's description; omit to leave it as it is. */
  description?: pulumi.Input<string>;
  /** The host's tags (a set, exactly these); omit to leave them as they are. */
  tags?: pulumi.Input<pulumi.Input<string>[]>;
  /** other-config keys to manage; other keys are left alone. */
  otherConfig?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * The local SR (uuid or name) holding `os-guest-kernels` and `images`. Default: the host's (unshared) SR with
   * other-config `i18n-key=local-storage`, the installer's "Local storage". It must be a file-based SR mounted at
   * `/var/run/sr-mount/<uuid>` (ext, as the guide recommends).
   */
  localSr?: pulumi.Input<string>;
  /** Make `/boot/guest` a symlink to `<local SR>/os-guest-kernels`. Default true. */
  bootGuest?: pulumi.Input<boolean>;
  /** Make `/images` a symlink to `<local SR>/images`. Default true. */
  images?: pulumi.Input<boolean>;
  /** Make sure root has a key pair (`/root/.ssh/id_rsa`, made on the dom0: the private key never leaves it). Default true. */
  rootKeyPair?: pulumi.Input<boolean>;
  /** Public keys (one OpenSSH line each) to add to root's `authorized_keys` on this dom0. A set. */
  trustedPublicKeys?: pulumi.Input<pulumi.Input<string>[]>;
  /** Other dom0s whose root `authorized_keys` get this host's root public key (root trust for resize/migration). */
  authorizeOn?: pulumi.Input<pulumi.Input<SshTargetArgs>[]>;
  /**
   * The host's uuid: take the host and its dom0 preparation under management as they already are, writing
   * nothing (no XenAPI call that changes anything, no file written on any dom0). The program must describe them
   * exactly (`pulumi-xen discover --dom0` writes such programs): the symlinks, key pair, trusted keys and peers
   * it declares must already be there, and name, description, tags and other-config must have the declared
   * values; any difference fails with a field-by-field message. What is found is not recorded as added by this
   * resource, so delete leaves all of it in place (only what a later update adds is removed). Pulumi's own
   * `import` does not work for dynamic resources (pulumi/pulumi#16175).
   */
  adopt?: pulumi.Input<string>;
}

export class Host extends pulumi.dynamic.Resource {
  /** The host's uuid (also the resource id). */
  public readonly uuid!: pulumi.Output<string>;
  /** The host's management address, as xapi reports it. */
  public readonly address!: pulumi.Output<string>;
  /** Root's public key on this dom0 (`ssh-rsa AAAA... root@<host>`), "" without `rootKeyPair`. */
  public readonly publicKey!: pulumi.Output<string>;
  /** uuid of the local SR `/boot/guest` and `/images` point into. */
  public readonly localSrUuid!: pulumi.Output<string>;

  constructor(name: string, args: HostArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      { ...args, uuid: undefined, address: undefined, publicKey: undefined, localSrUuid: undefined, added: undefined },
      opts,
      "xen",
      "Host",
    );
  }
}
