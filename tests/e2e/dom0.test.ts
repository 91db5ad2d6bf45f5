import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { PulumiProject, stepFor, ResourceDeclaration, changedInputs } from "./pulumi-harness";
import { XenApiSession } from "../../provider/xenapi";
import { callPlugin as callPluginAs } from "../../provider/resources/plugin-call";
import { PyValue } from "../../provider/resources/pickle";
import { python27 } from "../unit/pythons";
import {
  Dom0Pool,
  listingDelta,
  NOVA_CONF,
  pluginDir,
  realPathsSnapshot,
  setVersion,
  sshFromTo,
  startDom0Pool,
  treeListing,
  vifRulesDir,
} from "../unit/dom0-resources/env";

/**
 * The guide's post-installation steps end to end, through the real `pulumi` CLI: three simulated hosts whose dom0s
 * are real sshd test hosts, and a nova-compute "VM" (another test host). Hosts get /boot/guest, /images and root
 * trust; nova's plug-ins are installed and answer through host.call_plugin; nova.conf gets its firewall driver and
 * XenAPI options; then destroy leaves every machine's files as they were.
 */
const NOVA_PASSWORD = "nova-conn-Pa55-e2e";
const HOSTILE = "xs3$(touch /root/pwned1)`touch /root/pwned2`; touch /root/pwned3 '\"";

let pool: Dom0Pool;
let project: PulumiProject;
let plugins: string;
let vif: string;
let realBefore: Record<string, string>;
const listings: string[] = [];

const compute = () => pool.hosts[3];
const dom0s = () => pool.hosts.slice(0, 3);
const conf = () => fs.readFileSync(compute().path("/etc/nova/nova.conf"), "utf8");

const hostDecl = (i: number, args: Record<string, unknown> = {}): ResourceDeclaration => ({
  kind: "Host",
  name: `host-xs${i + 1}`,
  args: {
    host: pool.sim.hosts[i].uuid,
    ssh: pool.ssh(pool.hosts[i]),
    authorizeOn: dom0s().filter((_, j) => j !== i).map((h) => pool.ssh(h)),
    otherConfig: { "openstack-role": "compute-host" },
    ...args,
  },
});
const pluginsDecl = (): ResourceDeclaration => ({
  kind: "Plugins",
  name: "nova-plugins",
  args: { source: plugins, hosts: dom0s().map((h, i) => ({ host: pool.sim.hosts[i].name, ssh: pool.ssh(h) })), requiredVersion: "1.2" },
});
const firewallDecl = (): ResourceDeclaration => ({
  kind: "FirewallDriver",
  name: "firewall",
  args: {
    ssh: pool.ssh(compute()),
    driver: "nova.virt.xenapi.firewall.Dom0IptablesFirewallDriver",
    dom0s: dom0s().map((h) => pool.ssh(h)),
    vifRules: vif,
    vifInitScript: "openstack-vif-rules",
  },
});
const novaDecl = (): ResourceDeclaration => ({
  kind: "NovaComputeConfig",
  name: "nova-xenapi",
  args: {
    ssh: pool.ssh(compute()),
    connectionUrl: `https://${pool.hosts[0].address}`,
    connectionPassword: NOVA_PASSWORD,
    srMatchingFilter: "other-config:i18n-key=local-storage",
    agentVersionTimeout: 300,
    vncserverProxyclientAddress: pool.hosts[0].address,
  },
  secretArgs: ["connectionPassword"],
});
const hosts = (overrides: Record<number, Record<string, unknown>> = {}) => [0, 1, 2].map((i) => hostDecl(i, overrides[i]));
const everything = () => [...hosts(), pluginsDecl(), firewallDecl(), novaDecl()];

/** host.call_plugin as nova calls its plug-ins (call_plugin_serialized): the answer decoded. */
async function callPlugin(i: number, plugin: string, fn: string): Promise<PyValue> {
  const s = new XenApiSession(pool.sim.masterUrl, { username: "root", password: pool.password }, { tls: { fingerprints: [pool.sim.tls!.fingerprint256] } });
  try {
    return (await callPluginAs(s, { ref: pool.sim.hosts[i].ref, uuid: pool.sim.hosts[i].uuid }, plugin, fn, "serialized")).value;
  } finally {
    await s.logout();
  }
}

before(async () => {
  python27(); // the plug-ins run under Python 2.7 in the dom0s: without it, every test fails saying so
  realBefore = realPathsSnapshot();
  pool = await startDom0Pool(["xs1", "xs2", "xs3"], { extra: ["compute"] });
  // xs3's hostname (which becomes its key comment) is hostile: it must reach the dom0 as data.
  pool.sim.db.set("host", pool.sim.hosts[2].ref, "hostname", HOSTILE);
  plugins = pluginDir("1.2");
  vif = vifRulesDir();
  fs.writeFileSync(compute().path("/etc/nova/nova.conf"), NOVA_CONF, { mode: 0o640 });
  for (const h of pool.hosts) listings.push(await treeListing(h));
  project = new PulumiProject("dom0");
  const { "xen:password": password, "xen:sshPrivateKey": key, ...config } = pool.settings;
  await project.init(config, { "xen:password": password });
  // A PEM key starts with "-----", which `config set` takes for a flag: `set-all --secret key=value` does not.
  await project.ok(["config", "set-all", "--secret", `xen:sshPrivateKey=${key}`]);
});

