/**
 * Host against the simulator and real sshd dom0 test hosts: the guide's /boot/guest and /images on the local SR,
 * root key pairs and root trust between the dom0s, and a delete that leaves every dom0 as it was.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { after, before, describe, it } from "node:test";
import { configure } from "../../../provider/context";
import { closeAllSessions } from "../../../provider/xenapi";
import * as host from "../../../provider/resources/host";
import { UNKNOWN } from "../../../provider/resources/unknown";
import { Dom0Pool, listingDelta, realPathsSnapshot, sshFromTo, startDom0Pool, treeListing } from "./env";

const OPERATOR_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOperatorOperatorOperatorOperatorOperatorOp op@desk";

describe("Host check and diff (pure)", () => {
  const fp = "SHA256:" + "A".repeat(43);
  it("normalizes: defaults filled, fingerprint without padding, keys and peers sorted and de-duplicated", () => {
    const { inputs, failures } = host.checkInputs({}, {
      host: "xs1",
      ssh: { address: "10.0.0.1", hostKeyFingerprint: fp + "=" },
      trustedPublicKeys: [` ${OPERATOR_KEY} `, OPERATOR_KEY.replace("op@desk", "other comment"), "ssh-rsa AAAAB3NzaC1yc2E bob"],
      authorizeOn: [{ address: "10.0.0.3", hostKeyFingerprint: fp }, { address: "10.0.0.2", hostKeyFingerprint: fp, port: 2222 }],
    });
    assert.deepEqual(failures, []);
    assert.deepEqual(inputs, {
      host: "xs1",
      ssh: { address: "10.0.0.1", port: 22, hostKeyFingerprint: fp },
      otherConfig: {},
      localSr: "",
      bootGuest: true,
      images: true,
      rootKeyPair: true,
      trustedPublicKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOperatorOperatorOperatorOperatorOperatorOp op@desk", "ssh-rsa AAAAB3NzaC1yc2E bob"],
      authorizeOn: [
        { address: "10.0.0.2", port: 2222, hostKeyFingerprint: fp },
        { address: "10.0.0.3", port: 22, hostKeyFingerprint: fp },
      ],
      adopt: "",
    });
  });

  it("reports each bad field with the reason", () => {
    const { failures } = host.checkInputs({}, {
      host: "",
      ssh: { address: "10.0.0.1", hostKeyFingerprint: "MD5:aa:bb" },
      trustedPublicKeys: ["not a key"],
      rootKeyPair: false,
      authorizeOn: [{ address: "10.0.0.2", hostKeyFingerprint: fp }],
    });
    const by = Object.fromEntries(failures.map((f) => [f.property, f.reason]));
    assert.match(by.host, /required/);
    assert.match(by.ssh, /hostKeyFingerprint must be the pinned host key fingerprint, SHA256:/);
    assert.match(by.trustedPublicKeys, /trustedPublicKeys\[0\] is not one OpenSSH public key line/);
    assert.match(by.authorizeOn, /needs rootKeyPair/);
  });

  it("tolerates values not known at preview", () => {
    const { failures } = host.checkInputs({}, { host: UNKNOWN, ssh: UNKNOWN, trustedPublicKeys: UNKNOWN, authorizeOn: [UNKNOWN], name: UNKNOWN });
    assert.deepEqual(failures, []);
    const { failures: f2 } = host.checkInputs({}, { host: "xs1", ssh: { address: UNKNOWN, hostKeyFingerprint: UNKNOWN, port: UNKNOWN } });
    assert.deepEqual(f2, []);
  });

  it("replaces only for another host; everything else is in place", () => {
    const base = host.checkInputs({}, { host: "xs1", ssh: { address: "a", hostKeyFingerprint: fp } }).inputs;
    assert.deepEqual(host.diff("u", base as never, { ...base, host: "xs2" } as never), { changes: true, replaces: ["host"], deleteBeforeReplace: false });
    assert.deepEqual(host.diff("u", base as never, { ...base, images: false, name: "n" } as never), { changes: true, replaces: [], deleteBeforeReplace: false });
    assert.deepEqual(host.diff("u", base as never, { ...base } as never), { changes: false, replaces: [], deleteBeforeReplace: false });
  });
});

describe("Host on a pool of three dom0s", () => {
  let pool: Dom0Pool;
  let realBefore: Record<string, string>;
  const listings: string[] = [];
  const outs: host.HostOutputs[] = [];
  const inputsOf = (i: number, extra: Record<string, unknown> = {}) =>
    host.checkInputs({}, {
      host: pool.sim.hosts[i].name,
      ssh: pool.ssh(pool.hosts[i]),
      authorizeOn: pool.hosts.filter((_, j) => j !== i).map((h) => pool.ssh(h)),
      otherConfig: { "openstack-role": "compute" },
      ...extra,
    });

  before(async () => {
    realBefore = realPathsSnapshot();
    pool = await startDom0Pool(["xs1", "xs2", "xs3"]);
    configure({ get: (k) => pool.settings[k] });
    // An operator's key is already trusted on xs2: it must survive everything.
    fs.writeFileSync(pool.hosts[1].path("/root/.ssh/authorized_keys"), `# operator\n${OPERATOR_KEY}\n`, { mode: 0o600 });
    for (const h of pool.hosts) listings.push(await treeListing(h));
  });
  after(async () => {
    await closeAllSessions();
    await pool?.stop();
    assert.deepEqual(realPathsSnapshot(), realBefore, "this machine's own /boot, /images, /etc and /root are untouched");
  });

  it("a wrong pinned host key is refused before anything is done", async () => {
    const { inputs } = inputsOf(0, { ssh: { ...pool.ssh(pool.hosts[0]), hostKeyFingerprint: pool.hosts[1].hostKeyFingerprint } });
    await assert.rejects(host.create(inputs), /host key verification failed: the server presented SHA256:\S+, but SHA256:\S+ is pinned/);
    assert.equal(await treeListing(pool.hosts[0]), listings[0]);
    const rec = pool.sim.db.byUuid("host", pool.sim.hosts[0].uuid)!.record;
    assert.equal((rec.other_config as Record<string, string>)["openstack-role"], undefined, "the half-done xapi change was undone");
  });

  it("prepares each dom0: /boot/guest and /images on the local SR, a root key pair, root trust on the others", async () => {
    for (let i = 0; i < 3; i++) {
      const { inputs, failures } = inputsOf(i);
      assert.deepEqual(failures, []);
      const { id, outs: o } = await host.create(inputs);
      assert.equal(id, pool.sim.hosts[i].uuid);
      assert.match(o.publicKey, /^ssh-rsa AAAA\S+ root@xs\d$/);
      assert.equal(o.localSrUuid, pool.localSrs[i]);
      outs.push(o);
    }
    for (const [i, h] of pool.hosts.entries()) {
      const mount = `/var/run/sr-mount/${pool.localSrs[i]}`;
      assert.equal(fs.readlinkSync(h.path("/boot/guest")), `${mount}/os-guest-kernels`);
      assert.equal(fs.readlinkSync(h.path("/images")), `${mount}/images`);
      const st = await h.exec(["stat", "-L", "-c", "%d", "/images", "/boot/guest", mount, "/"]);
      const [images, guest, sr, root] = st.stdout.trim().split("\n");
      assert.equal(images, sr, "/images is on the SR's filesystem");
      assert.equal(guest, sr);
      assert.notEqual(sr, root, "not on dom0's root filesystem");
      const rec = pool.sim.db.byUuid("host", pool.sim.hosts[i].uuid)!.record;
      assert.equal((rec.other_config as Record<string, string>)["openstack-role"], "compute");
    }
  });

  it("host A's root key logs in to B and C (and every pair) over real SSH", async () => {
    const [a, b, c] = pool.hosts;
    for (const [from, to] of [[a, b], [a, c], [b, a], [b, c], [c, a], [c, b]] as const) {
      const r = await sshFromTo(from, to);
      assert.equal(r.code, 0, `${from.name} -> ${to.name}: ${r.stderr}`);
      assert.equal(r.stdout, `${to.name}\n`);
    }
    const text = fs.readFileSync(b.path("/root/.ssh/authorized_keys"), "utf8");
    assert.ok(text.startsWith(`# operator\n${OPERATOR_KEY}\n`), "the operator's lines are kept, first");
  });

  it("read reports exactly the program's inputs, and a second converge changes nothing", async () => {
    const now = await Promise.all(pool.hosts.map(treeListing));
    for (let i = 0; i < 3; i++) {
      const r = await host.read(outs[i].uuid, outs[i]);
      assert.deepEqual(r.inputs, inputsOf(i).inputs);
      const again = await host.update(outs[i].uuid, outs[i], inputsOf(i).inputs);
      assert.deepEqual(again.outs, outs[i]);
    }
    assert.deepEqual(await Promise.all(pool.hosts.map(treeListing)), now);
  });

  it("read shows drift: a removed /images and a removed peer key", async () => {
    const [a, b] = pool.hosts;
    await b.exec(["rm", "/images"]);
    const r = await host.read(outs[1].uuid, outs[1]);
    assert.equal(r.inputs!.images, false);
    const keyA = outs[0].publicKey.split(" ").slice(0, 2).join(" ");
    const text = fs.readFileSync(b.path("/root/.ssh/authorized_keys"), "utf8");
    fs.writeFileSync(b.path("/root/.ssh/authorized_keys"), text.split("\n").filter((l) => !l.startsWith(keyA)).join("\n"));
    const ra = await host.read(outs[0].uuid, outs[0]);
    assert.deepEqual(ra.inputs!.authorizeOn.map((t) => t.address), [pool.hosts[2].address]);
    // the next up puts both back
    outs[1] = (await host.update(outs[1].uuid, outs[1], inputsOf(1).inputs)).outs;
    outs[0] = (await host.update(outs[0].uuid, outs[0], inputsOf(0).inputs)).outs;
    assert.equal((await sshFromTo(a, b)).code, 0);
    assert.equal(fs.readlinkSync(b.path("/images")), `/var/run/sr-mount/${pool.localSrs[1]}/images`);
  });

  it("a hostile name, hostname and key comment reach the dom0 as data, never as shell", async () => {
    const c = pool.hosts[2];
    const hostile = `x'; touch /root/pwned1; echo '$(touch /root/pwned2)\`touch /root/pwned3\``;
    const ref = pool.sim.db.byUuid("host", pool.sim.hosts[2].uuid)!.ref;
    const keyLine = `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostileHostileHostileHostileHostileHostil ${hostile}`;
    const { inputs } = inputsOf(2, { name: hostile, trustedPublicKeys: [keyLine] });
    outs[2] = (await host.update(outs[2].uuid, outs[2], inputs)).outs;
    assert.equal(pool.sim.db.get("host", ref).name_label, hostile);
    assert.ok(fs.readFileSync(c.path("/root/.ssh/authorized_keys"), "utf8").includes(keyLine), "the comment arrived verbatim");
    for (const f of ["pwned1", "pwned2", "pwned3"]) assert.equal(fs.existsSync(c.path(`/root/${f}`)), false, f);
    // back to the plain program (name stays: unmanaged names are left as they are)
    pool.sim.db.set("host", ref, "name_label", "xs3");
    outs[2] = (await host.update(outs[2].uuid, outs[2], inputsOf(2, { name: "xs3" }).inputs)).outs;
    assert.equal(fs.readFileSync(c.path("/root/.ssh/authorized_keys"), "utf8").includes("Hostile"), false, "the key it added is gone again");
  });

  it("refuses a local SR whose mount is on dom0's root filesystem, naming it", async () => {
    const h = pool.hosts[0];
    const { inputs } = inputsOf(0);
    // Another SR on xs1 whose mount is a plain directory on dom0's root.
    const uuid = "5ca1ab1e-0000-4000-8000-000000000001";
    const mount = await h.createSrMount(uuid, { separateFilesystem: false });
    try {
      const sr = pool.sim.db.byUuid("SR", pool.localSrs[0])!;
      pool.sim.db.set("SR", sr.ref, "uuid", uuid); // the host's local SR is now the one mounted on the root fs
      await assert.rejects(host.update(outs[0].uuid, { ...outs[0] }, { ...inputs }), (e: Error) => {
        assert.match(e.message, new RegExp(`localSr: ${mount} on root@\\S+ is on dom0's root filesystem`));
        return true;
      });
      assert.equal(fs.readlinkSync(h.path("/images")), `/var/run/sr-mount/${pool.localSrs[0]}/images`, "the working link is kept");
    } finally {
      pool.sim.db.set("SR", pool.sim.db.byUuid("SR", uuid)!.ref, "uuid", pool.localSrs[0]);
      await h.removeSrMount(uuid);
    }
  });

  it("delete removes exactly what it added: each dom0's file trees are as they were, trust is gone", async () => {
    for (const o of outs) await host.remove(o.uuid, o);
    for (const [i, h] of pool.hosts.entries()) {
      const now = await treeListing(h);
      assert.equal(now, listings[i], `${h.name}:\n${listingDelta(listings[i], now)}`);
      const rec = pool.sim.db.byUuid("host", pool.sim.hosts[i].uuid)!.record;
      assert.equal((rec.other_config as Record<string, string>)["openstack-role"], undefined);
      assert.equal(rec.name_label, `xs${i + 1}`, "the host itself is untouched");
    }
    assert.notEqual((await sshFromTo(pool.hosts[0], pool.hosts[1])).code, 0, "A no longer logs in to B");
    assert.ok(fs.readFileSync(pool.hosts[1].path("/root/.ssh/authorized_keys"), "utf8").includes(OPERATOR_KEY));
  });
});
