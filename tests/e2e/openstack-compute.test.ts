import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { openstackStack, OpenstackStack } from "../../scripts/openstack-stack";
import { python27 } from "../unit/pythons";

/**
 * The seed end to end: examples/openstack-compute comes up from nothing on a simulated three-host pool whose dom0s
 * are real sshd hosts, a second `up` changes nothing, and destroy leaves the dom0s as they were.
 */
const WORK = path.resolve(__dirname, "..", "..", "..", ".work", "e2e", `openstack-${process.pid}`);
let stack: OpenstackStack;
const listings: string[] = [];

/** Every path under the trees the example touches in a dom0, with type, mode, link target and file hash. */
async function listing(i: number): Promise<string> {
  const r = await stack.lab.dom0s[i].exec(["sh", "-c", "for p in /etc /boot /root /images; do [ -e \"$p\" ] || [ -L \"$p\" ] || continue; find \"$p\" -printf '%p %y %m %l\\n'; find \"$p\" -type f -exec sha256sum {} +; done | sort"]);
  return r.stdout;
}

before(async () => {
  python27(); // the example's plug-ins run under Python 2.7 in the dom0s: without it, every test fails saying so
  stack = await openstackStack({ workDir: WORK, password: "openstack-e2e-password" });
  for (let i = 0; i < stack.lab.dom0s.length; i++) listings.push(await listing(i));
});
after(async () => {
  await stack?.lab.stop();
  fs.rmSync(WORK, { recursive: true, force: true });
});

test("the example comes up from nothing", async () => {
  await stack.pulumi.ok(["up", "--yes", "--skip-preview"]);
  const { sim, dom0s, localSrs, machines } = stack.lab;
  const pool = sim.db.all("pool")[0].record;
  assert.equal(pool.name_label, "openstack");
  assert.equal(sim.db.get("SR", pool.default_SR as string).name_label, "Shared VHDs", "the default SR (sr_matching_filter = default-sr:true)");
  const iso = sim.db.all("SR").find((s) => (s.record.other_config as Record<string, string>)["i18n-key"] === "local-storage-iso");
  assert.ok(iso, "an ISO SR tagged local-storage-iso");
  const vm = sim.db.all("VM").find((v) => v.record.name_label === "nova-compute")!.record;
  assert.equal(vm.power_state, "Running");
  assert.equal(vm.HVM_boot_policy, "", "the nova-compute VM is PV, as the guide requires");
  for (const [i, dom0] of dom0s.entries()) {
    const links = await dom0.exec(["sh", "-c", "readlink /boot/guest; readlink /images; ls /etc/xapi.d/plugins"]);
    assert.match(links.stdout, new RegExp(`^/var/run/sr-mount/${localSrs[i]}/os-guest-kernels\\n/var/run/sr-mount/${localSrs[i]}/images\\n`));
    assert.match(links.stdout, /nova_plugin_version/);
    assert.match(links.stdout, /xenhost/);
    for (const [j, peer] of dom0s.entries()) {
      if (i === j) continue;
      const ssh = await dom0.exec(["ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "-i", "/root/.ssh/id_rsa", `root@${peer.name}`, "hostname"]);
      assert.equal(ssh.stdout.trim(), peer.name, `root trust ${dom0.name} -> ${peer.name}: ${ssh.stderr}`);
    }
  }
  const conf = (await machines["nova-compute"].exec(["cat", "/etc/nova/nova.conf"])).stdout;
  assert.match(conf, /^firewall_driver = nova\.virt\.xenapi\.firewall\.Dom0IptablesFirewallDriver$/m);
  assert.match(conf, /^compute_driver = xenapi\.XenAPIDriver$/m);
  assert.match(conf, /^sr_matching_filter = default-sr:true$/m);
  assert.match(conf, new RegExp(`^connection_password = ${stack.password}$`, "m"), "nova gets the password in its own config file");
});

test("the resources' outputs reach the program: dom0 public keys, the configured driver, the VM's uuid", async () => {
  const outputs = JSON.parse((await stack.pulumi.ok(["stack", "output", "--json"])).stdout) as Record<string, unknown>;
  const keys = outputs.dom0PublicKeys as string[];
  assert.equal(keys.length, 3);
  for (const key of keys) assert.match(key, /^ssh-(rsa|ed25519) /);
  assert.equal(outputs.firewallDriver, "nova.virt.xenapi.firewall.Dom0IptablesFirewallDriver");
  assert.equal(outputs.computeVmUuid, stack.lab.sim.db.all("VM").find((v) => v.record.name_label === "nova-compute")!.record.uuid);
});

test("a second up changes nothing, in Pulumi's plan and in xapi", async () => {
  const writes = stack.lab.sim.counters.writeCalls();
  const up = await stack.pulumi.run(["up", "--yes", "--expect-no-changes"]);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  assert.equal(stack.lab.sim.counters.writeCalls() - writes, 0, "no write call to xapi");
});

test("the state and the backend hold neither the password nor the SSH private key", async () => {
  const keyBody = stack.lab.operatorKey.split("\n")[1];
  for (const file of stack.pulumi.backendFiles()) {
    const text = fs.readFileSync(file, "utf8");
    assert.ok(!text.includes(stack.password), `${file} holds the password`);
    assert.ok(!text.includes(keyBody), `${file} holds the private key`);
  }
});

test("destroy removes the VM and leaves every dom0 as it was", async () => {
  await stack.pulumi.ok(["destroy", "--yes", "--skip-preview"]);
  const { sim } = stack.lab;
  assert.equal(sim.db.all("VM").filter((v) => v.record.name_label === "nova-compute").length, 0);
  for (let i = 0; i < stack.lab.dom0s.length; i++) assert.equal(await listing(i), listings[i], `dom0 ${stack.lab.dom0s[i].name} is as it was`);
  assert.equal(sim.counters.sessionsOpen, 0);
});
