/**
 * Plugins against the simulator and real sshd dom0 test hosts: the guide's "Install the XenAPI plug-ins", then
 * `get_version` answers through XenAPI's host.call_plugin in nova's serialized convention (pickles), run by Python
 * 2.7 as on a XenServer 6/7 dom0 and by Python 3 as on XenServer 8; version mismatches fail naming the plug-in, the
 * host, what was expected and what came back; delete removes exactly the files it installed and the byte-code
 * Python generated from them; a plug-in set in the plain convention works when declared.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { configure } from "../../../provider/context";
import { closeAllSessions, XenApiSession } from "../../../provider/xenapi";
import * as plugins from "../../../provider/resources/plugins";
import { UNKNOWN } from "../../../provider/resources/unknown";
import { callPlugin, PluginCallConvention } from "../../../provider/resources/plugin-call";
import { PyValue } from "../../../provider/resources/pickle";
import { python27, python3 } from "../pythons";
import { Dom0Pool, listingDelta, pluginDir, realPathsSnapshot, setVersion, startDom0Pool, treeListing } from "./env";

describe("Plugins check and diff (pure)", () => {
  const fp = "SHA256:" + "A".repeat(43);
  it("hashes every file of the local directory, so a changed file changes the inputs", () => {
    const dir = pluginDir();
    try {
      const args = { source: dir, hosts: [{ host: "xs1", ssh: { address: "a", hostKeyFingerprint: fp } }], requiredVersion: "1.2" };
      const a = plugins.checkInputs({}, args);
      assert.deepEqual(a.failures, []);
      assert.deepEqual(Object.keys(a.inputs.files), ["nova_plugin_version", "utils.py", "xenhost"]);
      assert.equal(a.inputs.directory, "/etc/xapi.d/plugins");
      assert.equal(a.inputs.versionPlugin, "nova_plugin_version");
      assert.equal(a.inputs.versionCallConvention, "serialized", "nova's convention by default");
      const plain = plugins.checkInputs({}, { ...args, versionCallConvention: "plain" });
      assert.deepEqual(plain.failures, []);
      assert.equal(plain.inputs.versionCallConvention, "plain");
      assert.deepEqual(plugins.diff("id", { ...a.inputs, installed: {} }, plain.inputs as never), { changes: true, replaces: [], deleteBeforeReplace: false });
      setVersion(dir, "1.3");
      const b = plugins.checkInputs({}, args);
      assert.notEqual(b.inputs.files.nova_plugin_version, a.inputs.files.nova_plugin_version);
      assert.equal(b.inputs.files.xenhost, a.inputs.files.xenhost);
      assert.deepEqual(plugins.diff("id", { ...a.inputs, installed: {} }, b.inputs as never), { changes: true, replaces: [], deleteBeforeReplace: false });
      assert.deepEqual(plugins.diff("id", { ...a.inputs, installed: {} }, a.inputs as never).changes, false);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it("reports each bad field with the reason, and tolerates unknowns", () => {
    const { failures } = plugins.checkInputs({}, {
      source: "/nonexistent/plugins",
      hosts: [{ ssh: { address: "a", hostKeyFingerprint: fp } }],
      requiredVersion: "v2",
      versionCallConvention: "pickle",
    });
    const by = Object.fromEntries(failures.map((f) => [f.property, f.reason]));
    assert.match(by.versionCallConvention, /must be one of serialized, plain; got "pickle"/);
    assert.match(by.source, /cannot read the directory \/nonexistent\/plugins: ENOENT/);
    assert.match(by.requiredVersion, /must be "major.minor"/);
    assert.match(by.hosts, /give each target its host/);
    assert.deepEqual(plugins.checkInputs({}, { source: UNKNOWN, hosts: UNKNOWN, requiredVersion: UNKNOWN, versionCallConvention: UNKNOWN }).failures, []);
  });
});

describe("Plugins on dom0 test hosts", () => {
  let pool: Dom0Pool;
  let dir: string;
  let realBefore: Record<string, string>;
  const listings: string[] = [];
  let outs: plugins.PluginsOutputs;
  const PY = "/etc/xapi.d/plugins";
  const inputs = (extra: Record<string, unknown> = {}) => {
    const r = plugins.checkInputs({}, {
      source: dir,
      hosts: pool.hosts.map((h, i) => ({ host: pool.sim.hosts[i].name, ssh: pool.ssh(h) })),
      requiredVersion: "1.2",
      ...extra,
    });
    assert.deepEqual(r.failures, []);
    return r.inputs;
  };
  /** host.call_plugin on host i, as nova calls it (serialized) or plainly. */
  const call = async (i: number, convention: PluginCallConvention, plugin = "nova_plugin_version"): Promise<{ value: PyValue; raw: string }> => {
    const s = new XenApiSession(pool.sim.masterUrl, { username: "root", password: pool.password }, { tls: { fingerprints: [pool.sim.tls!.fingerprint256] } });
    try {
      return await callPlugin(s, { ref: pool.sim.hosts[i].ref, uuid: pool.sim.hosts[i].uuid }, plugin, "get_version", convention);
    } finally {
      await s.logout();
    }
  };
  const getVersion = async (i: number) => (await call(i, "serialized")).value;
  const exists = (i: number, p: string) => fs.existsSync(pool.hosts[i].path(p));

  before(async () => {
    realBefore = realPathsSnapshot();
    pool = await startDom0Pool(["xs1", "xs2"]);
    configure({ get: (k) => pool.settings[k] });
    dir = pluginDir("1.2");
    // A plug-in of someone else's is already installed on xs1, with byte-code of its own: they must stay.
    fs.writeFileSync(pool.hosts[0].path(`${PY}/vendor_plugin`), "#!/bin/sh\n", { mode: 0o755 });
    fs.writeFileSync(pool.hosts[0].path(`${PY}/vendorlib.pyc`), "not ours\n");
    fs.mkdirSync(pool.hosts[0].path(`${PY}/__pycache__`));
    fs.writeFileSync(pool.hosts[0].path(`${PY}/__pycache__/vendorlib.cpython-311.pyc`), "not ours\n");
    for (const h of pool.hosts) listings.push(await treeListing(h));
  });
  after(async () => {
    await closeAllSessions();
    await pool?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(realPathsSnapshot(), realBefore);
  });

  it("installs nova-style plug-ins run by Python 2.7, then get_version answers 1.2 in nova's serialized convention", async () => {
    python27(); // fails, saying so, when this machine has no Python 2.7 for the test hosts to offer
    const r = await pool.hosts[0].exec(["/usr/bin/python2.7", "-c", "import sys; print(sys.version_info[:2])"]);
    assert.equal(r.stdout.trim(), "(2, 7)", `the dom0 test host offers /usr/bin/python2.7: ${r.stderr}`);
    outs = (await plugins.create(inputs())).outs;
    for (const [i, h] of pool.hosts.entries()) {
      for (const f of ["nova_plugin_version", "utils.py", "xenhost"]) {
        const st = fs.statSync(h.path(`${PY}/${f}`));
        assert.equal(st.mode & 0o777, 0o755, f);
      }
      assert.equal(outs.versions[`${h.address}:${h.port}`], "1.2");
      const answer = await call(i, "serialized");
      assert.equal(answer.value, "1.2");
      assert.match(answer.raw, /^S'1\.2'\n/, "a Python 2 str pickled at protocol 0, as nova's plug-in answers");
      assert.ok(exists(i, `${PY}/utils.pyc`), "Python 2.7 imported utils.py and wrote utils.pyc beside it");
    }
    assert.deepEqual(Object.values(outs.installed), [
      ["nova_plugin_version", "utils.py", "xenhost"],
      ["nova_plugin_version", "utils.py", "xenhost"],
    ]);
  });

  it("the plain convention does not reach nova's plug-in (KeyError 'params'), and the failure says which convention to use", async () => {
    await assert.rejects(call(0, "plain"), /XENAPI_PLUGIN_FAILURE.*get_version.*KeyError.*params/);
    await assert.rejects(plugins.update("id", outs, inputs({ versionCallConvention: "plain" })), (e: Error) => {
      assert.match(e.message, /host xs1 \(uuid [0-9a-f-]{36}\): plug-in nova_plugin_version get_version \(plain convention\) failed: .*KeyError/);
      assert.match(e.message, /declare versionCallConvention: "serialized"/);
      return true;
    });
  });

  it("read reports the program's inputs; a file changed on a host shows as drift in that file only", async () => {
    assert.deepEqual((await plugins.read("id", outs)).inputs, inputs());
    fs.appendFileSync(pool.hosts[1].path(`${PY}/xenhost`), "# edited by hand\n");
    const r = await plugins.read("id", outs);
    assert.notEqual(r.inputs!.files.xenhost, outs.files.xenhost);
    assert.equal(r.inputs!.files.nova_plugin_version, outs.files.nova_plugin_version);
    outs = (await plugins.update("id", outs, inputs())).outs;
    assert.deepEqual((await plugins.read("id", outs)).inputs, inputs());
  });

  it("a plug-in version below the required one fails the update, naming the plug-in, the host, expected and got", async () => {
    setVersion(dir, "1.1");
    await assert.rejects(plugins.update("id", outs, inputs()), (e: Error) => {
      for (const [i, name] of ["xs1", "xs2"].entries()) {
        const uuid = pool.sim.hosts[i].uuid;
        assert.ok(
          e.message.includes(
            `host ${name} (uuid ${uuid}): plug-in nova_plugin_version get_version (serialized convention) answered '1.1'; ` +
              "expected a version compatible with requiredVersion 1.2 (major 1, minor at least 2)",
          ),
          e.message,
        );
      }
      return true;
    });
    assert.equal(await getVersion(0), "1.2", "the failed update put the plug-ins back as the state describes them");
    assert.deepEqual((await plugins.read("id", outs)).inputs!.files, outs.files);
    setVersion(dir, "2.0");
    await assert.rejects(plugins.update("id", outs, inputs()), /answered '2\.0'; expected a version compatible with requiredVersion 1\.2 \(major 1, minor at least 2\)/);
    setVersion(dir, "1.4");
    outs = (await plugins.update("id", outs, inputs())).outs;
    assert.equal(await getVersion(1), "1.4", "a newer minor is accepted");
  });

  it("a failed create leaves nothing behind, byte-code included", async () => {
    const other = pluginDir("0.9");
    try {
      fs.renameSync(path.join(other, "nova_plugin_version"), path.join(other, "other_version"));
      fs.rmSync(path.join(other, "xenhost"));
      fs.renameSync(path.join(other, "utils.py"), path.join(other, "helpers.py"));
      fs.writeFileSync(path.join(other, "other_version"), fs.readFileSync(path.join(other, "other_version"), "utf8").replace(/\bimport utils\b/, "import helpers as utils"));
      const listing = await treeListing(pool.hosts[1]);
      const args = plugins.checkInputs({}, { source: other, hosts: [{ host: "xs2", ssh: pool.ssh(pool.hosts[1]) }], requiredVersion: "1.0", versionPlugin: "other_version" });
      assert.deepEqual(args.failures, []);
      await assert.rejects(plugins.create(args.inputs), /host xs2 \(uuid [0-9a-f-]{36}\): plug-in other_version get_version \(serialized convention\) answered '0\.9'/);
      const now = await treeListing(pool.hosts[1]);
      assert.equal(now, listing, listingDelta(listing, now));
      assert.equal(exists(1, `${PY}/helpers.pyc`), false);
    } finally {
      fs.rmSync(other, { recursive: true });
    }
  });

  it("a source file swapped for a symlink between check and apply is refused, and nothing is written", async () => {
    const other = pluginDir("1.2");
    try {
      const args = plugins.checkInputs({}, { source: other, hosts: [{ host: "xs2", ssh: pool.ssh(pool.hosts[1]) }] });
      assert.deepEqual(args.failures, []);
      const secret = path.join(path.dirname(other), `${path.basename(other)}-secret`);
      fs.writeFileSync(secret, "operator's secret\n");
      fs.rmSync(path.join(other, "xenhost"));
      fs.symlinkSync(secret, path.join(other, "xenhost"));
      const listing = await treeListing(pool.hosts[1]);
      try {
        await assert.rejects(plugins.create({ ...args.inputs, directory: "/etc/xapi.d/other" }), new RegExp(`${path.join(other, "xenhost")} is a symbolic link: refused`));
      } finally {
        fs.rmSync(secret);
      }
      const now = await treeListing(pool.hosts[1]);
      assert.equal(now, listing, listingDelta(listing, now));
    } finally {
      fs.rmSync(other, { recursive: true });
    }
  });

  it("a plug-in set in the plain convention works when declared (and the default says how to fix it)", async () => {
    const plain = fs.mkdtempSync(path.join(path.dirname(dir), "pulumi-xen-plain-"));
    try {
      fs.writeFileSync(
        path.join(plain, "plain_version"),
        "#!/usr/bin/python2.7\nimport XenAPIPlugin\n\n\ndef get_version(session, args):\n    return \"3.1\"\n\n\nXenAPIPlugin.dispatch({\"get_version\": get_version})\n",
        { mode: 0o755 },
      );
      const one = (extra: Record<string, unknown>) => {
        const r = plugins.checkInputs({}, { source: plain, hosts: [{ host: "xs1", ssh: pool.ssh(pool.hosts[0]) }], requiredVersion: "3.0", versionPlugin: "plain_version", ...extra });
        assert.deepEqual(r.failures, []);
        return r.inputs;
      };
      await assert.rejects(plugins.create(one({})), /plug-in plain_version get_version \(serialized convention\) failed: the answer "3\.1" is not a pickle of plain values.*declare versionCallConvention: "plain"/);
      assert.equal(exists(0, `${PY}/plain_version`), false, "the failed create took its file back");
      const o = (await plugins.create(one({ versionCallConvention: "plain" }))).outs;
      assert.deepEqual(Object.values(o.versions), ["3.1"]);
      assert.equal((await call(0, "plain", "plain_version")).value, "3.1");
      await plugins.remove("id", o);
      assert.equal(exists(0, `${PY}/plain_version`), false);
    } finally {
      fs.rmSync(plain, { recursive: true });
    }
  });

  it("dropping a file and a host removes exactly those files (and the byte-code of the dropped module)", async () => {
    fs.rmSync(path.join(dir, "xenhost"));
    outs = (await plugins.update("id", outs, inputs({ hosts: [{ host: "xs1", ssh: pool.ssh(pool.hosts[0]) }] }))).outs;
    assert.equal(exists(0, `${PY}/xenhost`), false);
    assert.equal(exists(0, `${PY}/nova_plugin_version`), true);
    assert.equal(await treeListing(pool.hosts[1]), listings[1], "xs2 is as it was: utils.py and utils.pyc gone");
  });

  it("delete removes exactly the files it installed and their utils.pyc; the vendor's plug-in and byte-code stay", async () => {
    assert.ok(exists(0, `${PY}/utils.pyc`));
    await plugins.remove("id", outs);
    for (const [i, h] of pool.hosts.entries()) {
      const now = await treeListing(h);
      assert.equal(now, listings[i], listingDelta(listings[i], now));
    }
    for (const f of ["vendor_plugin", "vendorlib.pyc", "__pycache__/vendorlib.cpython-311.pyc"]) assert.ok(exists(0, `${PY}/${f}`), f);
  });

  it("the same plug-ins under Python 3 (XenServer 8): get_version answers 1.2; delete leaves no __pycache__ of ours", async () => {
    python3();
    const py3 = pluginDir("1.2", "3");
    try {
      assert.match(fs.readFileSync(path.join(py3, "nova_plugin_version"), "utf8"), /^#!\/usr\/bin\/python3\n/);
      const args = plugins.checkInputs({}, { source: py3, hosts: pool.hosts.map((h, i) => ({ host: pool.sim.hosts[i].name, ssh: pool.ssh(h) })), requiredVersion: "1.2" });
      assert.deepEqual(args.failures, []);
      const o = (await plugins.create(args.inputs)).outs;
      assert.deepEqual(Object.values(o.versions), ["1.2", "1.2"]);
      const answer = await call(1, "serialized");
      assert.equal(answer.value, "1.2");
      assert.match(answer.raw, /^V1\.2\n/, "a Python 3 str pickled at protocol 0");
      const cached = fs.readdirSync(pool.hosts[1].path(`${PY}/__pycache__`));
      assert.ok(cached.some((f) => /^utils\.cpython-\d+\.pyc$/.test(f)), `Python 3 wrote __pycache__/utils.*.pyc: ${cached}`);
      await plugins.remove("id", o);
      for (const [i, h] of pool.hosts.entries()) {
        const now = await treeListing(h);
        assert.equal(now, listings[i], listingDelta(listings[i], now));
      }
      assert.equal(exists(1, `${PY}/__pycache__`), false, "xs2's __pycache__ held only ours: gone");
      assert.ok(exists(0, `${PY}/__pycache__/vendorlib.cpython-311.pyc`), "xs1's __pycache__ keeps the vendor's");
    } finally {
      fs.rmSync(py3, { recursive: true });
    }
  });
});
