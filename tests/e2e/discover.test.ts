import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { startSimulator, Simulator, PoolSpec } from "../../sim";
import { XenApiSession, callAsync } from "../../provider/xenapi";
import { linkPackage, PulumiCli } from "../../scripts/pulumi-cli";

/**
 * Bringing a running pool under management: `pulumi-xen discover` writes the program, the first `pulumi up`
 * adopts everything without a single write to xapi, and drift made afterwards shows after refresh.
 */
const REPO = path.resolve(__dirname, "..", "..", "..");
const PASSWORD = "discover-e2e";
const VM_COUNT = 30;
let sim: Simulator;
let workDir: string;
let programDir: string;
let pulumi: PulumiCli;
let operator: XenApiSession;

before(async () => {
  const spec = JSON.parse(fs.readFileSync(path.join(REPO, "sim", "pools", "demo.json"), "utf8")) as PoolSpec;
  sim = await startSimulator({ ...spec, users: { root: PASSWORD } });
  operator = new XenApiSession(sim.masterUrl, { username: "root", password: PASSWORD }, { tls: { fingerprints: [sim.tls!.fingerprint256] } });
  await populate();
  workDir = path.join(REPO, ".work", "e2e", `discover-${process.pid}`);
  programDir = path.join(workDir, "program");
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(workDir, { recursive: true });
});
after(async () => {
  await operator?.logout();
  await sim?.close();
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

/** A pool as teams run it: dozens of VMs, some running, extra disks, VIFs, user keys; an NFS SR. */
async function populate(): Promise<void> {
  const s = operator;
  const [template] = await s.call<string[]>("VM.get_by_name_label", "Debian Bookworm 12");
  const [network] = await s.call<string[]>("network.get_by_name_label", "Pool-wide network associated with eth0");
  const [master] = await s.call<string[]>("host.get_all");
  await callAsync(s, "SR.create", [master, { server: "filer", serverpath: "/vhds" }, "0", "NFS VHDs", "shared", "nfs", "user", true, {}]);
  for (let i = 0; i < VM_COUNT; i++) {
    const vm = await callAsync<string>(s, "VM.clone", [template, `app-${String(i).padStart(2, "0")}`]);
    await callAsync(s, "VM.provision", [vm]);
    await s.call("VM.set_is_a_template", vm, false);
    await s.call("VIF.create", { device: "0", network, VM: vm, MAC: "", MTU: "1500", other_config: {}, qos_algorithm_type: "", qos_algorithm_params: {}, locking_mode: "network_default", ipv4_allowed: [], ipv6_allowed: [] });
    if (i % 3 === 0) await s.call("VM.add_to_other_config", vm, "owner-team", `team-${i % 4}`);
    if (i % 5 === 0) await s.call("VM.add_tags", vm, "web");
    if (i % 3 !== 2) await callAsync(s, "VM.start", [vm, false, false]);
  }
}

test("discover writes a program that adopts the pool, its SRs and every VM", async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(REPO, "dist", "cli", "main.js"), "discover", "--out", programDir, "--project", "adopted-pool"], {
    env: { ...process.env, XEN_URL: sim.masterUrl, XEN_PASSWORD: PASSWORD, XEN_TLS_FINGERPRINT: sim.tls!.fingerprint256 },
  });
  assert.match(stdout, new RegExp(`${VM_COUNT} VMs`));
  const program = fs.readFileSync(path.join(programDir, "index.ts"), "utf8");
  assert.equal((program.match(/new xen\.Vm\(/g) ?? []).length, VM_COUNT);
  assert.match(program, /"owner-team": "team-0"/);
  assert.doesNotMatch(program, /mac_seed|last_shutdown/, "keys xapi maintains itself are left out");
  assert.ok(!program.includes(PASSWORD));
});

test("the first pulumi up adopts everything and writes nothing to xapi", async () => {
  linkPackage(programDir, REPO);
  pulumi = new PulumiCli({ programDir, workDir, configFile: path.join(workDir, "Pulumi.adopt.yaml"), passphrase: "discover" });
  await pulumi.initStack("adopt", { "xen:url": sim.masterUrl, "xen:tlsFingerprint": sim.tls!.fingerprint256 }, { "xen:password": PASSWORD });
  const writes = sim.counters.writeCalls();
  const up = await pulumi.ok(["up", "--yes", "--skip-preview"]);
  assert.equal(sim.counters.writeCalls() - writes, 0, "adopting made no write call");
  const srCount = sim.db.all("SR").length;
  assert.match(up.stdout, new RegExp(`\\+ ${1 + 1 + srCount + VM_COUNT} created`), up.stdout);
});

test("the next preview has no changes", async () => {
  const result = await pulumi.run(["preview", "--expect-no-changes"]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
});

test("an out-of-band change shows as drift after refresh", async () => {
  const [vm] = await operator.call<string[]>("VM.get_by_name_label", "app-07");
  await operator.call("VM.set_name_description", vm, "changed by hand");
  const refreshed = await pulumi.run(["refresh", "--yes", "--expect-no-changes"]);
  assert.notEqual(refreshed.code, 0, "refresh reports the change");
  assert.match(refreshed.stdout, /app-07/);
  const preview = await pulumi.run(["preview", "--diff"]);
  assert.match(preview.stdout, /~ description\s*: "changed by hand" => "Template Debian Bookworm 12"/);
  assert.match(preview.stdout, /1 to update/);
});
