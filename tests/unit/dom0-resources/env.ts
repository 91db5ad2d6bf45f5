/**
 * The tests' view of a lab (sim/lab.ts: a simulated pool whose hosts each have a real sshd dom0, their
 * "Local storage" SRs mounted at /var/run/sr-mount/<uuid> on a filesystem of their own, one operator key for every
 * machine), plus what only the tests need: the stack settings for `configure`, listings of a dom0's file trees (to
 * show that destroy leaves them as they were) and a guard that this machine's own /boot/guest, /images, /etc and
 * /root are never touched.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Simulator } from "../../../sim";
import { Dom0TestHost } from "../../../sim/dom0";
import { Lab, startLab } from "../../../sim/lab";

export interface Dom0Pool {
  sim: Simulator;
  /** The lab this pool is. */
  lab: Lab;
  /** The dom0 test hosts of the pool's hosts, in order, then the extra machines (e.g. the nova-compute VM). */
  hosts: Dom0TestHost[];
  /** uuid of each pool host's "Local storage" SR, in host order. */
  localSrs: string[];
  password: string;
  /** The operator's private key every test host accepts for root (through /etc/ssh/authorized_keys.d/root). */
  privateKey: string;
  /** Stack settings for the provider's `configure`. */
  settings: Record<string, string>;
  /** `ssh` input for a test host. */
  ssh(h: Dom0TestHost): { address: string; port: number; hostKeyFingerprint: string };
  stop(): Promise<void>;
}

const REAL_PATHS = ["/boot/guest", "/images", "/etc/hosts", "/etc/nova", "/etc/xapi.d", "/root/.ssh/authorized_keys", "/root/.ssh/id_rsa"];

/** A fingerprint of this machine's own paths the tests must never create or change. */
export function realPathsSnapshot(): Record<string, string> {
  const s: Record<string, string> = {};
  for (const p of REAL_PATHS) {
    try {
      const st = fs.lstatSync(p);
      s[p] = st.isFile() ? createHash("sha256").update(fs.readFileSync(p)).digest("hex") : `${st.mode}`;
    } catch {
      s[p] = "absent";
    }
  }
  return s;
}

/** Stack settings (`xen:*`) that point the provider at a lab. */
export function labSettings(lab: Lab, password: string): Record<string, string> {
  return {
    "xen:url": lab.sim.masterUrl,
    "xen:password": password,
    "xen:tlsFingerprint": lab.sim.tls!.fingerprint256,
    "xen:sshPrivateKey": lab.operatorKey,
  };
}

/**
 * Starts `names` as simulated pool hosts (each with an ext "Local storage" SR) on a lab, plus `extra` machines
 * that are not in the pool (such as the nova-compute VM).
 */
export async function startDom0Pool(names: string[], options: { extra?: string[]; password?: string } = {}): Promise<Dom0Pool> {
  const password = options.password ?? "dom0-pool-password";
  const extra = options.extra ?? [];
  const lab = await startLab(
    {
      name: "dom0-pool",
      hosts: names.map((name) => ({ name })),
      srs: names.map((name) => ({
        name: "Local storage",
        type: "ext",
        host: name,
        otherConfig: { "i18n-key": "local-storage" },
        deviceConfig: { device: "/dev/sda3" },
      })),
      users: { root: password },
    },
    { extraMachines: extra },
  );
  return {
    sim: lab.sim,
    lab,
    hosts: [...lab.dom0s, ...extra.map((n) => lab.machines[n])],
    localSrs: lab.localSrs,
    password,
    privateKey: lab.operatorKey,
    settings: labSettings(lab, password),
    ssh: (h) => lab.ssh(h),
    stop: () => lab.stop(),
  };
}

/**
 * What a dom0 holds under the trees the resources touch: every path with its type, mode, symlink target and, for
 * files, sha256. Two equal listings mean the trees are as they were.
 */
