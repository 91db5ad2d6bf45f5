/** `pulumi-xen sim` as users run it in their CI: a child process, its printed line, its state dir. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, ChildProcessWithoutNullStreams } from "child_process";
import { mkdtempSync, existsSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import * as tls from "tls";
import { Client, Session } from "./client";

const root = path.resolve(__dirname, "..", "..", "..", "..");
const main = path.join(root, "dist", "cli", "main.js");

interface Started { child: ChildProcessWithoutNullStreams; info: any; stderr: () => string }

/** Starts `pulumi-xen sim ARGS` and resolves with the JSON line it prints. */
async function startSim(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, [main, "sim", ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let err = "";
  child.stderr.on("data", (d: Buffer) => { err += d.toString(); });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = "";
    child.stdout.on("data", (d: Buffer) => { buf += d.toString(); const i = buf.indexOf("\n"); if (i >= 0) resolve(buf.slice(0, i)); });
    child.on("exit", (code) => reject(new Error(`exited early (${code}): ${err}`)));
  });
  return { child, info: JSON.parse(line), stderr: () => err };
}

function stop(child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => { child.on("exit", (code) => resolve(code)); child.kill(signal); });
}

/** SHA-256 fingerprint of the certificate a TLS server presents (what a client pins). */
function servedFingerprint(url: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = tls.connect({ host: u.hostname, port: Number(u.port), rejectUnauthorized: false }, () => {
      resolve(sock.getPeerCertificate().fingerprint256);
      sock.end();
    });
    sock.on("error", reject);
  });
}

async function login(info: any): Promise<Session> {
  const c = new Client(info.masterUrl, info.certificatePem ?? undefined);
  return new Session(c, await c.call("session.login_with_password", info.username, info.password, "1.0", "cli-test"));
}

