/**
 * Plugins against the simulator and real sshd dom0 test hosts: the guide's "Install the XenAPI plug-ins", then
 * `get_version` answers through XenAPI's host.call_plugin; version mismatches fail naming both versions; delete
 * removes exactly the files it installed.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { configure } from "../../../provider/context";
import { closeAllSessions, XenApiSession } from "../../../provider/xenapi";
import * as plugins from "../../../provider/resources/plugins";
import { UNKNOWN } from "../../../provider/resources/unknown";
import { Dom0Pool, listingDelta, pluginDir, realPathsSnapshot, setVersion, startDom0Pool, treeListing } from "./env";

describe("Plugins check and diff (pure)", () => {
  const fp = "SHA256:" + "A".repeat(43);
  it("hashes every file of the local directory, so a changed file changes the inputs", () => {
    const dir = pluginDir();
    try {
      const args = { source: dir, hosts: [{ host: "xs1", ssh: { address: "a", hostKeyFingerprint: fp } }], requiredVersion: "1.2" };
      const a = plugins.check({}, args);
      assert.deepEqual(a.failures, []);
      assert.deepEqual(Object.keys(a.inputs.files), ["nova_plugin_version", "pluginlib_fixture.py", "xenhost"]);
      assert.equal(a.inputs.directory, "/etc/xapi.d/plugins");
      assert.equal(a.inputs.versionPlugin, "nova_plugin_version");
      setVersion(dir, "1.3");
      const b = plugins.check({}, args);
      assert.notEqual(b.inputs.files.nova_plugin_version, a.inputs.files.nova_plugin_version);
      assert.equal(b.inputs.files.xenhost, a.inputs.files.xenhost);
      assert.deepEqual(plugins.diff("id", { ...a.inputs, installed: {} }, b.inputs as never), { changes: true, replaces: [], deleteBeforeReplace: false });
      assert.deepEqual(plugins.diff("id", { ...a.inputs, installed: {} }, a.inputs as never).changes, false);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it("reports each bad field with the reason, and tolerates unknowns", () => {
    const { failures } = plugins.check({}, { source: "/nonexistent/plugins", hosts: [{ ssh: { address: "a", hostKeyFingerprint: fp } }], requiredVersion: "v2" });
    const by = Object.fromEntries(failures.map((f) => [f.property, f.reason]));
    assert.match(by.source, /cannot read the directory \/nonexistent\/plugins: ENOENT/);
    assert.match(by.requiredVersion, /must be "major.minor"/);
    assert.match(by.hosts, /give each target its host/);
    assert.deepEqual(plugins.check({}, { source: UNKNOWN, hosts: UNKNOWN, requiredVersion: UNKNOWN }).failures, []);
  });
});

describe("Plugins on dom0 test hosts", () => {
  let pool: Dom0Pool;
  let dir: string;
  let realBefore: Record<string, string>;
  const listings: string[] = [];
  let outs: plugins.PluginsOutputs;
  const inputs = (extra: Record<string, unknown> = {}) => {
    const r = plugins.check({}, {
      source: dir,
      hosts: pool.hosts.map((h, i) => ({ host: pool.sim.hosts[i].name, ssh: pool.ssh(h) })),
      requiredVersion: "1.2",
      ...extra,
    });
    assert.deepEqual(r.failures, []);
    return r.inputs;
  };
  const getVersion = async (i: number) => {
    const s = new XenApiSession(pool.sim.masterUrl, { username: "root", password: pool.password }, { tls: { fingerprints: [pool.sim.tls!.fingerprint256] } });
    try {
      return await s.call<string>("host.call_plugin", pool.sim.hosts[i].ref, "nova_plugin_version", "get_version", {});
    } finally {
      await s.logout();
    }
  };

  before(async () => {
    realBefore = realPathsSnapshot();
    pool = await startDom0Pool(["xs1", "xs2"]);
    configure({ get: (k) => pool.settings[k] });
    dir = pluginDir("1.2");
    // A plug-in of someone else's is already installed on xs1: it must stay.
    fs.writeFileSync(pool.hosts[0].path("/etc/xapi.d/plugins/vendor_plugin"), "#!/bin/sh\n", { mode: 0o755 });
    for (const h of pool.hosts) listings.push(await treeListing(h));
  });
  after(async () => {
    await closeAllSessions();
    await pool?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(realPathsSnapshot(), realBefore);
  });

  it("installs the plug-ins, executable, then get_version answers 1.2 through host.call_plugin", async () => {
    outs = (await plugins.create(inputs())).outs;
    for (const [i, h] of pool.hosts.entries()) {
      for (const f of ["nova_plugin_version", "pluginlib_fixture.py", "xenhost"]) {
        const st = fs.statSync(h.path(`/etc/xapi.d/plugins/${f}`));
        assert.equal(st.mode & 0o777, 0o755, f);
      }
      assert.equal(await getVersion(i), "1.2");
      assert.equal(outs.versions[`${h.address}:${h.port}`], "1.2");
    }
    assert.deepEqual(Object.values(outs.installed), [
      ["nova_plugin_version", "pluginlib_fixture.py", "xenhost"],
      ["nova_plugin_version", "pluginlib_fixture.py", "xenhost"],
    ]);
  });

  it("read reports the program's inputs; a file changed on a host shows as drift in that file only", async () => {
    assert.deepEqual((await plugins.read("id", outs)).inputs, inputs());
    fs.appendFileSync(pool.hosts[1].path("/etc/xapi.d/plugins/xenhost"), "# edited by hand\n");
    const r = await plugins.read("id", outs);
    assert.notEqual(r.inputs!.files.xenhost, outs.files.xenhost);
    assert.equal(r.inputs!.files.nova_plugin_version, outs.files.nova_plugin_version);
    outs = (await plugins.update("id", outs, inputs())).outs;
    assert.deepEqual((await plugins.read("id", outs)).inputs, inputs());
  });

  it("a plug-in version below the required one fails the update, naming both versions", async () => {
    setVersion(dir, "1.1");
    await assert.rejects(plugins.update("id", outs, inputs()), (e: Error) => {
      assert.match(e.message, /host xs1: the installed plug-ins report version "1\.1" \(nova_plugin_version get_version\), but requiredVersion is 1\.2/);
      assert.match(e.message, /host xs2: .*"1\.1".*1\.2/);
      return true;
    });
    assert.equal(await getVersion(0), "1.2", "the failed update put the plug-ins back as the state describes them");
    assert.deepEqual((await plugins.read("id", outs)).inputs!.files, outs.files);
    setVersion(dir, "2.0");
    await assert.rejects(plugins.update("id", outs, inputs()), /report version "2\.0".*requiredVersion is 1\.2 \(same major version, at least the minor\)/);
    setVersion(dir, "1.4");
    outs = (await plugins.update("id", outs, inputs())).outs;
    assert.equal(await getVersion(1), "1.4", "a newer minor is accepted");
  });

  it("a failed create leaves nothing behind", async () => {
    const other = pluginDir("0.9");
    try {
      fs.renameSync(path.join(other, "nova_plugin_version"), path.join(other, "other_version"));
      fs.rmSync(path.join(other, "xenhost"));
      fs.rmSync(path.join(other, "pluginlib_fixture.py")); // xs2 has it already, from the resource above
      const listing = await treeListing(pool.hosts[1]);
      const args = plugins.check({}, { source: other, hosts: [{ host: "xs2", ssh: pool.ssh(pool.hosts[1]) }], requiredVersion: "1.0", versionPlugin: "other_version" });
      assert.deepEqual(args.failures, []);
      await assert.rejects(plugins.create(args.inputs), /host xs2: the installed plug-ins report version "0\.9" \(other_version get_version\)/);
      const now = await treeListing(pool.hosts[1]);
      assert.equal(now, listing, listingDelta(listing, now));
    } finally {
      fs.rmSync(other, { recursive: true });
    }
  });

  it("dropping a file and a host removes exactly those files", async () => {
    fs.rmSync(path.join(dir, "xenhost"));
    outs = (await plugins.update("id", outs, inputs({ hosts: [{ host: "xs1", ssh: pool.ssh(pool.hosts[0]) }] }))).outs;
    assert.equal(fs.existsSync(pool.hosts[0].path("/etc/xapi.d/plugins/xenhost")), false);
    assert.equal(fs.existsSync(pool.hosts[0].path("/etc/xapi.d/plugins/nova_plugin_version")), true);
    assert.equal(await treeListing(pool.hosts[1]), listings[1], "xs2 is as it was");
  });

  it("delete removes exactly the files it installed; the vendor's plug-in stays", async () => {
    await plugins.remove("id", outs);
    for (const [i, h] of pool.hosts.entries()) {
      const now = await treeListing(h);
      assert.equal(now, listings[i], listingDelta(listings[i], now));
    }
    assert.ok(fs.existsSync(pool.hosts[0].path("/etc/xapi.d/plugins/vendor_plugin")));
  });
});
