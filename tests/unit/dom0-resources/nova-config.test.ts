/**
 * FirewallDriver and NovaComputeConfig against a nova-compute "VM" (a test host with an /etc/nova/nova.conf) and
 * the pool's dom0 test hosts: one line changed in place, the dom0 driver's plug-in check, VIF isolation rules in
 * dom0, the XenAPI options, and a delete that puts nova.conf back byte for byte.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { configure } from "../../../provider/context";
import { closeAllSessions } from "../../../provider/xenapi";
import * as fw from "../../../provider/resources/firewall-driver";
import * as nova from "../../../provider/resources/nova-compute-config";
import { UNKNOWN } from "../../../provider/resources/unknown";
import { Dom0Pool, FIXTURE, listingDelta, NOVA_CONF, realPathsSnapshot, startDom0Pool, treeListing, vifRulesDir } from "./env";

describe("FirewallDriver / NovaComputeConfig check (pure)", () => {
  const ssh = { address: "10.0.0.9", hostKeyFingerprint: "SHA256:" + "B".repeat(43) };
  it("FirewallDriver: the driver must be one of nova's three; the dom0 driver needs dom0s", () => {
    const bad = fw.check({}, { ssh, driver: "nova.virt.firewall.Bogus" });
    assert.match(bad.failures[0].reason, /driver must be one of nova\.virt\.firewall\.IptablesFirewallDriver, nova\.virt\.xenapi\.firewall\.Dom0IptablesFirewallDriver, nova\.virt\.firewall\.NoopFirewallDriver/);
    const dom0 = fw.check({}, { ssh, driver: "nova.virt.xenapi.firewall.Dom0IptablesFirewallDriver" });
    assert.equal(dom0.failures[0].property, "dom0s");
    assert.match(dom0.failures[0].reason, /xenhost plug-in/);
    const ok = fw.check({}, { ssh, driver: "nova.virt.firewall.NoopFirewallDriver" });
    assert.deepEqual(ok.failures, []);
    assert.equal(ok.inputs.novaConf, "/etc/nova/nova.conf");
    assert.deepEqual(fw.check({}, { ssh: UNKNOWN, driver: UNKNOWN, dom0s: UNKNOWN, vifRules: UNKNOWN }).failures, []);
  });

  it("another VM or file replaces (the old one restored first); the driver is in place", () => {
    const a = fw.check({}, { ssh, driver: "nova.virt.firewall.NoopFirewallDriver" }).inputs;
    assert.deepEqual(fw.diff("id", a as never, { ...a, driver: "nova.virt.firewall.IptablesFirewallDriver" } as never), { changes: true, replaces: [], deleteBeforeReplace: false });
    assert.deepEqual(fw.diff("id", a as never, { ...a, novaConf: "/etc/nova/other.conf" } as never), { changes: true, replaces: ["novaConf"], deleteBeforeReplace: true });
  });

  it("NovaComputeConfig: defaults, and a bad value is reported without echoing it", () => {
    const { inputs, failures } = nova.check({}, { ssh, connectionUrl: "https://10.0.0.2" });
    assert.deepEqual(failures, []);
    assert.equal(inputs.computeDriver, "xenapi.XenAPIDriver");
    assert.equal(inputs.connectionUsername, "root");
    assert.equal("connectionPassword" in inputs, false);
    const bad = nova.check({}, { ssh, connectionUrl: "10.0.0.2", connectionPassword: "s3cret\nline", agentVersionTimeout: "x" });
    const by = Object.fromEntries(bad.failures.map((f) => [f.property, f.reason]));
    assert.match(by.connectionUrl, /http\(s\):\/\//);
    assert.match(by.connectionPassword, /one line/);
    assert.doesNotMatch(JSON.stringify(bad.failures), /s3cret/);
    assert.match(by.agentVersionTimeout, /whole number/);
  });
});

describe("FirewallDriver and NovaComputeConfig on a compute VM and dom0s", () => {
  let pool: Dom0Pool;
  let compute: Dom0Pool["hosts"][number];
  let realBefore: Record<string, string>;
  let vif: string;
  const listings: string[] = [];
  const confPath = () => compute.path("/etc/nova/nova.conf");
  const conf = () => fs.readFileSync(confPath(), "utf8");
  const fwInputs = (extra: Record<string, unknown> = {}) => {
    const r = fw.check({}, {
      ssh: pool.ssh(compute),
      driver: "nova.virt.xenapi.firewall.Dom0IptablesFirewallDriver",
      dom0s: pool.hosts.slice(0, 2).map((h) => pool.ssh(h)),
      vifRules: vif,
      vifInitScript: "openstack-vif-rules",
      ...extra,
    });
    assert.deepEqual(r.failures, []);
    return r.inputs;
  };

  before(async () => {
    realBefore = realPathsSnapshot();
    pool = await startDom0Pool(["xs1", "xs2"], { extra: ["compute"] });
    compute = pool.hosts[2];
    configure({ get: (k) => pool.settings[k] });
    vif = vifRulesDir();
    fs.writeFileSync(confPath(), NOVA_CONF, { mode: 0o640 });
    fs.chownSync(confPath(), 0, 117); // root:nova on a real compute VM
    for (const h of pool.hosts) listings.push(await treeListing(h));
  });
  after(async () => {
    await closeAllSessions();
    await pool?.stop();
    fs.rmSync(vif, { recursive: true, force: true });
    assert.deepEqual(realPathsSnapshot(), realBefore);
  });

  let fwOuts: fw.FirewallDriverOutputs;
  let novaOuts: nova.NovaComputeConfigOutputs;

  it("the dom0 driver is refused, naming the dom0, while xenhost is not installed there; nova.conf is untouched", async () => {
    fs.copyFileSync(path.join(FIXTURE, "xenhost"), pool.hosts[0].path("/etc/xapi.d/plugins/xenhost"));
    await assert.rejects(fw.create(fwInputs()), (e: Error) => {
      assert.match(e.message, /Dom0IptablesFirewallDriver needs the dom0 plug-in xenhost \(with iptables_config\) in \/etc\/xapi\.d\/plugins/);
      assert.ok(e.message.includes(`not installed on dom0 ${pool.hosts[1].address}:${pool.hosts[1].port}`), e.message);
      assert.ok(!e.message.includes(`${pool.hosts[0].address}:${pool.hosts[0].port}`), "xs1 has it");
      return true;
    });
    assert.equal(conf(), NOVA_CONF);
    assert.equal(fs.existsSync(pool.hosts[0].path("/etc/xensource/scripts/vif_rules.py")), false);
  });

  it("with xenhost installed: firewall_driver changes in place, that one line only, mode and owner kept; VIF rules in dom0", async () => {
    fs.copyFileSync(path.join(FIXTURE, "xenhost"), pool.hosts[1].path("/etc/xapi.d/plugins/xenhost"));
    for (const h of pool.hosts.slice(0, 2)) listings[pool.hosts.indexOf(h)] = await treeListing(h);
    fwOuts = (await fw.create(fwInputs())).outs;
    assert.equal(conf(), NOVA_CONF.replace("nova.virt.firewall.IptablesFirewallDriver", "nova.virt.xenapi.firewall.Dom0IptablesFirewallDriver"));
    const st = fs.statSync(confPath());
    assert.equal(st.mode & 0o777, 0o640);
    assert.equal(st.gid, 117);
    for (const h of pool.hosts.slice(0, 2)) {
      assert.equal(fs.statSync(h.path("/etc/xensource/scripts/vif_rules.py")).mode & 0o777, 0o755);
      assert.equal(fs.readFileSync(h.path("/etc/init.d/openstack-vif-rules"), "utf8"), fs.readFileSync(path.join(vif, "openstack-vif-rules"), "utf8"));
      assert.equal(fs.existsSync(h.path("/etc/xensource/scripts/openstack-vif-rules")), false, "the init script goes to /etc/init.d only");
    }
    assert.deepEqual((await fw.read("id", fwOuts)).inputs, fwInputs());
  });

  it("NovaComputeConfig writes the XenAPI options, in their sections, next to FirewallDriver's edit", async () => {
    const { inputs } = nova.check({}, {
      ssh: pool.ssh(compute),
      connectionUrl: "https://10.0.0.2",
      connectionPassword: "nova-Pa55",
      srMatchingFilter: "default-sr:true",
      agentVersionTimeout: 300,
      vncserverProxyclientAddress: "10.0.0.2",
    });
    // concurrently with a FirewallDriver update of the same file: neither edit is lost
    const [n, f] = await Promise.all([nova.create(inputs), fw.update("id", fwOuts, fwInputs({ driver: "nova.virt.firewall.NoopFirewallDriver", dom0s: [], vifRules: undefined, vifInitScript: undefined }))]);
    novaOuts = n.outs;
    fwOuts = f.outs;
    assert.equal(conf(), `# nova.conf of the compute VM
[DEFAULT]
# Driver to use for controlling virtualization.
compute_driver = xenapi.XenAPIDriver
my_ip = 10.0.0.5
firewall_driver = nova.virt.firewall.NoopFirewallDriver
vncserver_proxyclient_address = 10.0.0.2

[xenserver]
# see the XenServer guide
connection_username = root
connection_url = https://10.0.0.2
connection_password = nova-Pa55
sr_matching_filter = default-sr:true
agent_version_timeout = 300
`);
    assert.deepEqual((await nova.read("id", novaOuts)).inputs, inputs);
    for (const h of pool.hosts.slice(0, 2)) assert.equal(fs.existsSync(h.path("/etc/xensource/scripts/vif_rules.py")), false, "rules dropped with vifRules");
  });

  it("read never hands back a password changed in nova.conf", async () => {
    fs.writeFileSync(confPath(), conf().replace("connection_password = nova-Pa55", "connection_password = typed-by-hand"));
    const r = await nova.read("id", novaOuts);
    assert.equal(r.inputs!.connectionPassword, "(changed in nova.conf)");
    assert.doesNotMatch(JSON.stringify(r), /typed-by-hand/);
    novaOuts = (await nova.update("id", novaOuts, { ...novaOuts })).outs;
    assert.match(conf(), /connection_password = nova-Pa55/);
  });

  it("without connectionPassword, the stack's xen:password is written", async () => {
    const { conf: _c, connectionPassword: _p, ...rest } = novaOuts;
    novaOuts = (await nova.update("id", novaOuts, rest)).outs;
    assert.match(conf(), new RegExp(`connection_password = ${pool.password}\n`));
  });

  it("delete puts nova.conf back byte for byte and removes what it installed in dom0", async () => {
    await nova.remove("id", novaOuts);
    await fw.remove("id", fwOuts);
    assert.equal(conf(), NOVA_CONF);
    assert.equal(fs.statSync(confPath()).gid, 117);
    for (const [i, h] of pool.hosts.entries()) {
      const now = await treeListing(h);
      if (i < 2) assert.equal(now, listings[i], listingDelta(listings[i], now));
    }
  });

  it("a nova.conf without [DEFAULT] gets one, and delete removes it again", async () => {
    const plain = "[xenserver]\nconnection_url = http://x\n";
    fs.writeFileSync(confPath(), plain);
    const o = (await fw.create(fwInputs({ driver: "nova.virt.firewall.IptablesFirewallDriver", dom0s: [], vifRules: undefined, vifInitScript: undefined }))).outs;
    assert.equal(conf(), plain + "\n[DEFAULT]\nfirewall_driver = nova.virt.firewall.IptablesFirewallDriver\n");
    await fw.remove("id", o);
    assert.equal(conf(), plain);
  });
});