test("pulumi-xen sim --spec FILE: prints one JSON line, writes sim.json while running, stops on SIGTERM", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "sim-cli-"));
  const { child, info } = await startSim(["--spec", path.join(root, "sim", "pools", "demo.json"), "--state-dir", dir]);
  try {
    assert.match(info.masterUrl, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(info.hosts.length, 3);
    assert.match(info.certificatePem, /BEGIN CERTIFICATE/);
    assert.deepEqual(JSON.parse(readFileSync(path.join(dir, "sim.json"), "utf8")), info);
    const s = await login(info);
    const srs = await s.call("SR.get_all_records");
    const local = Object.values<any>(srs).filter((r) => r.name_label === "Local storage");
    assert.equal(local.length, 3);
    assert.ok(local.every((r) => r.other_config["i18n-key"] === "local-storage" && r.type === "ext"));
    const tpl = await s.call("VM.get_by_name_label", "Debian Bookworm 12");
    assert.equal(await s.call("VM.get_PV_bootloader", tpl[0]), "pygrub");
    assert.equal(await stop(child), 0);
    assert.equal(existsSync(path.join(dir, "sim.json")), false);
  } finally {
    await stop(child, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});

test("pulumi-xen sim with no options: the demo pool; the printed URL, credentials and fingerprint log in", async () => {
  const { child, info } = await startSim([]);
  try {
    assert.equal(info.spec, "demo");
    assert.deepEqual(info.hosts.map((h: any) => h.name), ["xcp-host-1", "xcp-host-2", "xcp-host-3"]);
    assert.equal(info.masterUrl, info.hosts[0].url);
    assert.equal(info.username, "root");
    assert.equal(info.password, "xenroot");
    assert.match(info.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    for (const h of info.hosts) assert.equal(await servedFingerprint(h.url), info.fingerprint256, `${h.name} serves the printed certificate`);
    const s = await login(info);
    const [pool] = await s.call("pool.get_all");
    assert.equal(await s.call("pool.get_name_label", pool), "demo-pool");
    const c = new Client(info.masterUrl, info.certificatePem);
    assert.deepEqual((await c.fails("session.login_with_password", "root", "wrong", "1.0", "")).slice(0, 1), ["SESSION_AUTHENTICATION_FAILED"]);
  } finally {
    await stop(child);
  }
});

test("--spec xcp-ng-8.3 --password: the built-in 8.3 pool with root's password set", async () => {
  const { child, info } = await startSim(["--spec", "xcp-ng-8.3", "--password", "s3cret", "--no-tls"]);
  try {
    assert.equal(info.password, "s3cret");
    assert.equal(info.fingerprint256, null);
    const s = await login(info);
    assert.equal((await s.call("VM.get_by_name_label", "Windows Server 2022 (64-bit)")).length, 1);
  } finally {
    await stop(child);
  }
});

test("--state-dir: a restart keeps the fingerprint, the ports and the objects, also after kill -9", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "sim-state-"));
  try {
    const first = await startSim(["--state-dir", dir]);
    let s = await login(first.info);
    const tpl = (await s.call("VM.get_by_name_label", "Debian Bookworm 12"))[0];
    const vmUuid = await s.call("VM.get_uuid", await s.call("VM.clone", tpl, "kept-across-restarts"));
    const net = await s.call("network.create", { name_label: "made-before-restart", name_description: "", MTU: "1500", other_config: {}, tags: [] });
    const netUuid = await s.call("network.get_uuid", net);
    assert.equal(await stop(first.child), 0);

    const second = await startSim(["--state-dir", dir]);
    assert.equal(second.info.fingerprint256, first.info.fingerprint256);
    assert.deepEqual(second.info.hosts, first.info.hosts, "same URLs (ports) and host uuids");
    s = await login(second.info);
    const vm = await s.call("VM.get_by_uuid", vmUuid);
    assert.equal(await s.call("VM.get_name_label", vm), "kept-across-restarts");
    assert.equal(await s.call("network.get_by_uuid", netUuid), net, "same ref too");
    assert.equal((await s.call("VM.get_by_name_label", "Debian Bookworm 12")).length, 1, "the spec was not seeded twice");
    // A change, then kill -9 after the save delay: the saved file is whole and has the change.
    await s.call("VM.set_name_label", vm, "renamed-then-killed");
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(await stop(second.child, "SIGKILL"), null);
    JSON.parse(readFileSync(path.join(dir, "state.json"), "utf8"));

    const third = await startSim(["--state-dir", dir]);
    try {
      assert.equal(third.info.masterUrl, first.info.masterUrl);
      s = await login(third.info);
      assert.equal(await s.call("VM.get_name_label", await s.call("VM.get_by_uuid", vmUuid)), "renamed-then-killed");
      // The same dir with another spec is refused rather than silently ignored.
      const clash = spawnSync(process.execPath, [main, "sim", "--state-dir", dir, "--spec", "xcp-ng-8.3"], { encoding: "utf8", timeout: 30_000 });
      assert.equal(clash.status, 1);
      assert.match(clash.stderr, /holds a pool made from another spec/);
    } finally {
      await stop(third.child);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an invalid spec fails, naming the field and the reason", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "sim-spec-"));
  try {
    const bad = path.join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ hosts: [{ name: "h1" }], srs: [{ name: "s", type: "zfs" }], templates: [{ name: "t", memory: "1GiB" }] }));
    const r = spawnSync(process.execPath, [main, "sim", "--spec", bad], { encoding: "utf8", timeout: 30_000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /srs\[0\]\.type: must be one of "ext", "lvm"/);
    assert.match(r.stderr, /templates\[0\]\.memory: must be integer/);
    writeFileSync(bad, JSON.stringify({ hosts: [{ name: "h1", adress: "10.0.0.1" }] }));
    assert.match(spawnSync(process.execPath, [main, "sim", "--spec", bad], { encoding: "utf8", timeout: 30_000 }).stderr, /hosts\[0\]\.adress: is not a known field/);
    assert.match(spawnSync(process.execPath, [main, "sim", "--spec", "no-such-pool"], { encoding: "utf8", timeout: 30_000 }).stderr, /not a built-in spec \(demo, xcp-ng-8\.3\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--task-seconds: an async task's progress rises between 0 and 1 before it succeeds", async () => {
  const { child, info } = await startSim(["--task-seconds", "1.5", "--no-tls"]);
  try {
    const s = await login(info);
    const tpl = (await s.call("VM.get_by_name_label", "Debian Bookworm 12"))[0];
    const started = Date.now();
    const task = await s.call("Async.VM.clone", tpl, "slow-clone");
    const seen: number[] = [];
    let status = "pending";
    while (status === "pending") {
      await new Promise((r) => setTimeout(r, 50));
      const rec = await s.call("task.get_record", task);
      status = rec.status;
      if (status === "pending") seen.push(Number(rec.progress));
    }
    assert.equal(status, "success");
    assert.ok(Date.now() - started >= 1400, "the task took about 1.5 s");
    const between = seen.filter((p) => p > 0 && p < 1);
    assert.ok(between.length >= 3, `progress seen between 0 and 1: ${seen.join(", ")}`);
    assert.deepEqual([...seen].sort((a, b) => a - b), seen, "progress never goes back");
    assert.equal(Number(await s.call("task.get_progress", task)), 1);
  } finally {
    await stop(child);
  }
});

test("pulumi-xen sim --help and --version exit 0 with useful text", () => {
  const help = spawnSync(process.execPath, [main, "sim", "--help"], { encoding: "utf8" });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--state-dir DIR/);
  assert.match(help.stdout, /--task-seconds N/);
  assert.match(help.stdout, /built-in spec \(demo, xcp-ng-8\.3; default demo\)/);
  const version = spawnSync(process.execPath, [main, "sim", "--version"], { encoding: "utf8" });
  assert.equal(version.status, 0);
  assert.equal(version.stdout.trim(), `pulumi-xen ${JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).version}`);
});
