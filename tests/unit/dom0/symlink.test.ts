/**
 * The guide's dom0 preparation, as the dom0 layer does it: `/boot/guest` and `/images` as symlinks into the local
 * SR, made idempotently, and the check that `/images` lands on the SR's filesystem.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, it } from "node:test";
import {
  Dom0Error,
  ensureSymlink,
  filesystemId,
  mkdirp,
  readSymlink,
  removeSymlink,
  sameFilesystem,
  withDom0,
} from "../../../provider/dom0";
import { connectionOf, useDom0TestHosts } from "./helpers";

const LOCAL_SR = "9b4e3c2a-1d0f-4e8b-a7c6-5d4e3f2a1b0c";
const SR_PATH = `/var/run/sr-mount/${LOCAL_SR}`;

describe("dom0 symlinks and filesystems", () => {
  const t = useDom0TestHosts(["link-a"]);

  it("makes /boot/guest a symlink into the local SR: created, then unchanged", async () => {
    const [a] = t.hosts;
    await a.createSrMount(LOCAL_SR);
    await withDom0(connectionOf(a), async (s) => {
      await mkdirp(s, `${SR_PATH}/os-guest-kernels`);
      assert.equal(await ensureSymlink(s, "/boot/guest", `${SR_PATH}/os-guest-kernels`), "created");
      assert.equal(await ensureSymlink(s, "/boot/guest", `${SR_PATH}/os-guest-kernels`), "unchanged");
      assert.equal(await readSymlink(s, "/boot/guest"), `${SR_PATH}/os-guest-kernels`);
      // Data written through the link lands on the SR.
      await s.runChecked(["sh", "-c", "echo kernel > /boot/guest/vmlinuz-1"]);
    });
    assert.equal(fs.readlinkSync(a.path("/boot/guest")), `${SR_PATH}/os-guest-kernels`);
    assert.equal(fs.readFileSync(a.path(`${SR_PATH}/os-guest-kernels/vmlinuz-1`), "utf8"), "kernel\n");
    assert.equal(fs.existsSync("/boot/guest"), false, "this machine's /boot/guest untouched");
  });

  it("fails clearly when something else is where the symlink should be", async () => {
    const [a] = t.hosts;
    await withDom0(connectionOf(a), async (s) => {
      await assert.rejects(ensureSymlink(s, "/boot/guest", "/somewhere/else"), (e: unknown) => {
        assert.ok(e instanceof Dom0Error && e.code === "PATH_CONFLICT");
        assert.match(e.message, new RegExp(`/boot/guest is a symlink to ${SR_PATH}/os-guest-kernels, not to /somewhere/else`));
        return true;
      });
      await mkdirp(s, "/images");
      await assert.rejects(ensureSymlink(s, "/images", `${SR_PATH}/images`), /\/images is a directory, not a symlink/);
      await s.runChecked(["rmdir", "/images"]);
      await s.runChecked(["touch", "/images"]);
      await assert.rejects(ensureSymlink(s, "/images", `${SR_PATH}/images`), /\/images is a file, not a symlink/);
      await s.runChecked(["rm", "/images"]);
    });
  });

  it("checks /images is on the SR's filesystem, not on dom0's root", async () => {
    const [a] = t.hosts;
    await withDom0(connectionOf(a), async (s) => {
      await mkdirp(s, `${SR_PATH}/images`);
      assert.equal(await sameFilesystem(s, `${SR_PATH}/images`, SR_PATH), true);
      assert.equal(await sameFilesystem(s, "/root", SR_PATH), false);
      assert.notEqual(await filesystemId(s, "/"), await filesystemId(s, SR_PATH));
      // Through the symlink, as the Host resource checks it.
      assert.equal(await ensureSymlink(s, "/images", `${SR_PATH}/images`), "created");
      assert.equal(await sameFilesystem(s, "/images", SR_PATH), true, "symlinks are followed");
      await assert.rejects(sameFilesystem(s, "/nonexistent", SR_PATH), /stat/);
    });
    assert.equal(fs.existsSync("/images"), false, "this machine's /images untouched");
  });

  it("removes only a symlink that points where it said", async () => {
    const [a] = t.hosts;
    await withDom0(connectionOf(a), async (s) => {
      assert.equal(await removeSymlink(s, "/images", "/other/images"), "kept");
      assert.equal(await readSymlink(s, "/images"), `${SR_PATH}/images`);
      assert.equal(await removeSymlink(s, "/images", `${SR_PATH}/images`), "removed");
      assert.equal(await removeSymlink(s, "/images", `${SR_PATH}/images`), "absent");
      assert.equal(await removeSymlink(s, "/boot", "/x"), "kept", "a directory is not ours to remove");
      assert.equal(await removeSymlink(s, "/boot/guest", `${SR_PATH}/os-guest-kernels`), "removed");
    });
    assert.equal(fs.existsSync(a.path(`${SR_PATH}/os-guest-kernels/vmlinuz-1`)), true, "the SR's data stays");
  });
});
