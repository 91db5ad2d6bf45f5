/**
 * `adopt` on the dom0-side resources (Host, Plugins, FirewallDriver, NovaComputeConfig): what an operator prepared
 * by hand is taken under management as it is, with no XenAPI write (simulator counters) and no file changed on any
 * machine (file-tree listings); a program that differs is refused naming each field; and delete after adoption
 * leaves what was found (Plugins: removes the adopted files, which adoption made its own).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { configure } from "../../../provider/context";
import { closeAllSessions } from "../../../provider/xenapi";
import * as host from "../../../provider/resources/host";
import * as plugins from "../../../provider/resources/plugins";
import * as fw from "../../../provider/resources/firewall-driver";
import * as nova from "../../../provider/resources/nova-compute-config";
import {
  Dom0Pool,
  listingDelta,
  pluginDir,
  prepareDom0ByHand,
  realPathsSnapshot,
  startDom0Pool,
  treeListing,
  trustByHand,
  vifRulesDir,
} from "./env";

const OPERATOR_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOperatorOperatorOperatorOperatorOperatorOp op@desk";
const NOVA_PASSWORD = "nova-adopt-Pa55";

describe("adopt is never a change (pure diff)", () => {
  const ssh = { address: "10.0.0.9", hostKeyFingerprint: "SHA256:" + "B".repeat(43) };
  it("adding or changing adopt shows no diff on any of the four", () => {
    const h = host.checkInputs({}, { host: "xs1", ssh }).inputs;
    assert.equal(h.adopt, "");
    assert.equal(host.diff("u", h as never, { ...h, adopt: "some-uuid" } as never).changes, false);
    const f = fw.check({}, { ssh, driver: "nova.virt.firewall.NoopFirewallDriver" }).inputs;
    assert.equal(fw.diff("id", f as never, { ...f, adopt: "found" } as never).changes, false);
    const n = nova.check({}, { ssh, connectionUrl: "https://10.0.0.2" }).inputs;
    assert.equal(nova.diff("id", n as never, { ...n, adopt: "found" } as never).changes, false);
    const dir = pluginDir();
    try {
      const p = plugins.checkInputs({}, { source: dir, hosts: [{ ssh }] }).inputs;
      assert.equal(plugins.diff("id", { ...p, installed: {} } as never, { ...p, adopt: "installed" } as never).changes, false);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });
});

describe("adopting what was prepared by hand", () => {
  let pool: Dom0Pool;
  let realBefore: Record<string, string>;
  let pluginSource: string;
  let vif: string;
  /** Listings before the plug-ins were copied in by hand, and after every by-hand preparation. */
  let bare: string[];
  let listings: string[];
  let rootKeys: string[];
  const compute = () => pool.hosts[2];
  const dom0s = () => pool.hosts.slice(0, 2);
  const confPath = (file = "nova.conf") => compute().path(`/etc/nova/${file}`);
  const conf = (file = "nova.conf") => fs.readFileSync(confPath(file), "utf8");
  const writes = () => pool.sim.counters.writeCalls();
  const unchanged = async (what: string) => {
    for (const [i, h] of pool.hosts.entries()) {
      const now = await treeListing(h);
      assert.equal(now, listings[i], `${what}: ${h.name} changed:\n${listingDelta(listings[i], now)}`);
    }
  };

  const ADOPTED_CONF = `# nova.conf, configured by hand
[DEFAULT]
compute_driver = xenapi.XenAPIDriver
firewall_driver = nova.virt.firewall.IptablesFirewallDriver
my_ip = 10.0.0.5

[xenserver]
connection_url = https://10.0.0.2
connection_username = root
connection_password = ${NOVA_PASSWORD}
sr_matching_filter = default-sr:true
`;

  before(async () => {
    realBefore = realPathsSnapshot();
    pool = await startDom0Pool(["xs1", "xs2"], { extra: ["compute"] });
    configure({ get: (k) => pool.settings[k] });
    // The dom0s as an operator prepared them: links into the local SR, root key pairs, xs1's key trusted on xs2,
    // an operator key trusted on xs1; a user other-config key and a tag on xs1.
    rootKeys = [];
    for (const [i, h] of dom0s().entries()) rootKeys.push(await prepareDom0ByHand(h, pool.localSrs[i]));
    trustByHand(pool.hosts[0], OPERATOR_KEY);
    trustByHand(pool.hosts[1], rootKeys[0]);
    const xs1 = pool.sim.hosts[0].ref;
    pool.sim.db.set("host", xs1, "other_config", { ...(pool.sim.db.get("host", xs1).other_config as object), "owner-team": "infra" });
    pool.sim.db.set("host", xs1, "tags", ["compute", "rack-4"]);
    // nova.conf as configured by hand, and a second one holding the pool's password (xen:password).
    fs.writeFileSync(confPath(), ADOPTED_CONF, { mode: 0o640 });
    fs.writeFileSync(confPath("nova-xen.conf"), ADOPTED_CONF.replace(NOVA_PASSWORD, pool.password), { mode: 0o640 });
    bare = await Promise.all(pool.hosts.map(treeListing));
    // nova's plug-ins copied in by hand.
    pluginSource = pluginDir("1.2");
    for (const h of dom0s()) {
      for (const f of fs.readdirSync(pluginSource)) {
        fs.copyFileSync(path.join(pluginSource, f), h.path(`/etc/xapi.d/plugins/${f}`));
        fs.chmodSync(h.path(`/etc/xapi.d/plugins/${f}`), 0o755);
      }
    }
    vif = vifRulesDir();
    listings = await Promise.all(pool.hosts.map(treeListing));
  });
  after(async () => {
    await closeAllSessions();
    await pool?.stop();
    for (const d of [pluginSource, vif]) if (d) fs.rmSync(d, { recursive: true, force: true });
    assert.deepEqual(realPathsSnapshot(), realBefore, "this machine's own /boot, /images, /etc and /root are untouched");
  });

  // -------------------------------------------------------------------------------------------------------------
  // Host

  const hostInputs = (i: number, extra: Record<string, unknown> = {}) => {
    const r = host.checkInputs({}, { host: pool.sim.hosts[i].uuid, adopt: pool.sim.hosts[i].uuid, ssh: pool.ssh(pool.hosts[i]), ...extra });
    assert.deepEqual(r.failures, []);
    return r.inputs;
  };
  const xs1Program = () =>
    hostInputs(0, {
      name: "xs1",
      tags: ["rack-4", "compute"],
      otherConfig: { "owner-team": "infra" },
      trustedPublicKeys: [OPERATOR_KEY],
      authorizeOn: [pool.ssh(pool.hosts[1])],
    });
  const xs2Program = () => hostInputs(1, { host: "xs2" });
  const hostOuts: host.HostOutputs[] = [];

  it("Host: each dom0 is adopted as it is, with no XenAPI write and no file changed; nothing is recorded as added", async () => {
    const w = writes();
    for (const inputs of [xs1Program(), xs2Program()]) {
      const { id, outs } = await host.create(inputs);
      assert.equal(id, inputs.adopt);
      assert.deepEqual(outs.added, { symlinks: [], dirs: [], keyPair: "", authorizedKeys: [], authorizedOn: [], otherConfigKeys: [], tags: [] });
      hostOuts.push(outs);
    }
    assert.equal(writes() - w, 0, "no XenAPI write");
    await unchanged("adopting the hosts");
    assert.equal(hostOuts[0].publicKey, rootKeys[0]);
    assert.equal(hostOuts[1].localSrUuid, pool.localSrs[1]);
    assert.deepEqual((await host.read(hostOuts[0].uuid, hostOuts[0])).inputs, xs1Program());
    assert.deepEqual((await host.read(hostOuts[1].uuid, hostOuts[1])).inputs, xs2Program());
  });

  it("Host: a program that differs is refused naming each field; nothing is written", async () => {
    const w = writes();
    const images = pool.hosts[1].path("/images");
    fs.renameSync(images, `${images}.away`); // /images is not (yet) there on xs2
    try {
      const program = hostInputs(1, {
        name: "xs2-renamed",
        tags: ["compute"],
        otherConfig: { "owner-team": "infra" },
        trustedPublicKeys: [OPERATOR_KEY],
        authorizeOn: [pool.ssh(pool.hosts[0])], // xs2's key is not on xs1
      });
      await assert.rejects(host.create(program), (e: Error) => {
        assert.match(e.message, new RegExp(`^adopt: host "xs2" ${pool.sim.hosts[1].uuid} differs from the program`));
        assert.match(e.message, /\n {2}name: the program says "xs2-renamed", it is "xs2"/);
        assert.match(e.message, /\n {2}tags: the program says \["compute"\], it is \[\]/);
        assert.match(e.message, /\n {2}otherConfig: the program says \{"owner-team":"infra"\}, it is \{\}/);
        assert.match(e.message, /\n {2}images: the program says true, it is false/);
        assert.match(e.message, /\n {2}trustedPublicKeys: /);
        assert.match(e.message, /\n {2}authorizeOn: /);
        assert.doesNotMatch(e.message, /bootGuest|rootKeyPair/, "what matches is not named");
        return true;
      });
    } finally {
      fs.renameSync(`${images}.away`, images);
    }
    await assert.rejects(host.create(hostInputs(0, { adopt: pool.sim.hosts[1].uuid })), /adopt: host "\S+" is \S+ \(xs1\), not \S+: adopt must be the uuid of the host/);
    await assert.rejects(host.create(hostInputs(0, { adopt: "00000000-0000-4000-8000-00000000dead" })), /adopt: there is no host with uuid 00000000-0000-4000-8000-00000000dead/);
    assert.equal(writes() - w, 0);
    await unchanged("refused adoptions");
  });

  it("Host: after adoption, an update removes only what it added itself, and delete leaves what was found", async () => {
    // a key added by an update is this resource's: dropping it again removes that line only
    hostOuts[1] = (await host.update(hostOuts[1].uuid, hostOuts[1], hostInputs(1, { host: "xs2", trustedPublicKeys: [OPERATOR_KEY] }))).outs;
    assert.ok(fs.readFileSync(pool.hosts[1].path("/root/.ssh/authorized_keys"), "utf8").includes(OPERATOR_KEY));
    hostOuts[1] = (await host.update(hostOuts[1].uuid, hostOuts[1], xs2Program())).outs;
    const w = writes();
    for (const o of hostOuts) await host.remove(o.uuid, o);
    assert.equal(writes() - w, 0, "nothing was added in xapi, so nothing is removed");
    await unchanged("delete after adoption");
    const rec = pool.sim.db.get("host", pool.sim.hosts[0].ref);
    assert.equal((rec.other_config as Record<string, string>)["owner-team"], "infra");
    assert.deepEqual(rec.tags, ["compute", "rack-4"]);
  });

  // -------------------------------------------------------------------------------------------------------------
  // Plugins

  const pluginInputs = (source = pluginSource) => {
    const r = plugins.checkInputs({}, {
      source,
      hosts: dom0s().map((h, i) => ({ host: pool.sim.hosts[i].name, ssh: pool.ssh(h) })),
      requiredVersion: "1.2",
      adopt: "installed",
    });
    assert.deepEqual(r.failures, []);
    return r.inputs;
  };

  it("Plugins: files that differ (or are missing) are refused, naming each target's file", async () => {
    const other = pluginDir("1.3");
    fs.writeFileSync(path.join(other, "extra_plugin"), "#!/bin/sh\n");
    try {
      const w = writes();
      await assert.rejects(plugins.create(pluginInputs(other)), (e: Error) => {
        for (const h of dom0s()) {
          const id = `${h.address}:${h.port}`;
          assert.ok(e.message.includes(`files on ${id}: /etc/xapi.d/plugins/nova_plugin_version: the program says "sha256 `), e.message);
          assert.ok(e.message.includes(`files on ${id}: /etc/xapi.d/plugins/extra_plugin: the program says "sha256 `), e.message);
          assert.ok(e.message.includes(`it is "(absent)"`), e.message);
          assert.ok(!e.message.includes(`files on ${id}: /etc/xapi.d/plugins/xenhost`), "same file, not named");
        }
        return true;
      });
      assert.equal(writes() - w, 0);
      await unchanged("refused plug-ins");
    } finally {
      fs.rmSync(other, { recursive: true });
    }
  });

  it("Plugins: installed files are adopted with no write (not even get_version); delete then removes them", async () => {
    const w = writes();
    const { outs } = await plugins.create(pluginInputs());
    assert.equal(writes() - w, 0, "no XenAPI call that counts as a write (host.call_plugin included)");
    await unchanged("adopting the plug-ins");
    const names = Object.keys(outs.files).sort();
    assert.deepEqual(outs.installed, Object.fromEntries(dom0s().map((h) => [`${h.address}:${h.port}`, names])));
    assert.deepEqual((await plugins.read("id", outs)).inputs, pluginInputs());
    await plugins.remove("id", outs);
    for (const [i, h] of dom0s().entries()) {
      const now = await treeListing(h);
      assert.equal(now, bare[i], `adopted plug-ins are the resource's own, so delete removes them:\n${listingDelta(bare[i], now)}`);
    }
    listings = await Promise.all(pool.hosts.map(treeListing));
  });

  // -------------------------------------------------------------------------------------------------------------
  // FirewallDriver

  const fwInputs = (extra: Record<string, unknown> = {}) => {
    const r = fw.check({}, { ssh: pool.ssh(compute()), driver: "nova.virt.firewall.IptablesFirewallDriver", adopt: "found", ...extra });
    assert.deepEqual(r.failures, []);
    return r.inputs;
  };

  it("FirewallDriver: another driver, or rule files not in the dom0s, are refused naming the field", async () => {
    const w = writes();
    await assert.rejects(
      fw.create(fwInputs({ driver: "nova.virt.firewall.NoopFirewallDriver" })),
      /\n {2}driver: the program says "nova\.virt\.firewall\.NoopFirewallDriver", it is "nova\.virt\.firewall\.IptablesFirewallDriver"/,
    );
    await assert.rejects(fw.create(fwInputs({ dom0s: dom0s().map((h) => pool.ssh(h)), vifRules: vif, vifInitScript: "openstack-vif-rules" })), (e: Error) => {
      assert.match(e.message, /\n {2}vifRuleFiles: the program says \{"openstack-vif-rules":"[0-9a-f]{64}","vif_rules.py":"[0-9a-f]{64}"\}, it is \{\}/);
      assert.doesNotMatch(e.message, /\n {2}driver:/);
      return true;
    });
    assert.equal(writes() - w, 0);
    await unchanged("refused FirewallDriver");
  });

  it("FirewallDriver: adopted with no write; delete restores nothing (nova.conf byte for byte)", async () => {
    const { outs } = await fw.create(fwInputs());
    await unchanged("adopting the firewall driver");
    assert.deepEqual(outs.conf, { previous: { "DEFAULT/firewall_driver": "nova.virt.firewall.IptablesFirewallDriver" }, createdSections: [], createdFile: false });
    assert.deepEqual(outs.installed, {});
    assert.deepEqual((await fw.read("id", outs)).inputs, fwInputs());
    await fw.remove("id", outs);
    assert.equal(conf(), ADOPTED_CONF);
    await unchanged("delete after adopting the firewall driver");
  });

  // -------------------------------------------------------------------------------------------------------------
  // NovaComputeConfig

  const novaInputs = (extra: Record<string, unknown> = {}) => {
    const r = nova.check({}, {
      ssh: pool.ssh(compute()),
      connectionUrl: "https://10.0.0.2",
      connectionPassword: NOVA_PASSWORD,
      srMatchingFilter: "default-sr:true",
      adopt: "found",
      ...extra,
    });
    assert.deepEqual(r.failures, []);
    return r.inputs;
  };

  it("NovaComputeConfig: options that differ are refused by name, and no password is ever shown", async () => {
    const w = writes();
    await assert.rejects(nova.create(novaInputs({ connectionUrl: "https://10.0.0.3", connectionPassword: "wrong-Pa55", agentVersionTimeout: 300 })), (e: Error) => {
      assert.match(e.message, /\n {2}connectionUrl: the program says "https:\/\/10\.0\.0\.3", it is "https:\/\/10\.0\.0\.2"/);
      assert.match(e.message, /\n {2}connectionPassword: the program says "\(the declared secret\)", it is "\(another value\)"/);
      assert.match(e.message, /\n {2}agentVersionTimeout: the program says 300, it is -1/);
      assert.doesNotMatch(e.message, /computeDriver|srMatchingFilter/);
      assert.ok(!e.message.includes(NOVA_PASSWORD) && !e.message.includes("wrong-Pa55"), "no password in the message");
      return true;
    });
    // Without connectionPassword the stack's xen:password is what must be there.
    const { connectionPassword: _p, ...withoutPassword } = novaInputs();
    await assert.rejects(nova.create(withoutPassword), (e: Error) => {
      assert.match(e.message, /connectionPassword: the program says "\(the stack's xen:password\)", it is "\(another value\)"/);
      assert.ok(!e.message.includes(NOVA_PASSWORD) && !e.message.includes(pool.password));
      return true;
    });
    assert.equal(writes() - w, 0);
    await unchanged("refused NovaComputeConfig");
  });

  it("NovaComputeConfig: adopted with no write; the found values are what delete puts back, so nothing changes", async () => {
    const { outs } = await nova.create(novaInputs());
    await unchanged("adopting the nova options");
    assert.equal(outs.conf.previous["xenserver/connection_url"], "https://10.0.0.2");
    assert.deepEqual((await nova.read("id", outs)).inputs, novaInputs());
    // with the stack's password: adopted, and nothing of it recorded
    const { connectionPassword: _p, ...rest } = novaInputs({ novaConf: "/etc/nova/nova-xen.conf" });
    const xen = (await nova.create(rest)).outs;
    assert.equal("xenserver/connection_password" in xen.conf.previous, false);
    assert.ok(!JSON.stringify(xen).includes(pool.password));
    await unchanged("adopting with xen:password");
    await nova.remove("id", outs);
    await nova.remove("id", xen);
    assert.equal(conf(), ADOPTED_CONF);
    assert.equal(conf("nova-xen.conf"), ADOPTED_CONF.replace(NOVA_PASSWORD, pool.password));
    await unchanged("delete after adopting the nova options");
  });
});
