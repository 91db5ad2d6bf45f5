/**
 * Shared set-up for the dom0 tests: real sshd test hosts, the provider's connection to each, and a guard that this
 * machine's own /boot/guest, /images, /etc and /root are as they were.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { after, before } from "node:test";
import type { Dom0Connection } from "../../../provider/dom0";
import { Dom0TestHost, startDom0TestHosts } from "../../../sim/dom0";

/** The provider's view of a test host: address, port, the authorized key, the pinned host key. */
export function connectionOf(host: Dom0TestHost): Dom0Connection {
  const c: Dom0Connection = {
    host: host.address,
    port: host.port,
    username: "root",
    privateKey: host.clientPrivateKey,
    hostKeyFingerprint: host.hostKeyFingerprint,
  };
  assert.deepEqual(host.connection, c);
  return c;
}

/** Paths of this machine that the tests must never create or change. */
const REAL_PATHS = ["/boot/guest", "/images", "/etc/hosts", "/etc/ssh/ssh_known_hosts", "/etc/ssh/sshd_config", "/root/.ssh/authorized_keys", "/root/.ssh/id_rsa"];

function snapshot(): Record<string, string> {
  const s: Record<string, string> = {};
  for (const p of REAL_PATHS) {
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(p);
    } catch {
      s[p] = "absent";
      continue;
    }
    s[p] = st.isFile() ? createHash("sha256").update(fs.readFileSync(p)).digest("hex") : `${st.mode}`;
  }
  return s;
}

/**
 * Starts test hosts before the file's tests and stops them after (also when a test failed), checking that this
 * machine's real /boot/guest and /images do not exist and that its /etc and /root files are untouched.
 */
export function useDom0TestHosts(names: string[]): { hosts: Dom0TestHost[]; workDir(): string } {
  const hosts: Dom0TestHost[] = [];
  let stop: (() => Promise<void>) | undefined;
  let before_: Record<string, string> = {};
  before(async () => {
    assert.equal(fs.existsSync("/boot/guest"), false, "this machine's /boot/guest must not exist before the tests");
    assert.equal(fs.existsSync("/images"), false, "this machine's /images must not exist before the tests");
    before_ = snapshot();
    const started = await startDom0TestHosts(names);
    hosts.push(...started.hosts);
    stop = started.stop;
  });
  after(async () => {
    await stop?.();
    assert.equal(fs.existsSync("/boot/guest"), false, "this machine's /boot/guest must not exist after the tests");
    assert.equal(fs.existsSync("/images"), false, "this machine's /images must not exist after the tests");
    assert.deepEqual(snapshot(), before_, "this machine's /etc and /root files must be as they were");
  });
  return { hosts, workDir: () => hosts[0].rootDir.replace(/\/[^/]+\/root$/, "") };
}