after(async () => {
  project?.cleanup();
  await pool?.stop();
  for (const d of [plugins, vif]) if (d) fs.rmSync(d, { recursive: true, force: true });
  assert.deepEqual(realPathsSnapshot(), realBefore, "this machine's own /boot, /images, /etc and /root are untouched");
});

test("up prepares three hosts: /boot/guest and /images on the local SR, and host A's root key logs in to B and C", async () => {
  project.declare([...hosts(), pluginsDecl()]);
  await project.up();
  for (const [i, h] of dom0s().entries()) {
    assert.equal(fs.readlinkSync(h.path("/boot/guest")), `/var/run/sr-mount/${pool.localSrs[i]}/os-guest-kernels`);
    assert.equal(fs.readlinkSync(h.path("/images")), `/var/run/sr-mount/${pool.localSrs[i]}/images`);
  }
  const [a, b, c] = dom0s();
  for (const [from, to] of [[a, b], [a, c], [b, a], [c, a], [b, c], [c, b]] as const) {
    const r = await sshFromTo(from, to);
    assert.equal(r.code, 0, `${from.name} -> ${to.name}: ${r.stderr}`);
    assert.equal(r.stdout, `${to.name}\n`);
  }
});

test("a hostile hostname reaches the dom0 as data: the key comment is verbatim and no command ran", async () => {
  const pub = fs.readFileSync(pool.hosts[2].path("/root/.ssh/id_rsa.pub"), "utf8");
  assert.equal(pub.trim().split(" ").slice(2).join(" "), `root@${HOSTILE}`);
  for (const h of pool.hosts) for (const f of ["pwned1", "pwned2", "pwned3"]) assert.equal(fs.existsSync(h.path(`/root/${f}`)), false);
});

test("the plug-ins are installed, executable, and get_version answers 1.2 through host.call_plugin (nova's serialized convention, Python 2.7)", async () => {
  for (const [i, h] of dom0s().entries()) {
    assert.equal(fs.statSync(h.path("/etc/xapi.d/plugins/nova_plugin_version")).mode & 0o777, 0o755);
    assert.equal(await callPlugin(i, "nova_plugin_version", "get_version"), "1.2");
  }
});

