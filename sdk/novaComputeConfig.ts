import * as pulumi from "@pulumi/pulumi";
import { dynamicProviderFor } from "./provider";
import type { SshTargetArgs } from "./host";

const provider = dynamicProviderFor("novaComputeConfig");

/**
 * The XenAPI options of nova.conf on the nova-compute VM (the guide's "enable the XenAPI driver"):
 * `[DEFAULT] compute_driver = xenapi.XenAPIDriver` and `vncserver_proxyclient_address`, and in `[xenserver]`
 * `connection_url`, `connection_username`, `connection_password`, `sr_matching_filter`, `agent_version_timeout`.
 * Each line is edited in place over SSH (comments, order and other options kept; sections added if missing) and
 * put back as it was on delete.
 *
 * `connectionPassword` is a secret: it is wrapped in `pulumi.secret` and kept encrypted in the state. Omit it to
 * write the stack's `xen:password` (the pool's root password, usually the same), which is then not stored at all.
 */
export interface NovaComputeConfigArgs {
  /** The nova-compute VM, over SSH (the key comes from stack config `xen:sshPrivateKey`). */
  ssh: pulumi.Input<SshTargetArgs>;
  /** Path of nova.conf on the VM; default `/etc/nova/nova.conf`. */
  novaConf?: pulumi.Input<string>;
  /** `[DEFAULT] compute_driver`; default `xenapi.XenAPIDriver`. */
  computeDriver?: pulumi.Input<string>;
  /**
   * `[xenserver] connection_url`: the XenServer's management address, e.g. `https://10.0.0.2`. (The internal
   * 169.254.0.1 address works, but not for live migration or host aggregates.)
   */
  connectionUrl: pulumi.Input<string>;
  /** `[xenserver] connection_username`; default `root`. */
  connectionUsername?: pulumi.Input<string>;
  /** `[xenserver] connection_password` (secret). Default: the stack's `xen:password`. */
  connectionPassword?: pulumi.Input<string>;
  /** `[xenserver] sr_matching_filter`, e.g. `other-config:i18n-key=local-storage` or `default-sr:true`. */
  srMatchingFilter?: pulumi.Input<string>;
  /** `[xenserver] agent_version_timeout` in seconds (raise it for guests without the agent, e.g. Windows). */
  agentVersionTimeout?: pulumi.Input<number>;
  /** `[DEFAULT] vncserver_proxyclient_address`: the address the VNC proxy reaches the host's consoles on. */
  vncserverProxyclientAddress?: pulumi.Input<string>;
  /** Command run on the VM when nova.conf changed, e.g. `["systemctl", "restart", "nova-compute"]`. */
  restartCommand?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Any non-empty marker (e.g. "found"): take the options as they already are instead of writing them. Each
   * declared option must already have its value (the password: `connectionPassword`, else the stack's
   * `xen:password`); any difference fails naming each option, never showing a password. Nothing is written and
   * `restartCommand` is not run. The resource found the options as they are, so delete restores nothing (what a
   * later update changes is put back to the adopted value). Pulumi's own `import` does not work for dynamic
   * resources (pulumi/pulumi#16175).
   */
  adopt?: pulumi.Input<string>;
}

export class NovaComputeConfig extends pulumi.dynamic.Resource {
  /** `[xenserver] connection_url` as written to nova.conf. */
  public readonly connectionUrl!: pulumi.Output<string>;
  /** `[DEFAULT] compute_driver` as written to nova.conf (`xenapi.XenAPIDriver` unless declared otherwise). */
  public readonly computeDriver!: pulumi.Output<string>;

  constructor(name: string, args: NovaComputeConfigArgs, opts?: pulumi.CustomResourceOptions) {
    const secretArgs = args.connectionPassword === undefined ? args : { ...args, connectionPassword: pulumi.secret(args.connectionPassword) };
    super(
      provider,
      name,
      // computeDriver: a declared output, so a key even when left out (Pulumi makes Output properties only for keys).
      { computeDriver: undefined, ...secretArgs, conf: undefined },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "connectionPassword", "conf"] },
      "xen",
      "NovaComputeConfig",
    );
  }
}