export async function treeListing(h: Dom0TestHost): Promise<string> {
  const script = `for p in /etc /boot /root /images /run/sr-mount/; do
  [ -e "$p" ] || [ -L "$p" ] || continue
  find "$p" -printf '%p %y %m %l\\n'
  find "$p" -type f -exec sha256sum {} +
done | sort`;
  const r = await h.exec(["sh", "-c", script]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

/** Lines only in one of two listings, for a readable assertion message. */
export function listingDelta(before: string, after: string): string {
  const a = new Set(before.split("\n"));
  const b = new Set(after.split("\n"));
  return [...[...a].filter((l) => !b.has(l)).map((l) => `- ${l}`), ...[...b].filter((l) => !a.has(l)).map((l) => `+ ${l}`)].join("\n");
}

/** Runs ssh inside `from` to `to` as root with root's own key pair (BatchMode: no prompt). */
export function sshFromTo(from: Dom0TestHost, to: Dom0TestHost, command = "hostname") {
  return from.exec(["ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "-i", "/root/.ssh/id_rsa", `root@${to.name}`, command]);
}

export const FIXTURE = path.resolve(__dirname, "../../../../examples/plugins-fixture/plugins");

/**
 * A copy of the fixture plug-ins (nova's structure and calling convention) the test may change, with
 * nova_plugin_version answering `version`, run by `python`: "2.7" (the fixture's own `#!/usr/bin/python2.7`, as on a
 * XenServer 6/7 dom0) or "3" (`#!/usr/bin/python3`, XenServer 8).
 */
export function pluginDir(version = "1.2", python: "2.7" | "3" = "2.7"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-xen-plugins-"));
  for (const f of fs.readdirSync(FIXTURE)) {
    const text = fs.readFileSync(path.join(FIXTURE, f), "utf8");
    const out = python === "3" ? text.replace(/^#!\/usr\/bin\/python2\.7\n/, "#!/usr/bin/python3\n") : text;
    fs.writeFileSync(path.join(dir, f), out, { mode: fs.statSync(path.join(FIXTURE, f)).mode & 0o777 });
  }
  setVersion(dir, version);
  return dir;
}

export function setVersion(dir: string, version: string): void {
  const file = path.join(dir, "nova_plugin_version");
  fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/PLUGIN_VERSION = "[^"]*"/, `PLUGIN_VERSION = "${version}"`));
}

/** A compute VM's nova.conf before any resource touches it. */
export const NOVA_CONF = `# nova.conf of the compute VM
[DEFAULT]
# Driver to use for controlling virtualization.
compute_driver = libvirt.LibvirtDriver
my_ip = 10.0.0.5
firewall_driver = nova.virt.firewall.IptablesFirewallDriver

[xenserver]
# see the XenServer guide
connection_username = admin
`;

/** A local directory of VIF isolation rules: a rules script and its init script. */
export function vifRulesDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-xen-vif-"));
  fs.writeFileSync(path.join(dir, "vif_rules.py"), "#!/usr/bin/python3\n# apply ebtables/arptables rules for a VIF\n");
  fs.writeFileSync(path.join(dir, "openstack-vif-rules"), "#!/bin/sh\n# chkconfig: 2345 12 88\nexit 0\n");
  return dir;
}


/**
 * Prepares a dom0 by hand, as an operator would have before pulumi-xen (and as the Host resource makes it):
 * `/boot/guest` and `/images` pointing into the local SR's mount, and a root key pair. Returns root's public key.
 */
export async function prepareDom0ByHand(h: Dom0TestHost, localSrUuid: string): Promise<string> {
  const mount = `/var/run/sr-mount/${localSrUuid}`;
  const r = await h.exec([
    "sh",
    "-c",
    `set -e; mkdir -p "$1/os-guest-kernels" "$1/images"; ln -s "$1/os-guest-kernels" /boot/guest; ln -s "$1/images" /images
mkdir -p -m 700 /root/.ssh; ssh-keygen -q -t rsa -b 2048 -N '' -C "root@$2" -f /root/.ssh/id_rsa; cat /root/.ssh/id_rsa.pub`,
    "sh",
    mount,
    h.name,
  ]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

/** Appends `line` to root's authorized_keys on `h` by hand (root trust made before pulumi-xen). */
export function trustByHand(h: Dom0TestHost, line: string): void {
  const file = h.path("/root/.ssh/authorized_keys");
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.appendFileSync(file, `${line.trim()}\n`, { mode: 0o600 });
}
