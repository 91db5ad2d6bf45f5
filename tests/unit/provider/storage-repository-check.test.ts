import { test } from "node:test";
import assert from "node:assert/strict";
import { check, diff } from "../../../provider/resources/storage-repository";
import { UNKNOWN } from "../../../provider/resources/unknown";

const isoArgs = { name: "ISOs", type: "iso", deviceConfig: { location: "nfs.example:/isos" }, otherConfig: { "i18n-key": "local-storage-iso" } };

test("check fills defaults so the stored inputs are what read reports", () => {
  const { inputs, failures } = check({}, isoArgs);
  assert.deepEqual(failures, []);
  assert.equal(inputs.description, "");
  assert.equal(inputs.contentType, "iso");
  assert.equal(inputs.shared, true, "an NFS ISO library is shared");
  assert.deepEqual(inputs.tags, []);
  assert.equal(inputs.destroyOnDelete, false);
});

test("check names the field and the reason for bad input", () => {
  const { failures } = check({}, { name: "", type: "nfs", deviceConfig: { server: "filer" } });
  assert.deepEqual(
    failures.map((f) => f.property).sort(),
    ["deviceConfig", "name"],
  );
  assert.match(failures.find((f) => f.property === "deviceConfig")!.reason, /deviceConfig\.serverpath is required for a nfs SR/);
  const badType = check({}, { name: "x", type: "zfs", deviceConfig: {} }).failures;
  assert.match(badType[0].reason, /type must be one of nfs, iso, ext, lvm; got "zfs"/);
  const sharedLocal = check({}, { name: "x", type: "ext", deviceConfig: { device: "/dev/sdb" }, shared: true }).failures;
  assert.deepEqual(sharedLocal.map((f) => f.property), ["shared"]);
});

test("check sorts tags and map keys so order never shows as a diff", () => {
  const a = check({}, { ...isoArgs, tags: ["b", "a", "b"], otherConfig: { z: "1", a: "2" } }).inputs;
  const b = check({}, { ...isoArgs, tags: ["a", "b"], otherConfig: { a: "2", z: "1" } }).inputs;
  assert.deepEqual(a.tags, ["a", "b"]);
  assert.equal(JSON.stringify(a), JSON.stringify(b));
  assert.deepEqual(diff("id", a as never, b as never), { changes: false, replaces: [], deleteBeforeReplace: false });
});

test("check tolerates values unknown at preview", () => {
  const { failures, inputs } = check({}, { name: UNKNOWN, type: "nfs", deviceConfig: UNKNOWN, host: UNKNOWN });
  assert.deepEqual(failures, []);
  assert.equal(inputs.name, UNKNOWN);
});

test("diff: description updates in place, type and device-config replace", () => {
  const old = check({}, isoArgs).inputs as unknown as Record<string, unknown>;
  const described = check({}, { ...isoArgs, description: "library" }).inputs as unknown as Record<string, unknown>;
  assert.deepEqual(diff("id", old, described), { changes: true, replaces: [], deleteBeforeReplace: false });
  const moved = check({}, { ...isoArgs, deviceConfig: { location: "other:/isos" } }).inputs as unknown as Record<string, unknown>;
  assert.deepEqual(diff("id", old, moved).replaces, ["deviceConfig"]);
  const local = check({}, { name: "L", type: "ext", deviceConfig: { device: "/dev/sdb" } }).inputs as unknown as Record<string, unknown>;
  const relabeled = check({}, { name: "L", type: "lvm", deviceConfig: { device: "/dev/sdb" } }).inputs as unknown as Record<string, unknown>;
  assert.deepEqual(diff("id", local, relabeled), { changes: true, replaces: ["type"], deleteBeforeReplace: true });
});

test("diff treats an unknown value as a change", () => {
  const old = check({}, isoArgs).inputs as unknown as Record<string, unknown>;
  assert.deepEqual(diff("id", old, { ...old, name: UNKNOWN }).changes, true);
});
