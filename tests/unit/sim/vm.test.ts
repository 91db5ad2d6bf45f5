import { test } from "node:test";
import assert from "node:assert/strict";
import { withSim, demoSpec, Session } from "./client";
import { loadSpec } from "../../../sim/spec-load";
import type { PoolSpec } from "../../../sim";

const GiB = 1024 * 1024 * 1024;
async function template(s: Session, name: string): Promise<string> { return (await s.call("VM.get_by_name_label", name))[0]; }

/** Each test runs on both pools: the small demo pool and XCP-ng 8.3's real template set (sim/pools/xcp-ng-8.3.json). */
interface Pool { label: string; spec: () => PoolSpec; pv: string; pvBootloader: string; pvDisk: number; hvm: string }
const pools: Pool[] = [
  { label: "demo", spec: demoSpec, pv: "Debian Bookworm 12", pvBootloader: "pygrub", pvDisk: 10 * GiB, hvm: "Other install media" },
  { label: "xcp-ng-8.3", spec: () => loadSpec("xcp-ng-8.3"), pv: "Debian Wheezy 7.0 (64-bit)", pvBootloader: "eliloader", pvDisk: 8 * GiB, hvm: "Debian Bookworm 12" },
];

for (const cfg of pools) {

  test(`[${cfg.label}] templates: PV and HVM, cannot start, cannot be destroyed; clone + provision + start`, async () => {
    await withSim(cfg.spec(), { tls: false }, async (sim, _c, s) => {
      const pv = await template(s, cfg.pv);
      const hvm = await template(s, cfg.hvm);
      const pvRec = await s.call("VM.get_record", pv);
      assert.equal(pvRec.is_a_template, true);
      assert.equal(pvRec.is_default_template, true);
      assert.equal(pvRec.PV_bootloader, cfg.pvBootloader);
      assert.equal(pvRec.HVM_boot_policy, "");
      assert.equal(pvRec.domain_type, "pv");
      assert.match(pvRec.other_config.disks, new RegExp(`<provision><disk device="0" size="${cfg.pvDisk}"`));
      const hvmRec = await s.call("VM.get_record", hvm);
      assert.equal(hvmRec.HVM_boot_policy, "BIOS order");
      assert.equal(hvmRec.domain_type, "hvm");
      assert.deepEqual(await s.fails("VM.start", pv, false, false), ["VM_IS_TEMPLATE", pv]);
      assert.deepEqual(await s.fails("VM.destroy", pv), ["VM_CANNOT_DELETE_DEFAULT_TEMPLATE", pv]);

      const t = await s.task("VM.clone", pv, "web-1");
      assert.equal(t.status, "success");
      const vm = t.result.replace(/<\/?value>/g, "");
      assert.equal(await s.call("VM.get_name_label", vm), "web-1");
      assert.equal(await s.call("VM.get_is_a_template", vm), true, "a clone of a template is a template");
      assert.equal(await s.call("VM.get_is_default_template", vm), false);
      await s.call("VM.provision", vm);
      const vbds = await s.call("VM.get_VBDs", vm);
      assert.equal(vbds.length, 1);
      const vdi = await s.call("VBD.get_VDI", vbds[0]);
      assert.equal(await s.call("VDI.get_virtual_size", vdi), String(cfg.pvDisk));
      const pool = (await s.call("pool.get_all"))[0];
      assert.equal(await s.call("VDI.get_SR", vdi), await s.call("pool.get_default_SR", pool));
      assert.equal((await s.call("VM.get_other_config", vm)).disks, undefined);
      await s.call("VM.set_is_a_template", vm, false);
      const net = (await s.call("network.get_all"))[0];
      await s.call("VIF.create", { device: "0", network: net, VM: vm, MAC: "", MTU: "1500", other_config: {}, qos_algorithm_type: "", qos_algorithm_params: {} });
      const st = await s.task("VM.start", vm, false, false);
      assert.equal(st.status, "success");
      assert.equal(st.result, "");
      const rec = await s.call("VM.get_record", vm);
      assert.equal(rec.power_state, "Running");
      assert.ok(sim.hosts.some((h) => h.ref === rec.resident_on));
      assert.notEqual(rec.domid, "-1");
      assert.equal(await s.call("VBD.get_currently_attached", vbds[0]), true);
      const gm = await s.call("VM_guest_metrics.get_networks", rec.guest_metrics);
      assert.match(gm["0/ip"], /^10\./);
      assert.deepEqual(await s.fails("VM.start", vm, false, false), ["VM_BAD_POWER_STATE", vm, "halted", "running"]);
      assert.deepEqual(await s.fails("VM.destroy", vm), ["VM_BAD_POWER_STATE", vm, "halted", "running"]);
      assert.deepEqual(await s.fails("VM.clone", vm, "x"), ["VM_BAD_POWER_STATE", vm, "halted", "running"]);
      await s.call("VM.clean_shutdown", vm);
      assert.equal(await s.call("VM.get_power_state", vm), "Halted");
      assert.equal(await s.call("VM.get_resident_on", vm), "OpaqueRef:NULL");
      assert.deepEqual(await s.fails("VM.clean_shutdown", vm), ["VM_BAD_POWER_STATE", vm, "running", "halted"]);
      assert.deepEqual(await s.fails("VM.hard_shutdown", vm), ["VM_BAD_POWER_STATE", vm, "running", "halted"]);
      await s.call("VM.destroy", vm);
      assert.deepEqual(await s.fails("VM.get_record", vm), ["HANDLE_INVALID", "VM", vm]);
      assert.deepEqual(await s.fails("VBD.get_record", vbds[0]), ["HANDLE_INVALID", "VBD", vbds[0]]);
      assert.equal(await s.call("VDI.get_uuid", vdi).then(() => "kept"), "kept", "VM.destroy keeps the disks");
    });
  });

  test(`[${cfg.label}] memory limits: ordering constraint, static memory fixed while running`, async () => {
    await withSim(cfg.spec(), { tls: false }, async (_sim, _c, s) => {
      const vm = await s.call("VM.clone", await template(s, cfg.pv), "mem");
      await s.call("VM.set_is_a_template", vm, false);
      await s.call("VM.set_memory_limits", vm, String(GiB), String(4 * GiB), String(2 * GiB), String(4 * GiB));
      assert.equal(await s.call("VM.get_memory_static_max", vm), String(4 * GiB));
      assert.equal(await s.call("VM.get_memory_dynamic_min", vm), String(2 * GiB));
      assert.deepEqual(await s.fails("VM.set_memory_limits", vm, String(GiB), String(2 * GiB), String(3 * GiB), String(3 * GiB)), ["MEMORY_CONSTRAINT_VIOLATION_ORDER"]);
      assert.deepEqual(await s.fails("VM.set_memory_dynamic_range", vm, String(3 * GiB), String(2 * GiB)), ["MEMORY_CONSTRAINT_VIOLATION_ORDER"]);
      assert.deepEqual(await s.fails("VM.set_memory_static_max", vm, String(GiB)), ["MEMORY_CONSTRAINT_VIOLATION_ORDER"]);
      await s.call("VM.set_memory", vm, String(2 * GiB));
      assert.equal(await s.call("VM.get_memory_static_max", vm), String(2 * GiB));
      await s.call("VM.start", vm, false, false);
      assert.deepEqual(await s.fails("VM.set_memory_limits", vm, String(GiB), String(4 * GiB), String(2 * GiB), String(4 * GiB)), ["VM_BAD_POWER_STATE", vm, "halted", "running"]);
      assert.deepEqual(await s.fails("VM.set_memory_static_max", vm, String(8 * GiB)), ["VM_BAD_POWER_STATE", vm, "halted", "running"]);
      await s.call("VM.set_memory_dynamic_range", vm, String(GiB), String(2 * GiB)); // dynamic range may change live
      assert.equal(await s.call("VM.get_memory_dynamic_min", vm), String(GiB));
      await s.call("VM.hard_shutdown", vm);
    });
  });

  test(`[${cfg.label}] VCPUs setters and constraints; HVM boot policy; PV fields`, async () => {
    await withSim(cfg.spec(), { tls: false }, async (_sim, _c, s) => {
      const vm = await s.call("VM.clone", await template(s, cfg.pv), "cpu");
      await s.call("VM.set_is_a_template", vm, false);
      const rule = "VCPU values must satisfy: 0 < VCPUs_at_startup ≤ VCPUs_max";
      assert.deepEqual(await s.fails("VM.set_VCPUs_at_startup", vm, "2"), ["INVALID_VALUE", rule, "2"]);
      await s.call("VM.set_VCPUs_max", vm, "4");
      await s.call("VM.set_VCPUs_at_startup", vm, "4");
      assert.deepEqual(await s.fails("VM.set_VCPUs_max", vm, "2"), ["INVALID_VALUE", rule, "2"]);
      assert.deepEqual(await s.fails("VM.set_VCPUs_max", vm, "0"), ["INVALID_VALUE", rule, "0"]);
      await s.call("VM.set_VCPUs_at_startup", vm, 2); // ints accepted as <int> too
      assert.equal(await s.call("VM.get_VCPUs_at_startup", vm), "2");
      await s.call("VM.set_HVM_boot_policy", vm, "BIOS order");
      assert.equal(await s.call("VM.get_domain_type", vm), "hvm");
      await s.call("VM.set_HVM_boot_policy", vm, "");
      assert.equal(await s.call("VM.get_domain_type", vm), "pv");
      await s.call("VM.set_PV_bootloader", vm, "pygrub");
      await s.call("VM.set_PV_args", vm, "console=hvc0");
      await s.call("VM.add_to_HVM_boot_params", vm, "order", "dc");
      assert.equal(await s.call("VM.get_PV_args", vm), "console=hvc0");
      await s.call("VM.start", vm, false, false);
      assert.deepEqual(await s.fails("VM.set_VCPUs_max", vm, "8"), ["VM_BAD_POWER_STATE", vm, "halted", "running"]);
      await s.call("VM.set_VCPUs_number_live", vm, "3");
      await s.call("VM.hard_shutdown", vm);
    });
  });

  test(`[${cfg.label}] suspend/resume, pause, reboot, copy to another SR, snapshot`, async () => {
    await withSim(cfg.spec(), { tls: false }, async (sim, _c, s) => {
      const vm = await s.call("VM.clone", await template(s, cfg.pv), "life");
      await s.call("VM.provision", vm);
      await s.call("VM.set_is_a_template", vm, false);
      await s.call("VM.start_on", vm, sim.hosts[1].ref, false, false);
      assert.equal(await s.call("VM.get_resident_on", vm), sim.hosts[1].ref);
      const domid = await s.call("VM.get_domid", vm);
      await s.call("VM.clean_reboot", vm);
      assert.notEqual(await s.call("VM.get_domid", vm), domid);
      await s.call("VM.pause", vm);
      assert.equal(await s.call("VM.get_power_state", vm), "Paused");
      await s.call("VM.unpause", vm);
      const snap = await s.call("VM.snapshot", vm, "snap");
      assert.equal(await s.call("VM.get_snapshot_of", snap), vm);
      assert.deepEqual(await s.call("VM.get_snapshots", vm), [snap]);
      await s.task("VM.suspend", vm);
      assert.equal(await s.call("VM.get_power_state", vm), "Suspended");
      const svdi = await s.call("VM.get_suspend_VDI", vm);
      assert.equal(await s.call("VDI.get_type", svdi), "suspend");
      assert.deepEqual(await s.fails("VM.start", vm, false, false), ["VM_BAD_POWER_STATE", vm, "halted", "suspended"]);
      await s.call("VM.resume", vm, false, false);
      assert.equal(await s.call("VM.get_power_state", vm), "Running");
      assert.equal(await s.call("VM.get_suspend_VDI", vm), "OpaqueRef:NULL");
      await s.call("VM.hard_shutdown", vm);
      const [local] = await s.call("SR.get_by_name_label", "Local storage");
      const t = await s.task("VM.copy", vm, "copy", local);
      assert.equal(t.status, "success");
      const copy = t.result.replace(/<\/?value>/g, "");
      const vdi = await s.call("VBD.get_VDI", (await s.call("VM.get_VBDs", copy))[0]);
      assert.equal(await s.call("VDI.get_SR", vdi), local);
      // the copy's disk lives on h1's local SR: it can only start there
      assert.deepEqual((await s.fails("VM.start_on", copy, sim.hosts[2].ref, false, false)).slice(0, 1), ["VM_REQUIRES_SR"]);
      await s.call("VM.start", copy, false, false);
      assert.equal(await s.call("VM.get_resident_on", copy), sim.hosts[0].ref);
    });
  });
}

