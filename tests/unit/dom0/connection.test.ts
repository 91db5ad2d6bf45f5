/**
 * Connecting to a dom0: the pinned host key is the only one accepted, the error names the host and both
 * fingerprints, the private key never shows in an error, and `withDom0` always closes the connection.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  connectDom0,
  Dom0Error,
  Dom0HostKeyMismatchError,
  normalizeFingerprint,
  sshFingerprintOfPublicKey,
  withDom0,
} from "../../../provider/dom0";
import { connectionOf, useDom0TestHosts } from "./helpers";

describe("dom0 connection with a pinned host key", () => {
  const t = useDom0TestHosts(["pin-a", "pin-b"]);

  it("connects when the server's key has the pinned fingerprint, and runs as root", async () => {
    const [a] = t.hosts;
    const out = await withDom0(connectionOf(a), async (s) => (await s.runChecked(["id", "-un"])).stdout);
    assert.equal(out, "root\n");
  });

  it("refuses a server whose host key is not the pinned one, naming the host and both fingerprints", async () => {
    const [a, b] = t.hosts;
    // a's address, but b's fingerprint pinned: what a man in the middle (or a re-installed host) looks like.
    const conn = { ...connectionOf(a), hostKeyFingerprint: b.hostKeyFingerprint };
    let ran = false;
    const err = await withDom0(conn, async () => {
      ran = true;
    }).then(
      () => assert.fail("connected despite a wrong host key"),
      (e: unknown) => e,
    );
    assert.equal(ran, false);
    assert.ok(err instanceof Dom0HostKeyMismatchError, String(err));
    assert.equal(err.code, "HOST_KEY_MISMATCH");
    assert.equal(err.expected, b.hostKeyFingerprint);
    assert.equal(err.actual, a.hostKeyFingerprint);
    assert.ok(err.message.includes(`${a.address}:${a.port}`), err.message);
    assert.ok(err.message.includes(a.hostKeyFingerprint), err.message);
    assert.ok(err.message.includes(b.hostKeyFingerprint), err.message);
  });

  it("accepts the fingerprint with or without base64 padding, and refuses to connect with no pin at all", async () => {
    const [a] = t.hosts;
    assert.equal(normalizeFingerprint(a.hostKeyFingerprint + "=", "x"), a.hostKeyFingerprint);
    await assert.rejects(connectDom0({ ...connectionOf(a), hostKeyFingerprint: "" }), (e: unknown) => {
      assert.ok(e instanceof Dom0Error && e.code === "BAD_ARGUMENT");
      assert.match(e.message, /pinned host key fingerprint/);
      return true;
    });
    await assert.rejects(connectDom0({ ...connectionOf(a), hostKeyFingerprint: "MD5:aa:bb" }), /SHA256:/);
  });

  it("fails authentication clearly with a key the host does not know, without echoing the key", async () => {
    const [a, b] = t.hosts;
    const conn = { ...connectionOf(a), privateKey: b.clientPrivateKey };
    await assert.rejects(connectDom0(conn), (e: unknown) => {
      assert.ok(e instanceof Dom0Error);
      assert.equal(e.code, "AUTH_FAILED");
      assert.ok(e.message.includes(`root@${a.address}:${a.port}`), e.message);
      assert.ok(!e.message.includes("PRIVATE KEY"), "no key material in the message");
      assert.ok(!JSON.stringify(e).includes(b.clientPrivateKey.split("\n")[1]), "no key material in the error object");
      return true;
    });
  });

  it("reports an unusable private key without its contents", async () => {
    const [a] = t.hosts;
    const garbage = "-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END OPENSSH PRIVATE KEY-----\n";
    await assert.rejects(connectDom0({ ...connectionOf(a), privateKey: garbage }), (e: unknown) => {
      assert.ok(e instanceof Dom0Error && e.code === "BAD_ARGUMENT", String(e));
      assert.ok(!e.message.includes("c2VjcmV0"), e.message);
      return true;
    });
  });

  it("reports an unreachable dom0 as CONNECT_FAILED", async () => {
    const [a] = t.hosts;
    await assert.rejects(connectDom0({ ...connectionOf(a), port: 1 }), (e: unknown) => {
      assert.ok(e instanceof Dom0Error && e.code === "CONNECT_FAILED", String(e));
      assert.ok(e.message.includes(`${a.address}:1`));
      return true;
    });
  });

  it("withDom0 closes the connection when the callback throws", async () => {
    const [a] = t.hosts;
    let session: import("../../../provider/dom0").Dom0Session | undefined;
    await assert.rejects(
      withDom0(connectionOf(a), async (s) => {
        session = s;
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.ok(session);
    await assert.rejects(session.run(["true"]), (e: unknown) => e instanceof Dom0Error && e.code === "CONNECT_FAILED");
    // sshd has no session left for that connection: only the listener remains.
    const ps = await a.exec(["sh", "-c", "sleep 0.3; ps -eo args | grep '^sshd:' | grep -v listener || true"]);
    assert.equal(ps.stdout.trim(), "");
  });

  it("computes OpenSSH fingerprints of public key lines", () => {
    const [a] = t.hosts;
    const fs = require("node:fs") as typeof import("node:fs");
    assert.equal(sshFingerprintOfPublicKey(fs.readFileSync(a.path("/etc/ssh/ssh_host_ed25519_key.pub"), "utf8")), a.hostKeyFingerprint);
  });
});
