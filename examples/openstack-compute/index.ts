/**
 * The guide's post-installation steps, in its order:
 *   1-2. resize/migration prerequisites and VIF isolation   -> Host (root trust, /images), FirewallDriver
 *   3.   the XenAPI plug-ins, version-checked             -> Plugins
 *   4.   /boot/guest for AMI kernels                       -> Host
 *   5.   root SSH trust between the dom0s, /images         -> Host (authorizeOn)
 *   6.   a paravirtualized VM for nova-compute             -> Vm (PV)
 *   7.   nova-compute's configuration                      -> FirewallDriver, NovaComputeConfig
 * plus "Xen boot from ISO" (an ISO SR tagged local-storage-iso) and the default SR for
 * `sr_matching_filter = default-sr:true`.
 *
 * Connection: stack config `xen:url`, `xen:password` (secret), `xen:tlsFingerprint`, `xen:sshPrivateKey` (secret).
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as xen from "pulumi-xen";

interface PoolHost {
  /** The host's name label in xapi. */
  name: string;
  /** Its xapi URL (members are joined through it). */
  xapiUrl: string;
  /** Its dom0 over SSH. */
  ssh: xen.SshTargetArgs;
}

const config = new pulumi.Config();
const hosts = config.requireObject<PoolHost[]>("hosts");
const novaVmSsh = config.requireObject<xen.SshTargetArgs>("novaVmSsh");

// Storage: an ISO library for boot-from-ISO (nova looks for i18n-key=local-storage-iso, even on NFS), and shared
// VHD storage that becomes the pool's default SR.
const isoLibrary = new xen.StorageRepository("iso-library", {
  name: "ISO library",
  type: "iso",
  deviceConfig: { location: config.get("isoLocation") ?? "nfs.example.org:/export/isos" },
  otherConfig: { "i18n-key": "local-storage-iso" },
});
const sharedVhds = new xen.StorageRepository("shared-vhds", {
  name: "Shared VHDs",
  type: "nfs",
  deviceConfig: { server: config.get("nfsServer") ?? "nfs.example.org", serverpath: config.get("nfsPath") ?? "/export/vhds" },
});

const pool = new xen.Pool("pool", {
  name: config.get("poolName") ?? "openstack",
  description: "XenServer pool for nova-compute",
  defaultSr: sharedVhds.id,
  members: hosts.map((h) => h.xapiUrl),
});

// dom0 preparation on every host: /boot/guest and /images into the local SR, root trust with every other dom0.
const dom0s = hosts.map(
  (h, i) =>
    new xen.Host(`host-${h.name}`, {
      host: h.name,
      ssh: h.ssh,
      authorizeOn: hosts.filter((_, j) => j !== i).map((other) => other.ssh),
    }),
);

// nova's dom0 plug-ins, at the version this nova needs (nova 2014.1 and later require 1.2). The version is asked
// for as nova asks it, through call_plugin_serialized (the default versionCallConvention, "serialized"). The
// fixture stands in for nova's plugins/xenserver/xenapi/etc/xapi.d/plugins and, like them, runs under Python 2.7
// (#!/usr/bin/python2.7, which the simulator's dom0 test hosts offer when this machine has a Python 2.7).
const plugins = new xen.Plugins("nova-plugins", {
  source: path.join(__dirname, "..", "plugins-fixture", "plugins"),
  hosts: hosts.map((h) => ({ host: h.name, ssh: h.ssh })),
  requiredVersion: config.get("pluginVersion") ?? "1.2",
});

// The nova-compute VM: paravirtualized, as the guide requires.
const compute = new xen.Vm(
  "nova-compute",
  {
    name: "nova-compute",
    description: config.get("computeDescription") ?? "OpenStack nova-compute",
    template: config.get("template") ?? "Debian Bookworm 12",
    bootMode: "pv",
    pvBootloader: "pygrub",
    memory: "2GiB",
    vcpus: 2,
    disks: [{ device: "0", size: "20GiB", bootable: true }], // the template's disk, grown (without device: a new disk)
    networkInterfaces: [{ network: config.get("network") ?? "Pool-wide network associated with eth0" }],
    affinity: hosts[0].name,
    otherConfig: { role: "nova-compute" },
  },
  { dependsOn: [pool] },
);

// nova-compute's configuration, in the VM.
const firewall = new xen.FirewallDriver(
  "firewall-driver",
  {
    ssh: novaVmSsh,
    driver: "nova.virt.xenapi.firewall.Dom0IptablesFirewallDriver",
    dom0s: hosts.map((h) => h.ssh),
  },
  { dependsOn: [compute, plugins] },
);
const nova = new xen.NovaComputeConfig(
  "nova-xenserver",
  {
    ssh: novaVmSsh,
    connectionUrl: config.get("managementUrl") ?? hosts[0].xapiUrl,
    connectionUsername: "root",
    srMatchingFilter: "default-sr:true",
    agentVersionTimeout: config.getNumber("agentVersionTimeout") ?? 300,
  },
  { dependsOn: [compute] },
);

export const poolUuid = pool.id;
export const isoLibraryUuid = isoLibrary.id;
export const defaultSrUuid = sharedVhds.id;
export const computeVmUuid = compute.id;
export const dom0PublicKeys = dom0s.map((d) => d.publicKey);
export const firewallDriver = firewall.driver;
export const novaConnectionUrl = nova.connectionUrl;
