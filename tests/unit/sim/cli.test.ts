import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "child_process";
import { mkdtempSync, existsSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { Client } from "./client";

const root = path.resolve(__dirname, "..", "..", "..", "..");

test("pulumi-xen sim: starts the demo pool, prints one JSON line, writes sim.json, stops on SIGTERM", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "sim-cli-"));
  const child = spawn(process.execPath, [path.join(root, "dist", "cli", "main.js"), "sim", "--spec", path.join(root, "sim", "pools", "demo.json"), "--state-dir", dir],
    { stdio: ["ignore", "pipe", "pipe"] });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let buf = "";
      child.stdout.on("data", (d: Buffer) => { buf += d.toString(); const i = buf.indexOf("\n"); if (i >= 0) resolve(buf.slice(0, i)); });
      child.on("exit", (code) => reject(new Error("exited early: " + code)));
    });
    const info = JSON.parse(line);
    assert.match(info.masterUrl, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(info.hosts.length, 3);
    assert.match(info.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.match(info.certificatePem, /BEGIN CERTIFICATE/);
    assert.deepEqual(JSON.parse(readFileSync(path.join(dir, "sim.json"), "utf8")), info);
    const c = new Client(info.masterUrl, info.certificatePem);
    const s = await c.call("session.login_with_password", "root", "xenroot", "1.0", "cli-test");
    const srs = await c.call("SR.get_all_records", s);
    const local = Object.values<any>(srs).filter((r) => r.name_label === "Local storage");
    assert.equal(local.length, 3);
    assert.ok(local.every((r) => r.other_config["i18n-key"] === "local-storage" && r.type === "ext"));
    const tpl = await c.call("VM.get_by_name_label", s, "Debian Bookworm 12");
    assert.equal(await c.call("VM.get_PV_bootloader", s, tpl[0]), "pygrub");
    const code = await new Promise<number | null>((resolve) => { child.on("exit", (c2) => resolve(c2)); child.kill("SIGTERM"); });
    assert.equal(code, 0);
    assert.equal(existsSync(path.join(dir, "sim.json")), false);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});
