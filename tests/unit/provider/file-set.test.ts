/**
 * File sets read from the operator's machine (Plugins' `source`, FirewallDriver's `vifRules`) take regular files
 * only: a symlink (to a file outside, or to a sibling), a FIFO, a socket are refused at check, naming the file and
 * why, and a file swapped for a link after check is refused at apply before anything is contacted or written.
 * Pure: temporary directories only, no simulator, no sshd.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { Checker } from "../../../provider/resources/check";
import { hashLocalDirectory, readLocal, sha256 } from "../../../provider/resources/file-set";
import * as plugins from "../../../provider/resources/plugins";
import * as firewall from "../../../provider/resources/firewall-driver";

const fp = "SHA256:" + "A".repeat(43);
// TEST-NET-1: never answers. A refusal must come before any attempt to reach it.
const nowhere = { address: "192.0.2.1", port: 22, hostKeyFingerprint: fp };

describe("file sets refuse anything but regular files", () => {
  let root: string;
  let dir: string;
  let outside: string;
  let server: net.Server;

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-xen-fileset-"));
    dir = path.join(root, "plugins");
    fs.mkdirSync(dir);
    outside = path.join(root, "shadow");
    fs.writeFileSync(outside, "root:$6$secret:19000:0:99999:7:::\n", { mode: 0o600 });
    fs.writeFileSync(path.join(dir, "nova_plugin_version"), "#!/usr/bin/python2.7\nprint(1)\n", { mode: 0o755 });
    fs.symlinkSync(outside, path.join(dir, "evil"));
    fs.symlinkSync("nova_plugin_version", path.join(dir, "alias"));
    execFileSync("mkfifo", [path.join(dir, "pipe")]);
    server = net.createServer().listen(path.join(dir, "sock"));
    await new Promise((r) => server.once("listening", r));
  });
  after(() => {
    server?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("check fails naming each link, FIFO and socket with the reason, and never reads through them", () => {
    const { failures, inputs } = plugins.checkInputs({}, { source: dir, hosts: [{ ssh: nowhere }] });
    const reasons = failures.filter((f) => f.property === "source").map((f) => f.reason);
    const about = (name: string) => reasons.filter((r) => r.includes(path.join(dir, name)));
    assert.equal(about("evil").length, 1, reasons.join("\n"));
    assert.match(about("evil")[0], new RegExp(`is a symbolic link \\(to ${outside}\\): refused, links are never followed`));
    assert.match(about("alias")[0], /is a symbolic link \(to nova_plugin_version\): refused/);
    assert.match(about("pipe")[0], /is a FIFO \(named pipe\): refused/);
    assert.match(about("sock")[0], /is a socket: refused/);
    assert.equal(reasons.length, 4);
    assert.deepEqual(Object.keys(inputs.files), ["nova_plugin_version"], "the regular file is still hashed; nothing else");
    assert.ok(!reasons.some((r) => r.includes("secret")), "the linked file's content is never read into a message");
  });

  it("FirewallDriver's vifRules (the same module) refuses them too", () => {
    const { failures } = firewall.check({}, { ssh: nowhere, driver: "nova.virt.firewall.IptablesFirewallDriver", vifRules: dir });
    const reasons = failures.filter((f) => f.property === "vifRules").map((f) => f.reason);
    assert.ok(reasons.some((r) => r.includes(`${path.join(dir, "evil")} is a symbolic link (to ${outside})`)), reasons.join("\n"));
    assert.ok(reasons.some((r) => r.includes(`${path.join(dir, "pipe")} is a FIFO`)), reasons.join("\n"));
  });

  it("a file swapped for a link after check is refused at apply, before any host is contacted", async () => {
    const clean = fs.mkdtempSync(path.join(root, "clean-"));
    fs.writeFileSync(path.join(clean, "nova_plugin_version"), "v1\n");
    fs.writeFileSync(path.join(clean, "xenhost"), "x\n");
    const checked = plugins.checkInputs({}, { source: clean, hosts: [{ ssh: nowhere }] });
    assert.deepEqual(checked.failures, []);
    const fwChecked = firewall.check({}, { ssh: nowhere, driver: "nova.virt.firewall.IptablesFirewallDriver", dom0s: [nowhere], vifRules: clean });
    assert.deepEqual(fwChecked.failures, []);
    fs.rmSync(path.join(clean, "xenhost"));
    fs.symlinkSync(outside, path.join(clean, "xenhost"));
    const started = Date.now();
    await assert.rejects(plugins.create(checked.inputs), new RegExp(`${path.join(clean, "xenhost")} is a symbolic link: refused`));
    await assert.rejects(firewall.create(fwChecked.inputs), new RegExp(`${path.join(clean, "xenhost")} is a symbolic link: refused`));
    assert.ok(Date.now() - started < 2000, "refused at once, without trying to reach 192.0.2.1");
    assert.throws(() => readLocal(clean, "xenhost", checked.inputs.files.xenhost), /is a symbolic link: refused/);
    // A FIFO in its place: refused without blocking on it.
    fs.rmSync(path.join(clean, "xenhost"));
    execFileSync("mkfifo", [path.join(clean, "xenhost")]);
    assert.throws(() => readLocal(clean, "xenhost", checked.inputs.files.xenhost), /is not a regular file \(is a FIFO/);
  });

  it("a regular file reads as checked; a changed one is refused", () => {
    const c = new Checker();
    const clean = fs.mkdtempSync(path.join(root, "ok-"));
    fs.writeFileSync(path.join(clean, "a"), "one\n");
    const files = hashLocalDirectory(c, clean, "source");
    assert.deepEqual(c.failures, []);
    assert.deepEqual(files, { a: sha256("one\n") });
    assert.equal(readLocal(clean, "a", files.a).toString(), "one\n");
    fs.writeFileSync(path.join(clean, "a"), "two\n");
    assert.throws(() => readLocal(clean, "a", files.a), /changed while Pulumi was running/);
  });
});