test("then FirewallDriver (dom0 driver, VIF rules) and NovaComputeConfig edit nova.conf in place", async () => {
  project.declare(everything());
  await project.up();
  const text = conf();
  assert.match(text, /^firewall_driver = nova\.virt\.xenapi\.firewall\.Dom0IptablesFirewallDriver$/m);
  assert.match(text, /^compute_driver = xenapi\.XenAPIDriver$/m);
  assert.match(text, /\[xenserver\]\n# see the XenServer guide\nconnection_username = root\nconnection_url = https:\/\/\S+\nconnection_password = nova-conn-Pa55-e2e\nsr_matching_filter = other-config:i18n-key=local-storage\nagent_version_timeout = 300\n/);
  assert.ok(text.startsWith("# nova.conf of the compute VM\n[DEFAULT]\n# Driver to use for controlling virtualization.\n"), "comments and order kept");
  for (const h of dom0s()) assert.ok(fs.existsSync(h.path("/etc/xensource/scripts/vif_rules.py")));
});

test("a second up changes nothing, and refresh then preview is quiet", async () => {
  const preview = await project.run(["preview", "--expect-no-changes"]);
  assert.equal(preview.code, 0, preview.stdout + preview.stderr);
  const refresh = await project.run(["refresh", "--yes", "--expect-no-changes"]);
  assert.equal(refresh.code, 0, refresh.stdout + refresh.stderr);
  const again = await project.run(["preview", "--expect-no-changes"]);
  assert.equal(again.code, 0, again.stdout + again.stderr);
});

test("a changed plug-in file previews as an update of Plugins, naming that file", async () => {
  const file = path.join(plugins, "xenhost");
  const original = fs.readFileSync(file, "utf8");
  fs.appendFileSync(file, "# patched\n");
  try {
    const steps = await project.previewSteps();
    assert.equal(steps.length, 1, JSON.stringify(steps.map((s) => [s.op, s.urn])));
    const step = stepFor(steps, "nova-plugins")!;
    assert.equal(step.op, "update");
    assert.deepEqual(changedInputs(step), ["files"]);
    const before = step.oldState!.inputs!.files as Record<string, string>;
    const after = step.newState!.inputs!.files as Record<string, string>;
    assert.deepEqual(Object.keys(after).filter((f) => before[f] !== after[f]), ["xenhost"]);
  } finally {
    fs.writeFileSync(file, original);
  }
});

test("a symlink in the plug-in source fails the preview naming it, and nothing is written anywhere", async () => {
  const secret = `${plugins}-outside`;
  fs.writeFileSync(secret, "not for dom0\n", { mode: 0o600 });
  const link = path.join(plugins, "zz_link");
  fs.symlinkSync(secret, link);
  try {
    const before = await Promise.all(pool.hosts.map((h) => treeListing(h)));
    const r = await project.run(["preview"]);
    assert.notEqual(r.code, 0);
    assert.ok((r.stdout + r.stderr).includes(`${link} is a symbolic link (to ${secret}): refused`), r.stdout + r.stderr);
    for (const [i, h] of pool.hosts.entries()) {
      const now = await treeListing(h);
      assert.equal(now, before[i], `${h.name}:\n${listingDelta(before[i], now)}`);
    }
  } finally {
    fs.rmSync(link);
    fs.rmSync(secret);
  }
});

test("a plug-in version below the required one fails the update, naming the plug-in, the host, expected and got", async () => {
  setVersion(plugins, "1.1");
  try {
    const r = await project.run(["up", "--yes", "--skip-preview"]);
    assert.notEqual(r.code, 0);
    assert.match(
      r.stdout + r.stderr,
      /host xs1 \(uuid [0-9a-f-]{36}\): plug-in nova_plugin_version get_version \(serialized convention\) answered '1\.1'; expected a version compatible with requiredVersion 1\.2/,
    );
    assert.equal(await callPlugin(0, "nova_plugin_version", "get_version"), "1.2", "the hosts keep the plug-ins the state describes");
  } finally {
    setVersion(plugins, "1.2");
  }
  await project.up();
  assert.equal(await callPlugin(0, "nova_plugin_version", "get_version"), "1.2");
});

test("on a XenServer 8 dom0 the same plug-ins run under Python 3: their Python 3 form updates in place and get_version answers 1.2", async () => {
  const py2 = plugins;
  plugins = pluginDir("1.2", "3");
  try {
    project.declare(everything());
    await project.up();
    for (const [i, h] of dom0s().entries()) {
      assert.match(fs.readFileSync(h.path("/etc/xapi.d/plugins/nova_plugin_version"), "utf8"), /^#!\/usr\/bin\/python3\n/);
      assert.equal(await callPlugin(i, "nova_plugin_version", "get_version"), "1.2");
    }
  } finally {
    fs.rmSync(plugins, { recursive: true, force: true });
    plugins = py2;
  }
  project.declare(everything());
  await project.up();
  assert.equal(await callPlugin(0, "nova_plugin_version", "get_version"), "1.2", "back to the Python 2.7 form");
});

test("a wrong pinned host key is refused, naming both fingerprints, and nothing changes", async () => {
  const listing = await treeListing(pool.hosts[0]);
  project.declare([...hosts({ 0: { ssh: { ...pool.ssh(pool.hosts[0]), hostKeyFingerprint: pool.hosts[1].hostKeyFingerprint }, description: "changed" } }), pluginsDecl(), firewallDecl(), novaDecl()]);
  const r = await project.run(["up", "--yes", "--skip-preview"]);
  assert.notEqual(r.code, 0);
  assert.ok((r.stdout + r.stderr).includes(`host key verification failed: the server presented ${pool.hosts[0].hostKeyFingerprint}, but ${pool.hosts[1].hostKeyFingerprint} is pinned`), r.stdout + r.stderr);
  assert.equal(await treeListing(pool.hosts[0]), listing);
  project.declare(everything());
  const quiet = await project.run(["preview", "--expect-no-changes"]);
  assert.equal(quiet.code, 0, quiet.stdout + quiet.stderr);
});

test("the state holds no plaintext secret: not the nova password, the xen password or the SSH private key", async () => {
  const keyBody = pool.privateKey.split("\n").filter((l) => l && !l.startsWith("-----"));
  for (const file of project.backendFiles()) {
    const text = fs.readFileSync(file, "utf8");
    assert.ok(!text.includes(NOVA_PASSWORD), `${file} holds the nova password`);
    assert.ok(!text.includes(pool.password), `${file} holds the xen password`);
    for (const line of keyBody) assert.ok(!text.includes(line), `${file} holds the SSH private key`);
  }
  const exported = await project.stackExport();
  assert.ok(!exported.includes(NOVA_PASSWORD));
  assert.match(exported, /"connectionPassword":\s*\{\s*"4dabf18193072939515e22adb298388d"/, "the password is stored as a secret");
});

test("destroy leaves every dom0's and the compute VM's file trees as they were", async () => {
  await project.ok(["destroy", "--yes"]);
  for (const [i, h] of pool.hosts.entries()) {
    const now = await treeListing(h);
    assert.equal(now, listings[i], `${h.name}:\n${listingDelta(listings[i], now)}`);
  }
  assert.equal(conf(), NOVA_CONF);
  for (const [i] of dom0s().entries()) {
    const rec = pool.sim.db.byUuid("host", pool.sim.hosts[i].uuid)!.record;
    assert.equal((rec.other_config as Record<string, string>)["openstack-role"], undefined);
  }
});
