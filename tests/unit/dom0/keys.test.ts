/**
 * The guide's root trust between dom0s: each host gets a root key pair, every other host's authorized_keys gets
 * its public key, and then A logs in to B and C as root over real SSH (run inside A).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, it } from "node:test";
import {
  addAuthorizedKey,
  CREATED_MARKER,
  ensureKeyPair,
  listAuthorizedKeys,
  publicKeyId,
  removeAuthorizedKey,
  withDom0,
} from "../../../provider/dom0";
import { connectionOf, useDom0TestHosts } from "./helpers";

describe("root trust between dom0s", () => {
  const t = useDom0TestHosts(["trust-a", "trust-b", "trust-c"]);
  const publicKeys: string[] = [];

  it("generates a root key pair on each dom0 once (the private key never leaves it)", async () => {
    for (const h of t.hosts) {
      await withDom0(connectionOf(h), async (s) => {
        const k = await ensureKeyPair(s, { comment: `root@${h.name}` });
        assert.equal(k.created, true);
        assert.match(k.publicKey, /^ssh-rsa AAAA\S+ root@/);
        const again = await ensureKeyPair(s);
        assert.deepEqual(again, { ...k, created: false });
        publicKeys.push(k.publicKey);
      });
      assert.equal(fs.statSync(h.path("/root/.ssh/id_rsa")).mode & 0o777, 0o600);
    }
  });

  it("adds each host's key to the others' authorized_keys, idempotently, keeping other lines", async () => {
    const [, b] = t.hosts;
    fs.writeFileSync(b.path("/root/.ssh/authorized_keys"), "# operator's key\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOperatorOperatorOperatorOperatorOperatorOp op@desk\n", { mode: 0o600 });
    for (const [i, h] of t.hosts.entries()) {
      await withDom0(connectionOf(h), async (s) => {
        for (const [j, key] of publicKeys.entries()) {
          if (i !== j) assert.equal(await addAuthorizedKey(s, key), true);
        }
        for (const [j, key] of publicKeys.entries()) {
          if (i !== j) assert.equal(await addAuthorizedKey(s, key), false, "already there");
        }
      });
    }
    const text = fs.readFileSync(b.path("/root/.ssh/authorized_keys"), "utf8");
    assert.ok(text.startsWith("# operator's key\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOperator"));
    assert.equal(fs.statSync(b.path("/root/.ssh/authorized_keys")).mode & 0o777, 0o600);
  });

  it("then A logs in to B and C as root over real SSH, and B to A", async () => {
    const [a, b, c] = t.hosts;
    for (const [from, to] of [[a, b], [a, c], [b, a], [c, b]] as const) {
      const r = await from.exec(["ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", `root@${to.name}`, "hostname"]);
      assert.equal(r.code, 0, `${from.name} -> ${to.name}: ${r.stderr}`);
      assert.equal(r.stdout, `${to.name}\n`);
    }
  });

  it("removes exactly the keys it added, leaving the operator's line", async () => {
    const [a, b] = t.hosts;
    await withDom0(connectionOf(b), async (s) => {
      assert.equal(await removeAuthorizedKey(s, publicKeys[0]), true);
      assert.equal(await removeAuthorizedKey(s, publicKeys[0]), false);
      assert.deepEqual(await listAuthorizedKeys(s), [
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOperatorOperatorOperatorOperatorOperatorOp",
        publicKeyId(publicKeys[2]),
      ]);
    });
    const r = await a.exec(["ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", `root@${b.name}`, "hostname"]);
    assert.notEqual(r.code, 0, "A no longer logs in to B");
  });

  it("a file it created starts with the marker, is 0600, and goes with its last key (removed by line or by key id)", async () => {
    const [a, , c] = t.hosts;
    const path = c.path("/root/.ssh/authorized_keys");
    assert.ok(fs.readFileSync(path, "utf8").startsWith(`${CREATED_MARKER}\n`));
    assert.equal(fs.statSync(path).mode & 0o777, 0o600);
    await withDom0(connectionOf(c), async (s) => {
      assert.equal(await removeAuthorizedKey(s, publicKeyId(publicKeys[0])!), true);
      assert.equal(fs.existsSync(path), true, "a key is left");
      assert.equal(await removeAuthorizedKey(s, publicKeys[1]), true);
      assert.equal(await removeAuthorizedKey(s, publicKeys[1]), false);
    });
    assert.equal(fs.existsSync(path), false, "gone with its last key");
    await withDom0(connectionOf(a), async (s) => {
      await assert.rejects(addAuthorizedKey(s, "not a key"), /not one OpenSSH public key line/);
      await assert.rejects(removeAuthorizedKey(s, `${publicKeys[1]}\n${publicKeys[2]}`), /not one OpenSSH public key line/);
    });
  });
});
