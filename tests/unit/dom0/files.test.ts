/**
 * Files on a dom0: atomic writes with a mode and a hash, reads, removal, mkdir -p, and what an interrupted write
 * leaves (nothing at the target, no temp file once the write is retried).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, it } from "node:test";
import type { ClientChannel } from "ssh2";
import {
  connectDom0,
  Dom0Error,
  fileSha256,
  mkdirp,
  pathExists,
  readFile,
  readTextFile,
  removeFile,
  sha256Hex,
  shellCommand,
  TEMP_INFIX,
  withDom0,
  writeFileAtomic,
  writeFileAtomicArgv,
} from "../../../provider/dom0";
import { connectionOf, useDom0TestHosts } from "./helpers";

const PLUGINS = "/etc/xapi.d/plugins";

describe("dom0 files", () => {
  const t = useDom0TestHosts(["files-a"]);
  const leftovers = (dir: string) => fs.readdirSync(t.hosts[0].path(dir)).filter((f) => f.includes(TEMP_INFIX));

  it("writes a plug-in atomically with its mode, and reads back its sha256", async () => {
    const [a] = t.hosts;
    const body = "#!/usr/bin/env python3\nprint('version 1.2')\n";
    await withDom0(connectionOf(a), async (s) => {
      const w = await writeFileAtomic(s, `${PLUGINS}/xenhost`, body, { mode: 0o755 });
      assert.deepEqual(w, { sha256: sha256Hex(body), changed: true });
      assert.equal(await fileSha256(s, `${PLUGINS}/xenhost`), sha256Hex(body));
      assert.equal(await readTextFile(s, `${PLUGINS}/xenhost`), body);
      const run = await s.runChecked([`${PLUGINS}/xenhost`]);
      assert.equal(run.stdout, "version 1.2\n");
    });
    const st = fs.statSync(a.path(`${PLUGINS}/xenhost`));
    assert.equal(st.mode & 0o7777, 0o755);
    assert.equal(st.uid, 0);
    assert.deepEqual(leftovers(PLUGINS), []);
  });

  it("leaves an unchanged file untouched, and rewrites it for a new mode or content", async () => {
    const [a] = t.hosts;
    await withDom0(connectionOf(a), async (s) => {
      const p = "/etc/nova/nova.conf";
      await writeFileAtomic(s, p, "[DEFAULT]\n", { mode: 0o640 });
      const ino = fs.statSync(a.path(p)).ino;
      assert.equal((await writeFileAtomic(s, p, "[DEFAULT]\n", { mode: 0o640 })).changed, false);
      assert.equal(fs.statSync(a.path(p)).ino, ino, "same file: not rewritten");
      assert.equal((await writeFileAtomic(s, p, "[DEFAULT]\n", { mode: 0o600 })).changed, true);
      assert.equal(fs.statSync(a.path(p)).mode & 0o777, 0o600);
      assert.equal((await writeFileAtomic(s, p, "[DEFAULT]\nx = 1\n", { mode: 0o600 })).changed, true);
      assert.equal(fs.readFileSync(a.path(p), "utf8"), "[DEFAULT]\nx = 1\n");
    });
  });

  it("writes binary content and hostile file names exactly", async () => {
    const [a] = t.hosts;
    const bytes = Buffer.from(Array.from({ length: 70000 }, (_, i) => (i * 7) % 256));
    const name = "/tmp/it's $(touch pwned) ; `x` \n.bin";
    await withDom0(connectionOf(a), async (s) => {
      await writeFileAtomic(s, name, bytes, { mode: 0o600 });
      assert.deepEqual(await readFile(s, name), bytes);
      assert.equal(await fileSha256(s, name), sha256Hex(bytes));
    });
    assert.deepEqual(fs.readFileSync(a.path(name)), bytes);
    assert.equal(fs.existsSync(a.path("/root/pwned")), false);
  });

  it("reads undefined for a missing file, refuses a directory, removes files and makes directories", async () => {
    const [a] = t.hosts;
    await withDom0(connectionOf(a), async (s) => {
      assert.equal(await readFile(s, "/etc/does-not-exist"), undefined);
      assert.equal(await fileSha256(s, "/etc/does-not-exist"), undefined);
      await assert.rejects(readFile(s, "/etc"), (e: unknown) => e instanceof Dom0Error && e.code === "PATH_CONFLICT");
      await assert.rejects(writeFileAtomic(s, "/etc/xapi.d", "x"), (e: unknown) => e instanceof Dom0Error && e.code === "PATH_CONFLICT");
      await assert.rejects(writeFileAtomic(s, "/no/such/dir/f", "x"), /directory \/no\/such\/dir does not exist/);
      await assert.rejects(writeFileAtomic(s, "relative", "x"), /absolute/);
      await assert.rejects(writeFileAtomic(s, "/tmp/f", "x", { mode: 0o10000 }), /bad file mode/);
      await mkdirp(s, "/var/lib/pulumi xen/a/b", 0o700);
      assert.equal(fs.statSync(a.path("/var/lib/pulumi xen/a/b")).mode & 0o777, 0o700);
      await writeFileAtomic(s, "/var/lib/pulumi xen/a/b/f", "x");
      assert.equal(await pathExists(s, "/var/lib/pulumi xen/a/b/f"), true);
      assert.equal(await removeFile(s, "/var/lib/pulumi xen/a/b/f"), true);
      assert.equal(await removeFile(s, "/var/lib/pulumi xen/a/b/f"), false);
      assert.equal(await pathExists(s, "/var/lib/pulumi xen/a/b/f"), false);
      await assert.rejects(removeFile(s, "/var/lib/pulumi xen/a/b"), /is a directory/);
    });
  });

  it("leaves no half-written file when the connection drops mid-write, and no temp file after the retry", async () => {
    const [a] = t.hosts;
    const target = `${PLUGINS}/migration`;
    const full = Buffer.alloc(4 * 1024 * 1024, "a");
    // Start a write, send half the content, then drop the connection.
    const s = await connectDom0(connectionOf(a));
    const channel = await new Promise<ClientChannel>((resolve, reject) =>
      s.client.exec(shellCommand(writeFileAtomicArgv(target, 0o755, sha256Hex(full))), (err, ch) => (err ? reject(err) : resolve(ch))),
    );
    channel.on("error", () => undefined);
    channel.on("data", () => undefined);
    channel.stderr.on("data", () => undefined);
    await new Promise<void>((resolve) => channel.write(full.subarray(0, full.length / 2), () => resolve()));
    // The remote side has started writing its temp file.
    for (let i = 0; i < 100 && leftovers(PLUGINS).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(leftovers(PLUGINS).length, 1, "the write goes to a temp file in the same directory");
    s.client.destroy();
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(fs.existsSync(a.path(target)), false, "nothing at the target");
    assert.deepEqual(leftovers(PLUGINS), [], "the interrupted writer removed its temp file");

    // A writer killed harder (kill -9, power loss) leaves its temp file; the next write of that target removes it.
    fs.writeFileSync(a.path(`${PLUGINS}/.migration${TEMP_INFIX}12345`), "half");
    await withDom0(connectionOf(a), async (s2) => {
      const w = await writeFileAtomic(s2, target, full, { mode: 0o755 });
      assert.equal(w.sha256, sha256Hex(full));
    });
    assert.deepEqual(leftovers(PLUGINS), []);
    assert.equal(fs.statSync(a.path(target)).size, full.length);
  });

  it("refuses to install content that did not arrive whole (INTEGRITY), keeping the previous file", async () => {
    const [a] = t.hosts;
    const target = "/etc/xensource/scripts/vif";
    await withDom0(connectionOf(a), async (s) => {
      await writeFileAtomic(s, target, "old\n", { mode: 0o755 });
      // Claim one hash, send other bytes: what a truncated transfer looks like to the dom0.
      const r = await s.run(writeFileAtomicArgv(target, 0o755, sha256Hex("new\n")), { stdin: "ne" });
      assert.equal(r.code, 7);
      assert.match(r.stderr, /nothing written/);
      assert.equal(await readTextFile(s, target), "old\n");
    });
    assert.deepEqual(leftovers("/etc/xensource/scripts"), []);
  });
});
