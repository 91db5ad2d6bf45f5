import * as pulumi from "@pulumi/pulumi";
import { dynamicProviderFor } from "./provider";
import type { SshTargetArgs } from "./host";

const provider = dynamicProviderFor("plugins");

/** One host to install the plug-ins on. */
export interface PluginTargetArgs {
  /** The XenAPI host (uuid, name or address): needed for the `requiredVersion` check through `host.call_plugin`. */
  host?: pulumi.Input<string>;
  /** How to reach the host's dom0 over SSH. */
  ssh: pulumi.Input<SshTargetArgs>;
}

/**
 * dom0 XenAPI plug-ins (the guide's "Install the XenAPI plug-ins"): every file of a local directory — e.g. nova's
 * `plugins/xenserver/xenapi/etc/xapi.d/plugins` from the nova release you run — copied into `/etc/xapi.d/plugins`
 * on each target host, executable (0755).
 *
 * Files are tracked by sha256, computed from the local directory when Pulumi checks the program: a changed,
 * added or removed file previews as an update of this resource, and the `files` input shows which. With
 * `requiredVersion`, after installing, each host's `host.call_plugin(<versionPlugin>, "get_version", {})` must
 * report the same major version and at least the minor, or the update fails naming both versions (nova refuses
 * plug-ins that do not match it). Everything updates in place. Delete removes exactly the files this resource
 * wrote (or adopted), nothing else.
 */
export interface PluginsArgs {
  /**
   * Local directory holding the plug-ins (relative paths are from the program's directory). Only its regular
   * files are taken (hidden files are skipped; subdirectories are refused).
   */
  source: pulumi.Input<string>;
  /** The hosts to install on. */
  hosts: pulumi.Input<pulumi.Input<PluginTargetArgs>[]>;
  /** Remote directory; default `/etc/xapi.d/plugins`, where xapi runs plug-ins from. */
  directory?: pulumi.Input<string>;
  /** "major.minor" the installed plug-ins must report, e.g. "2.0"; omit for no check. */
  requiredVersion?: pulumi.Input<string>;
  /** The plug-in answering `get_version`; default `nova_plugin_version` (nova's). */
  versionPlugin?: pulumi.Input<string>;
  /**
   * Any non-empty marker (e.g. "installed", or the target host's uuid): take plug-ins that are already installed
   * under management instead of installing them, writing nothing. Every file of `source` must already be in
   * `directory` on every target with the same sha256; any difference fails naming each target's file. The version
   * is not asked for at adoption (the files are byte for byte the declared ones); the next update that installs
   * checks it. As with Pulumi's import, the resource then owns the files: delete removes them, like files it
   * installed itself. Pulumi's own `import` does not work for dynamic resources (pulumi/pulumi#16175).
   */
  adopt?: pulumi.Input<string>;
}

export class Plugins extends pulumi.dynamic.Resource {
  /** name → sha256 of each plug-in file, as installed. */
  public readonly files!: pulumi.Output<Record<string, string>>;
  /** Per target (`address:port`): the files this resource wrote there. */
  public readonly installed!: pulumi.Output<Record<string, string[]>>;
  /** Per target (`address:port`): the version `get_version` reported (with `requiredVersion`). */
  public readonly versions!: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: PluginsArgs, opts?: pulumi.CustomResourceOptions) {
    super(provider, name, { ...args, files: undefined, installed: undefined, versions: undefined }, opts, "xen", "Plugins");
  }
}
