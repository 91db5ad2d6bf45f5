/**
 * dom0 test hosts: a real sshd per host, a root filesystem of its own laid out like a XenServer dom0, tools for
 * plug-ins, SR mounts, root trust between hosts, and a teardown that leaves nothing behind.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import { describe, it } from "node:test";
import { dom0TestHostScript, startDom0TestHosts } from "../../../sim/dom0";
import { useDom0TestHosts } from "./helpers";

function sshdBanner(address: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, address);
    s.once("data", (b) => {
      resolve(b.toString("utf8"));
      s.destroy();
    });
    s.once("error", reject);
  });
}

describe("dom0 test hosts", () => {
  const t = useDom0TestHosts(["xs-a", "xs-b"]);

  it("each host is a real OpenSSH sshd on its own loopback address", async () => {
    const [a, b] = t.hosts;
    assert.notEqual(a.address, b.address);
    for (const h of t.hosts) {
      assert.match(h.address, /^127\.\d+\.\d+\.\d+$/);
      assert.match(await sshdBanner(h.address, h.port), /^SSH-2\.0-OpenSSH_/);
      assert.match(h.hostKeyFingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
      const printed = execFileSync("ssh-keygen", ["-lf", h.path("/etc/ssh/ssh_host_ed25519_key.pub")], { encoding: "utf8" });
      assert.equal(printed.split(" ")[1], h.hostKeyFingerprint);
      assert.match(h.clientPrivateKey, /^-----BEGIN OPENSSH PRIVATE KEY-----/);
    }
    assert.notEqual(a.hostKeyFingerprint, b.hostKeyFingerprint);
  });

  it("lays out a XenServer dom0: plug-in, script, init, boot, root and nova directories", async () => {
    const [a] = t.hosts;
    const dirs = ["/etc/xapi.d/plugins", "/var/run/sr-mount", "/boot", "/root/.ssh", "/etc/xensource/scripts", "/etc/init.d", "/etc/nova"];
    const r = await a.exec(["sh", "-c", 'for d in "$@"; do [ -d "$d" ] || { echo "missing $d"; exit 1; }; done; hostname; id -un; pwd', "sh", ...dirs]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(r.stdout.trim().split("\n"), ["xs-a", "root", "/root"]);
    // A fresh dom0: no /images, no /boot/guest, no authorized_keys yet.
    for (const p of ["/images", "/boot/guest", "/root/.ssh/authorized_keys"]) {
      assert.equal((await a.exec(["test", "-e", p])).code, 1, `${p} must not exist on a fresh host`);
    }
    for (const d of dirs) assert.ok(fs.statSync(a.path(d)).isDirectory(), `${d} is visible from outside through path()`);
  });

  it("has sh, coreutils, tar, sha256sum, ssh, ssh-keygen and python3 for plug-ins", async () => {
    const [a] = t.hosts;
    const r = await a.exec(["sh", "-c", "command -v sh tar sha256sum ssh ssh-keygen python3 stat mv ln readlink"]);
    assert.equal(r.code, 0, r.stderr);
    const py = await a.exec(["python3", "-c", "import sys, json; print(json.dumps({'v': sys.version_info[0], 'in': sys.stdin.read()}))"], "hello");
    assert.equal(py.code, 0, py.stderr);
    assert.deepEqual(JSON.parse(py.stdout), { v: 3, in: "hello" });
    // A plug-in is an executable Python script in /etc/xapi.d/plugins.
    fs.writeFileSync(a.path("/etc/xapi.d/plugins/echo"), "#!/usr/bin/env python3\nimport sys\nprint('args', sys.argv[1:])\n", { mode: 0o755 });
    const p = await a.exec(["/etc/xapi.d/plugins/echo", "x y"]);
    assert.equal(p.stdout, "args ['x y']\n");
    // /usr/local is the host's own: a module there (as XenAPIPlugin.py is on a real dom0) is importable.
    const site = (await a.exec(["python3", "-c", "import site, sys; print([p for p in sys.path if p.startswith('/usr/local/lib/python3')][0])"])).stdout.trim();
    fs.mkdirSync(a.path(site), { recursive: true });
    fs.writeFileSync(a.path(`${site}/pulumi_xen_probe.py`), "VALUE = 42\n");
    const imp = await a.exec(["python3", "-c", "import pulumi_xen_probe; print(pulumi_xen_probe.VALUE)"]);
    assert.equal(imp.stdout, "42\n", imp.stderr);
    assert.equal(fs.existsSync(`${site}/pulumi_xen_probe.py`), false, "not in this machine's /usr/local");
    const tar = await a.exec(["sh", "-c", "cd /tmp && echo hi > f && tar -czf - f | tar -tzf -"]);
    assert.equal(tar.stdout, "f\n");
  });

  it("keeps this machine's /usr read-only and its /etc, /root, /boot out of reach", async () => {
    const [a] = t.hosts;
    const w = await a.exec(["touch", "/usr/pulumi-xen-must-not-exist"]);
    assert.notEqual(w.code, 0);
    assert.match(w.stderr, /Read-only file system/);
    assert.equal(fs.existsSync("/usr/pulumi-xen-must-not-exist"), false);
    // Writing the host's /etc, /root and /boot writes the host's own files.
    const r = await a.exec(["sh", "-c", "echo mine > /etc/pulumi-xen-probe && echo mine > /root/probe && mkdir /boot/guest-probe"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fs.readFileSync(a.path("/etc/pulumi-xen-probe"), "utf8"), "mine\n");
    assert.equal(fs.existsSync("/etc/pulumi-xen-probe"), false);
    assert.equal(fs.existsSync("/boot/guest-probe"), false);
    await a.exec(["rm", "-rf", "/etc/pulumi-xen-probe", "/root/probe", "/boot/guest-probe"]);
  });

  it("creates an SR mount on request: a filesystem of its own, visible inside and through path()", async () => {
    const [a] = t.hosts;
    const sr = "3f1a8d1e-5a0e-4c3e-9d7a-0b1c2d3e4f50";
    assert.equal(await a.createSrMount(sr), `/var/run/sr-mount/${sr}`);
    assert.equal(await a.createSrMount(sr), `/var/run/sr-mount/${sr}`, "idempotent");
    fs.writeFileSync(a.path(`/var/run/sr-mount/${sr}/from-outside`), "x");
    const r = await a.exec(["sh", "-c", 'cat "$1/from-outside"; echo; stat -c %d / "$1"', "sh", `/var/run/sr-mount/${sr}`]);
    assert.equal(r.code, 0, r.stderr);
    const [content, rootDev, srDev] = r.stdout.trim().split("\n");
    assert.equal(content, "x");
    assert.notEqual(rootDev, srDev, "the SR is not on dom0's root filesystem");
    const plain = "0a0a0a0a-0000-4000-8000-000000000000";
    await a.createSrMount(plain, { separateFilesystem: false });
    const p = await a.exec(["stat", "-c", "%d", "/", `/var/run/sr-mount/${plain}`]);
    const [d1, d2] = p.stdout.trim().split("\n");
    assert.equal(d1, d2);
    await a.removeSrMount(sr);
    await a.removeSrMount(plain);
    assert.equal(fs.existsSync(a.path(`/var/run/sr-mount/${sr}`)), false);
  });

  it("lets host A ssh into host B as root once A's public key is in B's authorized_keys", async () => {
    const [a, b] = t.hosts;
    const keygen = await a.exec(["sh", "-c", "ssh-keygen -q -t ed25519 -N '' -f /root/.ssh/id_ed25519 && cat /root/.ssh/id_ed25519.pub"]);
    assert.equal(keygen.code, 0, keygen.stderr);
    const sshToB = ["ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", `root@${b.name}`, "hostname"];
    const denied = await a.exec(sshToB);
    assert.notEqual(denied.code, 0, "without the key B refuses A");
    assert.match(denied.stderr, /Permission denied/);
    const add = await b.exec(["sh", "-c", "cat >> /root/.ssh/authorized_keys && chmod 600 /root/.ssh/authorized_keys"], keygen.stdout);
    assert.equal(add.code, 0, add.stderr);
    const ok = await a.exec(sshToB);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, "xs-b\n");
    const byAddress = await a.exec(["ssh", "-o", "BatchMode=yes", `root@${b.address}`, "cat /etc/hostname"]);
    assert.equal(byAddress.stdout, "xs-b\n");
  });
});

describe("dom0 test host teardown", () => {
  it("kills sshd, undoes every mount and removes the directories, also after a failing test", async () => {
    const workDir = fs.mkdtempSync("/tmp/pulumi-xen-dom0-teardown-");
    const { hosts, stop } = await startDom0TestHosts(["xs-t"], { workDir });
    const [h] = hosts;
    await h.createSrMount("sr-teardown");
    const mountsDuring = fs.readFileSync("/proc/self/mountinfo", "utf8").split("\n").filter((l) => l.includes(workDir));
    assert.ok(mountsDuring.length >= 1);
    const pid = fs.readFileSync(`${workDir}/xs-t/state/init.pid`, "utf8").trim();
    assert.match(fs.readFileSync(`/proc/${pid}/cmdline`, "utf8"), /sshd/);
    try {
      await assert.rejects(async () => {
        throw new Error("a failing test");
      });
    } finally {
      await stop();
    }
    await stop(); // idempotent
    assert.equal(fs.existsSync(`${workDir}/xs-t`), false);
    assert.equal(fs.readFileSync("/proc/self/mountinfo", "utf8").includes(workDir), false);
    assert.equal(fs.existsSync(`/proc/${pid}`), false, "sshd is gone");
    await assert.rejects(sshdBanner(h.address, h.port));
    fs.rmdirSync(workDir);
  });
});

describe("dom0 test hosts whose starter dies", () => {
  it("stop themselves when the process that started them is killed without calling stop()", async () => {
    const module = require.resolve("../../../sim/dom0");
    const program = `require(${JSON.stringify(module)}).startDom0TestHosts(["orphan-a", "orphan-b"]).then(async ({ hosts }) => {
      await hosts[0].createSrMount("sr-orphan");
      console.log(JSON.stringify(hosts.map((h) => ({ rootDir: h.rootDir, pid: require("fs").readFileSync(h.rootDir + "/../state/init.pid", "utf8").trim() }))));
      process.kill(process.pid, "SIGKILL");
    });`;
    let out = "";
    try {
      execFileSync(process.execPath, ["-e", program], { encoding: "utf8", stdio: "pipe" });
    } catch (e) {
      out = (e as { stdout: string }).stdout;
    }
    const started = JSON.parse(out) as { rootDir: string; pid: string }[];
    assert.equal(started.length, 2);
    const workDir = started[0].rootDir.replace(/\/orphan-a\/root$/, "");
    for (let i = 0; i < 100 && fs.existsSync(workDir); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(fs.existsSync(workDir), false, "the hosts' directories and their temporary parent are gone");
    for (const h of started) assert.equal(fs.existsSync(`/proc/${h.pid}`), false, "sshd is gone");
    assert.equal(fs.readFileSync("/proc/self/mountinfo", "utf8").includes(workDir), false, "no mount left");
  });
});

describe("scripts/dom0-testhost.sh for the demo and CI", () => {
  it("creates, starts (in the background), reports, runs commands in, and stops a host", () => {
    const script = dom0TestHostScript();
    const workDir = fs.mkdtempSync("/tmp/pulumi-xen-dom0-cli-");
    const hostDir = `${workDir}/xs-cli`;
    const sh = (...args: string[]) => execFileSync("bash", [script, ...args], { encoding: "utf8", stdio: "pipe" });
    try {
      sh("create", hostDir, "xs-cli");
      const ready = sh("start", hostDir).trim().split(" ");
      assert.equal(ready[0], "ready");
      assert.equal(ready[1], "xs-cli");
      assert.match(ready[4], /^SHA256:/);
      assert.equal(sh("status", hostDir).trim(), `running ${ready.slice(1).join(" ")}`);
      assert.equal(sh("exec", hostDir, "--", "sh", "-c", "hostname; cat /etc/hostname").trim(), "xs-cli\nxs-cli");
      assert.throws(() => sh("start", hostDir), /already running/);
    } finally {
      sh("stop", hostDir);
    }
    assert.equal(fs.existsSync(hostDir), false);
    assert.equal(fs.readFileSync("/proc/self/mountinfo", "utf8").includes(workDir), false);
    fs.rmdirSync(workDir);
  });
});
