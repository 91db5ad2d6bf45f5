/**
 * A simulated pool whose hosts each have a real dom0 test host (sshd): the simulator's `host.call_plugin` runs
 * plug-ins inside them, each host's "Local storage" SR is mounted at /var/run/sr-mount/<uuid> (a filesystem of
 * its own), and one operator key (the first host's test key) logs in to every dom0 as root, as `xen:sshPrivateKey`.
 * Also: listings of a dom0's file trees (to show that destroy leaves them as they were) and a guard that this
 * machine's own /boot/guest, /images, /etc and /root are never touched.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startSimulator, Simulator } from "../../../sim";
import { Dom0TestHost, startDom0TestHosts } from "../../../sim/dom0";

export interface Dom0Pool {
  sim: Simulator;
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

/**
 * Starts `names` as simulated pool hosts with dom0 test hosts, plus `extra` test hosts that are not in the pool
 * (machines such as the nova-compute VM).
 */
export async function startDom0Pool(names: string[], options: { extra?: string[]; password?: string } = {}): Promise<Dom0Pool> {
  const password = options.password ?? "dom0-pool-password";
  const started = await startDom0TestHosts([...names, ...(options.extra ?? [])]);
  let sim: Simulator | undefined;
  try {
    const hosts = started.hosts;
    sim = await startSimulator({
      name: "dom0-pool",
      hosts: names.map((name, i) => ({ name, address: hosts[i].address })),
      srs: names.map((name) => ({
        name: "Local storage",
        type: "ext",
        host: name,
        otherConfig: { "i18n-key": "local-storage" },
        deviceConfig: { device: "/dev/sda3" },
      })),
      users: { root: password },
    });
    const byUuid = new Map(sim.hosts.map((h, i) => [h.uuid, hosts[i]]));
    sim.dom0 = (uuid) => {
      const h = byUuid.get(uuid);
      return h ? { exec: (argv, stdin) => h.exec(argv, stdin) } : undefined;
    };
    const localSrs: string[] = [];
    for (const [i, h] of sim.hosts.entries()) {
      const sr = sim.db.all("SR").find((s) =>
        (s.record.PBDs as string[]).some((p) => sim!.db.get("PBD", p).host === h.ref),
      )!;
      const uuid = String(sr.record.uuid);
      await hosts[i].createSrMount(uuid);
      localSrs.push(uuid);
    }
    // One operator key for every machine, as `xen:sshPrivateKey` gives the provider one key.
    const operator = hosts[0];
    for (const h of hosts.slice(1)) fs.appendFileSync(h.path("/etc/ssh/authorized_keys.d/root"), `${operator.clientPublicKey.trim()}\n`);
    const s = sim;
    return {
      sim: s,
      hosts,
      localSrs,
      password,
      privateKey: operator.clientPrivateKey,
      settings: {
        "xen:url": s.masterUrl,
        "xen:password": password,
        "xen:tlsFingerprint": s.tls!.fingerprint256,
        "xen:sshPrivateKey": operator.clientPrivateKey,
      },
      ssh: (h) => ({ address: h.address, port: h.port, hostKeyFingerprint: h.hostKeyFingerprint }),
      stop: async () => {
        await s.close();
        await started.stop();
      },
    };
  } catch (e) {
    await sim?.close();
    await started.stop();
    throw e;
  }
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

/** A copy of the fixture plug-ins the test may change, with nova_plugin_version answering `version`. */
export function pluginDir(version = "1.2"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-xen-plugins-"));
  for (const f of fs.readdirSync(FIXTURE)) fs.copyFileSync(path.join(FIXTURE, f), path.join(dir, f));
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