test("[xcp-ng-8.3] templates as XCP-ng 8.3 / XenServer 8 install them; provision makes their disks; the ISO library holds ISOs", async () => {
  await withSim(loadSpec("xcp-ng-8.3"), { tls: false }, async (_sim, _c, s) => {
    const debian = await s.call("VM.get_record", await template(s, "Debian Bookworm 12"));
    assert.equal(debian.reference_label, "debian-12");
    assert.equal(debian.HVM_boot_policy, "BIOS order");
    assert.deepEqual(debian.HVM_boot_params, { firmware: "uefi", order: "cdn" });
    assert.equal(debian.platform.secureboot, "auto");
    assert.equal(debian.platform["device-model"], undefined, "UEFI templates leave the device model to xapi");
    assert.equal(debian.other_config.default_template, "true");
    assert.equal(debian.other_config.linux_template, "true");
    assert.equal(debian.other_config["install-methods"], "cdrom,nfs,http,ftp");
    assert.equal(debian.other_config.disks, '<provision><disk device="0" size="10737418240" sr="" bootable="true" type="system"/></provision>');
    assert.match(debian.recommendations, /<restriction field="supports-uefi" value="yes"\/>/);
    assert.equal(debian.memory_static_min, String(GiB));
    assert.equal(debian.memory_static_max, String(2 * GiB));

    const other = await s.call("VM.get_record", await template(s, "Other install media"));
    assert.equal(other.platform["device-model"], "qemu-upstream-compat");
    assert.equal(other.other_config["install-methods"], "cdrom");
    assert.equal(other.other_config.disks, undefined, "no disks: the installer's media only");

    const windows = await s.call("VM.get_record", await template(s, "Windows Server 2022 (64-bit)"));
    assert.equal(windows.platform.viridian, "true");
    assert.equal(windows.has_vendor_device, true);
    assert.equal(windows.VCPUs_max, "2");

    const wheezy = await s.call("VM.get_record", await template(s, "Debian Wheezy 7.0 (64-bit)"));
    assert.equal(wheezy.PV_bootloader, "eliloader");
    assert.equal(wheezy.PV_args, "-- quiet console=hvc0");
    assert.equal(wheezy.domain_type, "pv");
    assert.equal(wheezy.other_config["install-distro"], "debianlike");

    // Provision: sr="" means the pool's default SR (the shared NFS SR here); a non-bootable disk stays so.
    const pool = (await s.call("pool.get_all"))[0];
    const defaultSr = await s.call("pool.get_default_SR", pool);
    const vm = await s.call("VM.clone", await template(s, "Windows Server 2022 (64-bit)"), "win-1");
    assert.equal((await s.call("VM.get_other_config", vm)).base_template_name, "Windows Server 2022 (64-bit)");
    assert.equal((await s.call("VM.get_other_config", vm)).mac_seed, undefined, "a clone gets no mac_seed of its template");
    await s.call("VM.provision", vm);
    const [vbd] = await s.call("VM.get_VBDs", vm);
    const vbdRec = await s.call("VBD.get_record", vbd);
    assert.equal(vbdRec.bootable, false);
    assert.equal(vbdRec.userdevice, "0");
    const vdi = await s.call("VDI.get_record", vbdRec.VDI);
    assert.equal(vdi.SR, defaultSr);
    assert.equal(vdi.virtual_size, String(32 * GiB));
    assert.equal(vdi.type, "system");

    // ISO library: ISO VDIs named and located by file name; the tools SR beside it.
    const [lib] = await s.call("SR.get_by_name_label", "ISO library");
    const isos = await Promise.all((await s.call("SR.get_VDIs", lib)).map((v: string) => s.call("VDI.get_record", v)));
    assert.deepEqual(isos.map((v: any) => v.name_label).sort(), ["SERVER_EVAL_x64FRE_en-us.iso", "debian-12.8.0-amd64-netinst.iso"]);
    assert.ok(isos.every((v: any) => v.location === v.name_label));
    assert.equal(await s.call("SR.get_content_type", lib), "iso");
    const [tools] = await s.call("SR.get_by_name_label", "XCP-ng Tools");
    assert.equal((await s.call("SR.get_VDIs", tools)).length, 1);
  });
});
