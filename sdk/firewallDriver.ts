import * as pulumi from "@pulumi/pulumi";
import { dynamicProviderFor } from "./provider";
import type { SshTargetArgs } from "./host";

const provider = dynamicProviderFor("firewallDriver");

/**
 * nova's firewall configuration for a compute node (the guide's "firewall_driver" choice): `firewall_driver` in
 * `[DEFAULT]` of nova.conf on the nova-compute VM, edited over SSH in place — that one line changes; comments,
 * order and every other option stay as they are; `[DEFAULT]` is added if the file has none.
 *
 * For `nova.virt.xenapi.firewall.Dom0IptablesFirewallDriver`, which runs iptables in dom0 through the `xenhost`
 * plug-in (`iptables_config`), every dom0 in `dom0s` is checked to have that plug-in in `/etc/xapi.d/plugins`;
 * a missing one fails the update naming the dom0 (install nova's plug-ins with a `Plugins` resource and make this
 * one depend on it). Optional VIF isolation rules (the guide's "Install the VIF isolation rules", against MAC and
 * IP spoofing) are installed from a local directory into `/etc/xensource/scripts` of each dom0, with one file as
 * the init script in `/etc/init.d`; they are tracked by sha256 like plug-ins.
 *
 * The driver, dom0s and rules update in place; another VM (`ssh`) or file (`novaConf`) replaces the resource
 * (the old one is restored first). Delete puts back the value it found (or removes the line if there was none)
 * and removes the rule files it installed.
 */
export interface FirewallDriverArgs {
  /** The nova-compute VM, over SSH (the key comes from stack config `xen:sshPrivateKey`). */
  ssh: pulumi.Input<SshTargetArgs>;
  /** Path of nova.conf on the VM; default `/etc/nova/nova.conf`. */
  novaConf?: pulumi.Input<string>;
  /**
   * `nova.virt.firewall.IptablesFirewallDriver` (nova-network's iptables in the compute VM),
   * `nova.virt.xenapi.firewall.Dom0IptablesFirewallDriver` (isolation in dom0) or
   * `nova.virt.firewall.NoopFirewallDriver`.
   */
  driver: pulumi.Input<
    | "nova.virt.firewall.IptablesFirewallDriver"
    | "nova.virt.xenapi.firewall.Dom0IptablesFirewallDriver"
    | "nova.virt.firewall.NoopFirewallDriver"
  >;
  /** The dom0s of the hosts this compute node drives: checked for `xenhost` (dom0 driver), given the VIF rules. */
  dom0s?: pulumi.Input<pulumi.Input<SshTargetArgs>[]>;
  /** Local directory of VIF isolation rules (relative to the program's directory); its files go to `/etc/xensource/scripts`. */
  vifRules?: pulumi.Input<string>;
  /** The file of `vifRules` that is the init script; it goes to `/etc/init.d` instead. */
  vifInitScript?: pulumi.Input<string>;
  /** Command run on the VM when nova.conf changed, e.g. `["systemctl", "restart", "nova-compute"]`. */
  restartCommand?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Any non-empty marker (e.g. "found"): take the setting as it already is instead of writing it. `firewall_driver`
   * must already have the declared value and the VIF rule files must already be in every dom0 with the same
   * sha256 (for the dom0 driver, `xenhost` must be installed, as for create); any difference fails with a
   * field-by-field message. Nothing is written and `restartCommand` is not run. The resource found things as they
   * are, so delete restores nothing and removes no rule file (what a later update changes is put back to the
   * adopted value, and rule files it installs are removed). Pulumi's own `import` does not work for dynamic
   * resources (pulumi/pulumi#16175).
   */
  adopt?: pulumi.Input<string>;
}

export class FirewallDriver extends pulumi.dynamic.Resource {
  /** The driver now configured. */
  public readonly driver!: pulumi.Output<string>;
  /** name → sha256 of the VIF rule files. */
  public readonly vifRuleFiles!: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: FirewallDriverArgs, opts?: pulumi.CustomResourceOptions) {
    super(provider, name, { ...args, vifRuleFiles: undefined, conf: undefined, installed: undefined }, opts, "xen", "FirewallDriver");
  }
}
