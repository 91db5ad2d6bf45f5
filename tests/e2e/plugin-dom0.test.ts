import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { python27 } from "../unit/pythons";
import { Dom0Pool, pluginDir, realPathsSnapshot, startDom0Pool, treeListing } from "../unit/dom0-resources/env";
import { PluginProject } from "./plugin-harness";

/**
 * The dom0 resources through the xen plugin, from a YAML program: a Host's root key pair and nova's plug-ins
 * installed from a directory given relative to the program (resolved on the machine that runs Pulumi), checked
 * through host.call_plugin; the SSH key stays a secret; destroy removes what was installed.
 */
let pool: Dom0Pool;
let project: PluginProject;
let realBefore: Record<string, string>;

const program = (requiredVersion: string) => {
  const [xs1, xs2] = pool.hosts;
  const resources = {
    "host-xs1": { type: "xen:index:Host", properties: { host: pool.sim.hosts[0].uuid, ssh: pool.ssh(xs1), rootKeyPair: true } },
    "nova-plugins": {
      type: "xen:index:Plugins",
      properties: {
        source: "nova-plugins",
        hosts: [xs1, xs2].map((h, i) => ({ host: pool.sim.hosts[i].name, ssh: pool.ssh(h) })),
        requiredVersion,
      },
    },
  };
  return `resources: ${JSON.stringify(resources)}\noutputs:\n  publicKey: \${host-xs1.publicKey}\n  versions: \${nova-plugins.versions}\n`;
};

before(async () => {
  python27(); // the plug-ins run under Python 2.7 in the dom0s: without it, every test fails saying so
  realBefore = realPathsSnapshot();
  pool = await startDom0Pool(["xs1", "xs2"]);
  project = new PluginProject("plugin-dom0", "yaml");
  // The plug-ins beside the program, named relative to it.
  const plugins = pluginDir("1.2");
  fs.cpSync(plugins, path.join(project.dir, "nova-plugins"), { recursive: true });
  fs.rmSync(plugins, { recursive: true, force: true });
  const { "xen:password": password, "xen:sshPrivateKey": key, ...config } = pool.settings;
  await project.init(config, { "xen:password": password, "xen:sshPrivateKey": key });
});
after(async () => {
  project?.cleanup();
  await pool?.stop();
  assert.deepEqual(realPathsSnapshot(), realBefore, "this machine's own /etc, /root ... are untouched");
});

test("up installs the plug-ins from the program's directory on both dom0s and makes xs1's key pair", async () => {
  project.write({}, program("1.2"));
  await project.up();
  const local = fs.readdirSync(path.join(project.dir, "nova-plugins")).sort();
  for (const h of pool.hosts) {
    const installed = fs.readdirSync(h.path("/etc/xapi.d/plugins")).filter((f) => local.includes(f)).sort();
    assert.deepEqual(installed, local, `${h.name} has every plug-in`);
  }
  const outputs = JSON.parse((await project.ok(["stack", "output", "--json", "--show-secrets"])).stdout);
  assert.equal(outputs.publicKey, fs.readFileSync(pool.hosts[0].path("/root/.ssh/id_rsa.pub"), "utf8").trim());
  assert.deepEqual(Object.values(outputs.versions), ["1.2", "1.2"], "get_version answered through host.call_plugin on each host");
});

test("a second preview shows no change", async () => {
  assert.deepEqual(await project.previewSteps(), []);
});

test("a plug-in file changed beside the program previews as an update of the plug-ins' files only", async () => {
  const file = path.join(project.dir, "nova-plugins", fs.readdirSync(path.join(project.dir, "nova-plugins"))[0]);
  fs.appendFileSync(file, "\n# changed\n");
  const steps = await project.previewSteps();
  assert.deepEqual(steps.map((s) => [s.op, s.urn.split("::").pop(), (s as { detailedDiff?: object }).detailedDiff]), [
    ["update", "nova-plugins", { files: { kind: "update", inputDiff: true } }],
  ]);
});

test("the SSH private key and the password stay out of the state", async () => {
  const keyBody = pool.privateKey.split("\n").filter((l) => l && !l.startsWith("-----"))[1];
  for (const f of project.backendFiles()) {
    const text = fs.readFileSync(f, "utf8");
    assert.ok(!text.includes(keyBody), `${f} holds no line of the private key`);
    assert.ok(!text.includes(pool.password), `${f} holds no password`);
  }
});

test("destroy removes the plug-ins it installed and the key pair it made", async () => {
  await project.ok(["destroy", "--yes", "--skip-preview"]);
  const local = fs.readdirSync(path.join(project.dir, "nova-plugins"));
  for (const h of pool.hosts) {
    const left = fs.readdirSync(h.path("/etc/xapi.d/plugins")).filter((f) => local.includes(f));
    assert.deepEqual(left, [], `${h.name} keeps none of them`);
  }
  assert.equal(fs.existsSync(pool.hosts[0].path("/root/.ssh/id_rsa")), false);
});

test("pulumi import of a Host by its dom0 (host=address:port@fingerprint) reads it, and its program previews with no change", async () => {
  const xs2 = pool.hosts[1];
  const { address, port, hostKeyFingerprint } = pool.ssh(xs2);
  const before = await treeListing(xs2);
  const writes = pool.sim.counters.writeCalls();
  const out = path.join(project.dir, "host.import.yaml");
  await project.ok(["import", "xen:index:Host", "host-xs2", `${pool.sim.hosts[1].uuid}=${address}:${port}@${hostKeyFingerprint}`, "--yes", "--protect=false", "--out", out]);
  assert.equal(pool.sim.counters.writeCalls(), writes, "no write to xapi");
  assert.equal(await treeListing(xs2), before, "the dom0 is only read");
  const state = (await project.resources()).find((r) => r.type === "xen:index:Host");
  assert.equal(state?.id, pool.sim.hosts[1].uuid, "the state's id is the host's uuid");
  const generated = fs.readFileSync(out, "utf8");
  assert.match(generated, new RegExp(hostKeyFingerprint.replace(/[+/]/g, "\\$&")));
  project.write({}, generated);
  await project.ok(["preview", "--expect-no-changes"]);
  await project.ok(["destroy", "--yes", "--skip-preview"]);
  assert.equal(await treeListing(xs2), before, "deleting an imported Host removes nothing it found");
});
