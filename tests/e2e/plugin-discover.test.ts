import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { startSimulator, Simulator, PoolSpec } from "../../sim";
import { callAsync, XenApiSession } from "../../provider/xenapi";
import { PluginProject } from "./plugin-harness";

/**
 * A running pool brought under management through the plugin: `pulumi-xen discover --import-file` lists the pool,
 * its SRs and VMs; `pulumi import --file` reads them all without a write and writes the YAML program; that program
 * then previews with no change.
 */
const PASSWORD = "plugin-discover-e2e";
const REPO = path.resolve(__dirname, "..", "..", "..");
const VM_COUNT = 6;

let sim: Simulator;
let project: PluginProject;

before(async () => {
  const spec = JSON.parse(fs.readFileSync(path.join(REPO, "sim", "pools", "demo.json"), "utf8")) as PoolSpec;
  sim = await startSimulator({ ...spec, users: { root: PASSWORD } });
  const s = new XenApiSession(sim.masterUrl, { username: "root", password: PASSWORD }, { tls: { fingerprints: [sim.tls!.fingerprint256] } });
  const [template] = await s.call<string[]>("VM.get_by_name_label", "Debian Bookworm 12");
  const [network] = await s.call<string[]>("network.get_by_name_label", "Pool-wide network associated with eth0");
  const [master] = await s.call<string[]>("host.get_all");
  await callAsync(s, "SR.create", [master, { server: "filer", serverpath: "/vhds" }, "0", "NFS VHDs", "shared", "nfs", "user", true, {}]);
  for (let i = 0; i < VM_COUNT; i++) {
    const vm = await callAsync<string>(s, "VM.clone", [template, `app-${i}`]);
    await callAsync(s, "VM.provision", [vm]);
    await s.call("VM.set_is_a_template", vm, false);
    await s.call("VIF.create", { device: "0", network, VM: vm, MAC: "", MTU: "1500", other_config: {}, qos_algorithm_type: "", qos_algorithm_params: {} });
    if (i % 2 === 0) await s.call("VM.add_to_other_config", vm, "owner-team", "blue");
    if (i % 3 !== 2) await callAsync(s, "VM.start", [vm, false, false]);
  }
  await s.logout();
  project = await PluginProject.onSimulator("plugin-discover", "yaml", sim, PASSWORD);
  project.write({}, "resources: {}\n");
});
after(async () => {
  project?.cleanup();
  await sim?.close();
});

test("discover --import-file lists the pool, every SR it manages and every VM by uuid", async () => {
  const file = path.join(project.dir, "import.json");
  await promisify(execFile)(process.execPath, [path.join(REPO, "dist", "cli", "main.js"), "discover", "--import-file", file], {
    env: { ...process.env, XEN_URL: sim.masterUrl, XEN_PASSWORD: PASSWORD, XEN_TLS_FINGERPRINT: sim.tls!.fingerprint256 },
  });
  const doc = JSON.parse(fs.readFileSync(file, "utf8")) as { resources: Array<{ type: string; name: string; id: string }> };
  const count = (type: string) => doc.resources.filter((r) => r.type === type).length;
  assert.equal(count("xen:index:Pool"), 1);
  assert.equal(count("xen:index:Vm"), VM_COUNT);
  assert.equal(count("xen:index:StorageRepository"), sim.db.all("SR").length - sim.db.all("SR").filter((s) => !["nfs", "iso", "ext", "lvm"].includes(String(s.record.type))).length);
  assert.equal(new Set(doc.resources.map((r) => r.name)).size, doc.resources.length, "names are unique");
  assert.ok(!fs.readFileSync(file, "utf8").includes(PASSWORD));
});

test("pulumi import --file reads them all without a write, and the program it writes previews with no change", async () => {
  const writes = sim.counters.writeCalls();
  const out = path.join(project.dir, "imported.yaml");
  await project.ok(["import", "--file", path.join(project.dir, "import.json"), "--yes", "--out", out]);
  assert.equal(sim.counters.writeCalls(), writes, "import writes nothing to xapi");
  const generated = fs.readFileSync(out, "utf8");
  assert.equal((generated.match(/type: xen:(index:)?Vm/g) ?? []).length, VM_COUNT);
  project.write({}, generated);
  await project.ok(["preview", "--expect-no-changes"]);
  const vms = (await project.resources()).filter((r) => r.type === "xen:index:Vm");
  assert.equal(vms.length, VM_COUNT);
});
