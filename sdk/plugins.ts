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
 * added or removed file previews as an update of this resource, and the `files` input shows which. Only regular
 * files are taken: a symbolic link (even to a file beside it), a device, a FIFO or a socket in `source` fails the
 * preview naming it, and the files are opened again without following links when they are copied.
 *
 * With `requiredVersion`, after installing, each host's `<versionPlugin>` `get_version` is called through
 * `host.call_plugin` (in `versionCallConvention`, nova's serialized one by default) and must report the same major
 * version and at least the minor, or the update fails naming the plug-in, the host, the expected and the reported
 * version, and puts the previous files back (nova refuses plug-ins that do not match it). Everything updates in
 * place. Delete removes exactly the files this resource wrote (or adopted), and the Python byte-code generated from
 * them in that directory (`utils.pyc`, `__pycache__/utils.*.pyc`), nothing else.
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
   * How `get_version` is called; default `"serialized"`.
   * - `"serialized"`: nova's `call_plugin_serialized` convention, which nova's own plug-ins (Icehouse 2014.1 and
   *   later) speak: the call carries a `params` argument holding a Python pickle (protocol 0) of
   *   `{"args": (), "kwargs": {}}` plus `host_uuid`, and the plug-in answers a pickle of the version string. The
   *   answer is read by a restricted reader that accepts only plain values (None, bool, int, float, str, bytes,
   *   list, tuple, dict) and refuses anything that would build a Python object.
   * - `"plain"`: xapi's bare convention: no arguments, the answer is the version string itself (for plug-in sets
   *   of your own written that way).
   */
  versionCallConvention?: pulumi.Input<"serialized" | "plain">;
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
  /** Per target (`address:port`): the version `get_version` reported, decoded (with `requiredVersion`). */
  public readonly versions!: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: PluginsArgs, opts?: pulumi.CustomResourceOptions) {
    super(provider, name, { ...args, files: undefined, installed: undefined, versions: undefined }, opts, "xen", "Plugins");
  }
}
