import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadSpec } from "../../../sim/spec-load";
import { simulatedPool } from "./env";
import * as vm from "../../../provider/resources/vm";
import type { VmOutputs } from "../../../provider/resources/vm";

/** The Vm provider's operations against the simulator (the e2e suite drives the same code through Pulumi). */
const GiB = 1024 ** 3;
/** The same cases on each built-in pool: the demo pool and XCP-ng 8.3's real template set. */
for (const specName of ["demo", "xcp-ng-8.3"]) describe(`Vm on the ${specName} pool`, () => {
  const sim = simulatedPool(loadSpec(specName));

  const computeArgs = (extra: Record<string, unknown> = {}) => ({
    name: "nova-compute",
    template: "Debian Bookworm 12",
    bootMode: "pv",
    pvBootloader: "pygrub",
    pvArgs: "console=hvc0",
    memory: "1GiB",
    vcpus: { max: 4, atStartup: 2 },
    disks: [{ device: "0", size: "12GiB", bootable: true }, { device: "1", size: "4GiB", name: "scratch" }],
    networkInterfaces: [{ network: "Pool-wide network associated with eth0", mac: "02:16:3E:AA:BB:01" }],
    tags: ["openstack", "compute"],
    otherConfig: { role: "nova-compute" },
    ownerKey: "test/unit/Vm/nova-compute",
    ...extra,
  });

  function vmByUuid(uuid: string) {
    return sim().db.byUuid("VM", uuid)!.record;
  }
  function vdisOwnedBy(owner: string) {
    return sim().db.all("VDI").filter((v) => (v.record.other_config as Record<string, string>)["pulumi-xen:owner"] === owner);
  }

  // "Local storage" names three SRs in the demo pool: the disk's SR must be given by uuid there.
  let localSr = "";
  let created: VmOutputs;

  test("check refuses bad input with the field and the reason", async () => {
    const failures = async (args: Record<string, unknown>, olds: Record<string, unknown> = {}) =>
      (await vm.check(olds, args)).failures.map((f) => `${f.property}: ${f.reason}`);
    assert.match((await failures(computeArgs({ memory: { staticMax: "1GiB", dynamicMin: "2GiB", dynamicMax: "1GiB" } })))[0], /^memory: memory limits out of order: dynamicMin 2GiB > dynamicMax 1GiB/);
    assert.match((await failures(computeArgs({ networkInterfaces: [{ network: "x", mac: "zz:16:3e:aa:bb:01" }] }))).join(), /networkInterfaces\[0\]\.mac: "zz:16:3e:aa:bb:01" is not a MAC address/);
    assert.match((await failures(computeArgs({ networkInterfaces: [{ network: "no-such-net" }] }))).join(), /networkInterfaces\[0\]\.network: no network with uuid or name "no-such-net"/);
    assert.match((await failures(computeArgs({ vcpus: { max: 1, atStartup: 2 } }))).join(), /vcpus: vcpus\.atStartup \(2\) cannot exceed vcpus\.max \(1\)/);
    assert.match((await failures(computeArgs({ template: "Windows 95" }))).join(), /template: no VM with uuid or name "Windows 95"/);
    const old = (await vm.check({}, computeArgs({ disks: [{ device: "0", size: "12GiB" }] }))).inputs as unknown as Record<string, unknown>;
    assert.match((await failures(computeArgs({ disks: [{ device: "0", size: "10GiB" }] }), old)).join(), /disks\[0\]\.size: disk 0 cannot shrink from 12GiB to 10GiB/);
    assert.match((await failures(computeArgs({ memory: "2GiB" }), old)).join(), /memory: static memory limits can only change while the VM is halted: set allowRestart/);
    assert.deepEqual(await failures(computeArgs({ memory: "2GiB", allowRestart: true }), old), []);
    assert.match((await failures(computeArgs({ sr: "Local storage" }))).join(), /sr: "Local storage" names 3 SR objects; use the uuid/);
  });

  test("create clones the template, sizes it, adds disks and a VIF with the fixed MAC, and starts it", async () => {
    localSr = sim().db.all("SR").find((s) => s.record.name_label === "Local storage")!.record.uuid as string;
    const { inputs, failures } = await vm.check({}, computeArgs({ disks: [{ device: "0", size: "12GiB", bootable: true }, { device: "1", size: "4GiB", sr: localSr, name: "scratch" }] }));
    assert.deepEqual(failures, []);
    const before = sim().db.all("VM").length;
    ({ outs: created } = await vm.create(inputs));
    assert.equal(sim().db.all("VM").length, before + 1);
    const record = vmByUuid(created.uuid);
    assert.equal(record.name_label, "nova-compute");
    assert.equal(record.power_state, "Running");
    assert.equal(record.is_a_template, false);
    assert.equal(record.PV_bootloader, "pygrub");
    assert.equal(record.memory_static_max, String(GiB));
    assert.equal(record.memory_dynamic_max, String(GiB));
    assert.equal(record.VCPUs_max, "4");
    assert.equal(record.VCPUs_at_startup, "2");
    assert.deepEqual([...(record.tags as string[])].sort(), ["compute", "openstack"]);
    assert.deepEqual(created.macs, { "0": "02:16:3e:aa:bb:01" });
    const sizes = Object.values(created.diskUuids).map((u) => Number(sim().db.byUuid("VDI", u)!.record.virtual_size)).sort((a, b) => a - b);
    assert.deepEqual(sizes, [4 * GiB, 12 * GiB], "the template's disk grew to 12GiB and a 4GiB disk was added");
    assert.equal(vdisOwnedBy("test/unit/Vm/nova-compute").length, 2, "every disk it made is tagged as its own");
  });

  test("read reports exactly the checked inputs: refresh shows nothing", async () => {
    const { inputs } = await vm.check({}, computeArgs({ disks: [{ device: "0", size: "12GiB", bootable: true }, { device: "1", size: "4GiB", sr: localSr, name: "scratch" }] }));
    const result = await vm.read(created.uuid, created);
    assert.deepEqual(vm.diff(created.uuid, result.props as unknown as Record<string, unknown>, inputs as unknown as Record<string, unknown>), { changes: false, replaces: [], deleteBeforeReplace: false });
  });

  test("update in place: ballooning range live, a disk grows, a disk is removed, a VIF is added", async () => {
    const { inputs } = await vm.check(created as unknown as Record<string, unknown>, computeArgs({
      allowRestart: true, // the simulated ext SR grows disks offline only
      allowDiskRemoval: true, // disk 1 goes, and with it its VDI (check refuses that otherwise: see the disk cases)
      memory: { staticMax: "1GiB", dynamicMin: "512MiB", dynamicMax: "1GiB" },
      disks: [{ device: "0", size: "16GiB", bootable: true }],
      networkInterfaces: [{ network: "Pool-wide network associated with eth0", mac: "02:16:3e:aa:bb:01" }, { network: "Pool-wide network associated with eth0" }],
    }));
    const scratch = created.diskUuids["1"];
    const { outs } = await vm.update(created.uuid, created, inputs);
    const record = vmByUuid(created.uuid);
    assert.equal(record.power_state, "Running", "running again after the offline growth");
    assert.equal(record.memory_dynamic_min, String(GiB / 2));
    assert.equal(Number(sim().db.byUuid("VDI", outs.diskUuids["0"])!.record.virtual_size), 16 * GiB);
    assert.equal(sim().db.byUuid("VDI", scratch), undefined, "the dropped disk's VDI, which the VM made, is destroyed");
    assert.equal(Object.keys(outs.macs).length, 2);
    created = outs;
  });

  test("a static memory change with allowRestart halts, changes and starts the VM", async () => {
    const { inputs, failures } = await vm.check(created as unknown as Record<string, unknown>, computeArgs({
      memory: "2GiB", allowRestart: true, disks: [{ device: "0", size: "16GiB", bootable: true }],
      networkInterfaces: [{ network: "Pool-wide network associated with eth0", mac: "02:16:3e:aa:bb:01" }, { network: "Pool-wide network associated with eth0" }],
    }));
    assert.deepEqual(failures, []);
    const shutdowns = () => (sim().counters.calls()["Async.VM.clean_shutdown"] ?? 0) + (sim().counters.calls()["Async.VM.hard_shutdown"] ?? 0);
    const before = shutdowns();
    ({ outs: created } = await vm.update(created.uuid, created, inputs));
    const record = vmByUuid(created.uuid);
    assert.equal(record.memory_static_max, String(2 * GiB));
    assert.equal(record.power_state, "Running");
    assert.equal(shutdowns() - before, 1);
  });

  test("a static memory change declared together with powerState halted halts the VM without allowRestart (check lets it through, and so does update)", async () => {
    const args = computeArgs({
      memory: "3GiB", powerState: "halted", disks: [{ device: "0", size: "16GiB", bootable: true }],
      networkInterfaces: [{ network: "Pool-wide network associated with eth0", mac: "02:16:3e:aa:bb:01" }, { network: "Pool-wide network associated with eth0" }],
    });
    assert.equal(vmByUuid(created.uuid).power_state, "Running");
    const { inputs, failures } = await vm.check(created as unknown as Record<string, unknown>, args);
    assert.deepEqual(failures, []);
    ({ outs: created } = await vm.update(created.uuid, created, inputs));
    const record = vmByUuid(created.uuid);
    assert.equal(record.memory_static_max, String(3 * GiB));
    assert.equal(record.power_state, "Halted");
    // Back to running (with allowRestart unchanged: a halted VM needs none) for the tests below.
    const back = await vm.check(created as unknown as Record<string, unknown>, { ...args, powerState: "running" });
    assert.deepEqual(back.failures, []);
    ({ outs: created } = await vm.update(created.uuid, created, back.inputs));
    assert.equal(vmByUuid(created.uuid).power_state, "Running");
  });

  for (const leftover of ["clone", "clone+provision", "clone+tag+provision+untemplate"] as const) {
    test(`a create interrupted after ${leftover} is finished by the retry: running, not a template, every disk tagged, not made twice`, async () => {
      const owner = `test/unit/Vm/resumed-${leftover}`;
      const template = sim().db.all("VM").find((v) => v.record.name_label === "Debian Bookworm 12")!;
      // What a run killed at that point leaves: a template-flagged clone under the "creating" name, its disks untagged.
      const { XenApiSession } = await import("../../../provider/xenapi");
      const s = new XenApiSession(sim().masterUrl, { username: "root", password: "pw" }, { tls: { fingerprints: [sim().tls!.fingerprint256] } });
      const ref = await s.call<string>("VM.clone", template.ref, `pulumi-xen creating ${owner}`);
      if (leftover !== "clone") {
        if (leftover === "clone+tag+provision+untemplate") await s.call("VM.add_to_other_config", ref, "pulumi-xen:owner", owner);
        await s.call("VM.provision", ref);
        if (leftover === "clone+tag+provision+untemplate") await s.call("VM.set_is_a_template", ref, false);
      }
      await s.logout();
      const vmCount = sim().db.all("VM").length;
      const vdiCount = sim().db.all("VDI").length;
      const { inputs } = await vm.check({}, { name: "resumed", template: "Debian Bookworm 12", ownerKey: owner });
      const { outs } = await vm.create(inputs);
      assert.equal(sim().db.all("VM").length, vmCount, "no second VM");
      assert.equal(sim().db.all("VDI").length, vdiCount + (leftover === "clone" ? 1 : 0), "the template's disk is made once");
      const record = vmByUuid(outs.uuid);
      assert.equal(record.name_label, "resumed");
      assert.equal(record.is_a_template, false);
      assert.equal(record.power_state, "Running");
      assert.equal((record.other_config as Record<string, string>)["pulumi-xen:owner"], owner);
      assert.equal(vdisOwnedBy(owner).length, Object.keys(outs.diskUuids).length);
      assert.ok(Object.keys(outs.diskUuids).length >= 1);
      await vm.remove(outs.uuid, outs);
      assert.equal(vdisOwnedBy(owner).length, 0);
      assert.equal(sim().db.all("VDI").length, vdiCount - (leftover === "clone" ? 0 : 1), "the leftover's disks went with it");
    });
  }

  test("a delete interrupted after VM.destroy destroys the disks the state lists on the retry, and never an untagged one", async () => {
    const owner = "test/unit/Vm/half-deleted";
    const { inputs } = await vm.check({}, { name: "half-deleted", template: "Debian Bookworm 12", powerState: "halted", ownerKey: owner,
      disks: [{ device: "1", size: "1GiB" }] });
    const { outs } = await vm.create(inputs);
    assert.equal(Object.keys(outs.diskUuids).length, 2);
    // An untagged disk somebody attached by hand goes nowhere.
    const sr = sim().db.all("SR").find((x) => x.record.name_label === "Local storage")!;
    const { XenApiSession } = await import("../../../provider/xenapi");
    const s = new XenApiSession(sim().masterUrl, { username: "root", password: "pw" }, { tls: { fingerprints: [sim().tls!.fingerprint256] } });
    const theirs = await s.call<string>("VDI.create", { name_label: "theirs", name_description: "", SR: sr.ref, virtual_size: "1024", type: "user",
      sharable: false, read_only: false, other_config: {}, xenstore_data: {}, sm_config: {}, tags: [] });
    const vmRef = sim().db.byUuid("VM", outs.uuid)!.ref;
    await s.call("VBD.create", { VM: vmRef, VDI: theirs, userdevice: "2", bootable: false, mode: "RW", type: "Disk", unpluggable: true, empty: false,
      other_config: {}, qos_algorithm_type: "", qos_algorithm_params: {} });
    // The run died right after VM.destroy: the VM and its VBDs are gone, the disks are not.
    await s.call("VM.destroy", vmRef);
    assert.equal(vdisOwnedBy(owner).length, 2);
    await vm.remove(outs.uuid, outs);
    assert.equal(vdisOwnedBy(owner).length, 0, "the retry destroyed the disks the state lists");
    assert.ok(sim().db.all("VDI").some((v) => v.ref === theirs), "an untagged disk is never destroyed");
    await s.call("VDI.destroy", theirs);
    await s.logout();
  });

  test("a create that fails part-way reports the VM to the engine, so nothing is orphaned", async () => {
    sim().faults.failNextTask("VM.start", ["VM_MEMORY_SIZE_TOO_LOW", "x"]);
    const { inputs } = await vm.check({}, { name: "fails", template: "Debian Bookworm 12", ownerKey: "test/unit/Vm/fails" });
    const err = (await vm.create(inputs).then(() => undefined, (e) => e)) as Error & { id?: string; properties?: VmOutputs };
    sim().faults.clear();
    assert.ok(err, "create failed");
    assert.match(err.message, /was made but not finished: .*VM_MEMORY_SIZE_TOO_LOW/);
    assert.ok(err.id && vmByUuid(err.id), "the error names the VM, which Pulumi then records");
    await vm.remove(err.id!, err.properties!);
    assert.equal(vdisOwnedBy("test/unit/Vm/fails").length, 0);
  });

  test("delete destroys the VM and the disks it made, never the template's or the ISO library's", async () => {
    const templateVdis = sim().db.all("VDI").filter((v) => !(v.record.other_config as Record<string, string>)["pulumi-xen:owner"]).length;
    await vm.remove(created.uuid, created);
    assert.equal(sim().db.byUuid("VM", created.uuid), undefined);
    assert.equal(vdisOwnedBy("test/unit/Vm/nova-compute").length, 0);
    assert.equal(sim().db.all("VDI").filter((v) => !(v.record.other_config as Record<string, string>)["pulumi-xen:owner"]).length, templateVdis);
    await vm.remove(created.uuid, created); // deleting what is gone is not an error
  });

  test("HVM from ISO: the ISO goes in the CD drive, CD first in the boot order; paused, then running with its IP", async () => {
    const { XenApiSession } = await import("../../../provider/xenapi");
    const s = new XenApiSession(sim().masterUrl, { username: "root", password: "pw" }, { tls: { fingerprints: [sim().tls!.fingerprint256] } });
    const isoSr = sim().db.all("SR").find((sr) => sr.record.content_type === "iso")!;
    await s.call("VDI.create", { name_label: "fedora.iso", name_description: "", SR: isoSr.ref, virtual_size: String(700 * 1024 ** 2), type: "user", sharable: false, read_only: true, other_config: {}, xenstore_data: {}, sm_config: {}, tags: [] });
    await s.logout();
    const args = { name: "from-iso", template: "Other install media", bootMode: "hvm", hvmBootOrder: "dc", firmware: "bios", cdrom: "fedora.iso", powerState: "paused", ownerKey: "test/unit/Vm/iso",
      networkInterfaces: [{ network: "Pool-wide network associated with eth0" }] };
    const { inputs, failures } = await vm.check({}, args);
    assert.deepEqual(failures, []);
    const { outs } = await vm.create(inputs);
    const record = vmByUuid(outs.uuid);
    assert.equal(record.HVM_boot_policy, "BIOS order");
    assert.deepEqual(record.HVM_boot_params, { order: "dc", firmware: "bios" });
    assert.equal(record.power_state, "Paused");
    const cd = (record.VBDs as string[]).map((r) => sim().db.get("VBD", r)).find((v) => v.type === "CD")!;
    assert.equal(sim().db.get("VDI", cd.VDI as string).name_label, "fedora.iso");
    const running = (await vm.check(outs as unknown as Record<string, unknown>, { ...args, powerState: "running", waitForIp: true, ipTimeoutSeconds: 30 })).inputs;
    const { outs: after } = await vm.update(outs.uuid, outs, running);
    assert.equal(vmByUuid(outs.uuid).power_state, "Running");
    assert.match(after.ipAddress, /^\d+\.\d+\.\d+\.\d+$/, "the guest agent's IP is an output");
    const noIso = (await vm.check(after as unknown as Record<string, unknown>, { ...args, cdrom: undefined, powerState: "running" })).inputs;
    await vm.update(outs.uuid, after, noIso);
    const drive = (vmByUuid(outs.uuid).VBDs as string[]).map((r) => sim().db.get("VBD", r)).find((v) => v.type === "CD")!;
    assert.equal(drive.empty, true, "ejected");
    await vm.remove(outs.uuid, after);
    assert.ok(sim().db.all("VDI").some((v) => v.record.name_label === "fedora.iso"), "an ISO is never destroyed with the VM");
  });
});
