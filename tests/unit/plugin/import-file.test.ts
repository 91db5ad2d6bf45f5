import { test } from "node:test";
import assert from "node:assert/strict";
import { renderImportFile } from "../../../provider/discover/import-file";
import { parseDom0Option } from "../../../provider/discover/dom0";
import type { Discovery } from "../../../provider/discover/walk";

/** discover --import-file: what `pulumi import --file` gets, with ids the plugin's import understands. */
const FP = "SHA256:" + "q".repeat(43);
const discovery: Discovery = {
  pool: { uuid: "p-1", args: { name: "Pool" } },
  hosts: [],
  dom0Hosts: [{ uuid: "h-1", args: { name: "xs1", ssh: { address: "fe80::1", port: 2222, hostKeyFingerprint: FP } } }],
  storageRepositories: [
    { uuid: "s-1", args: { name: "Local storage" } },
    { uuid: "s-2", args: { name: "Local storage" } },
  ],
  vms: [{ uuid: "v-1", args: { name: "web" } }],
  skipped: [],
};

test("the pool, each dom0-read host, SR and VM, with unique names", () => {
  const { resources } = renderImportFile(discovery);
  assert.deepEqual(resources.map((r) => [r.type, r.name]), [
    ["xen:index:Pool", "pool"],
    ["xen:index:Host", "host-xs1"],
    ["xen:index:StorageRepository", "sr-local-storage"],
    ["xen:index:StorageRepository", "sr-local-storage-s-2"],
    ["xen:index:Vm", "vm-web"],
  ]);
  assert.deepEqual(resources.filter((r) => r.type !== "xen:index:Host").map((r) => r.id), ["p-1", "s-1", "s-2", "v-1"]);
});

test("a Host's id is its dom0 target in the form the plugin's import parses back (IPv6 in brackets)", () => {
  const host = renderImportFile(discovery).resources.find((r) => r.type === "xen:index:Host")!;
  assert.deepEqual(parseDom0Option(host.id), { host: "h-1", address: "fe80::1", port: 2222, hostKeyFingerprint: FP });
});
