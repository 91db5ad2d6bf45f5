import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { PoolSpec } from "../../sim";
import { Lab, startLab } from "../../sim/lab";
import { linkPackage, PulumiCli } from "../../scripts/pulumi-cli";
import { listingDelta, prepareDom0ByHand, realPathsSnapshot, treeListing, trustByHand } from "../unit/dom0-resources/env";

/**
 * `pulumi-xen discover --dom0` on a lab whose dom0s an operator prepared by hand (links into the local SR, root key
 * pairs, root trust; one host left unprepared): the written program adopts every host with its dom0 as found, the
 * first `pulumi up` makes no XenAPI write and changes no file on any dom0, the next preview is empty, and a link
 * removed by hand shows as drift after refresh.
 */
const REPO = path.resolve(__dirname, "..", "..", "..");
const PASSWORD = "discover-dom0-e2e";
const OPERATOR_LINE = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOperatorOperatorOperatorOperatorOperatorOp op@desk";
let lab: Lab;
let workDir: string;
let programDir: string;
let pulumi: PulumiCli;
let realBefore: Record<string, string>;
let listings: string[];

before(async () => {
  realBefore = realPathsSnapshot();
  const spec = JSON.parse(fs.readFileSync(path.join(REPO, "sim", "pools", "demo.json"), "utf8")) as PoolSpec;
  lab = await startLab({ ...spec, users: { root: PASSWORD } });
  // As an operator left them: hosts 1 and 2 prepared (with root trust both ways, and an operator's key on host 1),
  // host 3 untouched but for a user other-config key and a tag in xapi.
  const [a, b] = lab.dom0s;
  const keyA = await prepareDom0ByHand(a, lab.localSrs[0]);
  const keyB = await prepareDom0ByHand(b, lab.localSrs[1]);
  trustByHand(a, OPERATOR_LINE);
  trustByHand(a, keyB);
  trustByHand(b, keyA);
  const h3 = lab.sim.hosts[2].ref;
  lab.sim.db.set("host", h3, "other_config", { ...(lab.sim.db.get("host", h3).other_config as object), "rack": "r4" });
  lab.sim.db.set("host", h3, "tags", ["spare"]);
  listings = await Promise.all(lab.dom0s.map(treeListing));
  workDir = path.join(REPO, ".work", "e2e", `discover-dom0-${process.pid}`);
  programDir = path.join(workDir, "program");
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(workDir, { recursive: true });
});
after(async () => {
  await lab?.stop();
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  assert.deepEqual(realPathsSnapshot(), realBefore, "this machine's own /boot, /images, /etc and /root are untouched");
});

const unchanged = async (what: string) => {
  for (const [i, d] of lab.dom0s.entries()) {
    const now = await treeListing(d);
    assert.equal(now, listings[i], `${what}: ${d.name} changed:\n${listingDelta(listings[i], now)}`);
  }
};

test("discover --dom0 reads every dom0 (read-only) and writes a Host per host, as found", async () => {
  const writes = lab.sim.counters.writeCalls();
  const dom0Args = lab.sim.hosts.flatMap((h, i) => ["--dom0", `${h.name}=${lab.dom0s[i].address}:${lab.dom0s[i].port}@${lab.dom0s[i].hostKeyFingerprint}`]);
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(REPO, "dist", "cli", "main.js"), "discover", "--out", programDir, "--project", "adopted-dom0s", ...dom0Args], {
    env: { ...process.env, XEN_URL: lab.sim.masterUrl, XEN_PASSWORD: PASSWORD, XEN_TLS_FINGERPRINT: lab.sim.tls!.fingerprint256, XEN_SSH_PRIVATE_KEY: lab.operatorKey },
  });
  assert.match(stdout, /3 hosts with their dom0s/);
  assert.equal(lab.sim.counters.writeCalls() - writes, 0);
  await unchanged("discover");
  const program = fs.readFileSync(path.join(programDir, "index.ts"), "utf8");
  assert.equal((program.match(/new xen\.Host\(/g) ?? []).length, 3);
  for (const h of lab.sim.hosts) assert.ok(program.includes(`"adopt": "${h.uuid}"`), h.name);
  const decl = (name: string) => program.slice(program.indexOf(`new xen.Host("host-${name}"`)).split("\n}, adopted);")[0];
  assert.match(decl("xcp-host-1"), /"bootGuest": true,\s*"images": true,\s*"rootKeyPair": true/);
  assert.ok(decl("xcp-host-1").includes(OPERATOR_LINE) && decl("xcp-host-1").includes("root@xcp-host-2"), "root's authorized keys, as found");
  assert.match(decl("xcp-host-3"), /"bootGuest": false,\s*"images": false,\s*"rootKeyPair": false,\s*"trustedPublicKeys": \[\]/);
  assert.match(decl("xcp-host-3"), /"rack": "r4"/);
  assert.doesNotMatch(program, /agent_start_time|iscsi_iqn/, "host keys xapi maintains itself are left out");
  const keyBody = lab.operatorKey.split("\n").filter((l) => l && !l.startsWith("-----"))[0];
  for (const file of fs.readdirSync(programDir)) {
    const text = fs.readFileSync(path.join(programDir, file), "utf8");
    assert.ok(!text.includes(PASSWORD) && !text.includes(keyBody), `${file} holds a secret`);
  }
  assert.match(fs.readFileSync(path.join(programDir, "README.md"), "utf8"), /xcp-host-3 \(\S+\), \S+: adopted with its dom0 \(\S+\): not prepared/);
});

test("the first pulumi up adopts the hosts with no XenAPI write and no dom0 file changed", async () => {
  linkPackage(programDir, REPO);
  pulumi = new PulumiCli({ programDir, workDir, configFile: path.join(workDir, "Pulumi.adopt.yaml"), passphrase: "discover-dom0" });
  await pulumi.initStack(
    "adopt",
    { "xen:url": lab.sim.masterUrl, "xen:tlsFingerprint": lab.sim.tls!.fingerprint256 },
    { "xen:password": PASSWORD, "xen:sshPrivateKey": lab.operatorKey },
  );
  const writes = lab.sim.counters.writeCalls();
  const up = await pulumi.ok(["up", "--yes", "--skip-preview"]);
  assert.equal(lab.sim.counters.writeCalls() - writes, 0, "adopting made no XenAPI write");
  await unchanged("the first up");
  assert.match(up.stdout, /host-xcp-host-1/);
});

test("the next preview has no changes, and refresh finds none", async () => {
  const preview = await pulumi.run(["preview", "--expect-no-changes"]);
  assert.equal(preview.code, 0, preview.stdout + preview.stderr);
  const refresh = await pulumi.run(["refresh", "--yes", "--expect-no-changes"]);
  assert.equal(refresh.code, 0, refresh.stdout + refresh.stderr);
  await unchanged("preview and refresh");
});

test("a link removed by hand shows as drift after refresh", async () => {
  const images = lab.dom0s[1].path("/images");
  const target = fs.readlinkSync(images);
  fs.rmSync(images);
  try {
    const refreshed = await pulumi.run(["refresh", "--yes", "--expect-no-changes"]);
    assert.notEqual(refreshed.code, 0, "refresh reports the change");
    assert.match(refreshed.stdout, /host-xcp-host-2/);
    const preview = await pulumi.run(["preview", "--diff"]);
    assert.match(preview.stdout, /~ images\s*: false => true/);
    assert.match(preview.stdout, /1 to update/);
  } finally {
    fs.symlinkSync(target, images);
  }
});
