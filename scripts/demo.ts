/**
 * The demo a newcomer runs (`bash scripts/demo.sh`): the OpenStack guide's setup, as examples/openstack-compute
 * declares it, applied to a simulated three-host pool whose dom0s are real sshd test hosts (sim/lab.ts):
 *   pulumi up  ->  what xapi and the dom0s now hold  ->  a second preview (no changes)  ->
 *   pulumi preview --diff of a one-field change  ->  pulumi destroy (the dom0s are as they were).
 */
import * as path from "node:path";
import { openstackStack } from "./openstack-stack";

const WORK = path.resolve(__dirname, "..", "..", ".work", "demo");

function banner(text: string): void {
  process.stdout.write(`\n=== ${text}\n`);
}

async function main(): Promise<void> {
  const { lab, pulumi } = await openstackStack({ workDir: WORK, password: "demo-password", echo: true });
  const { sim } = lab;
  try {
    banner(`Simulated pool: ${sim.hosts.map((h) => h.name).join(", ")}; master ${sim.masterUrl}; each dom0 a real sshd`);

    banner("pulumi up");
    await pulumi.ok(["up", "--yes", "--skip-preview"]);

    banner("What the pool now holds");
    const pool = sim.db.all("pool")[0].record;
    process.stdout.write(`  pool "${pool.name_label}", default SR "${sim.db.get("SR", pool.default_SR as string).name_label}"\n`);
    for (const { record } of sim.db.all("SR").filter((s) => ["iso", "nfs"].includes(String(s.record.type)))) {
      process.stdout.write(`  SR ${String(record.type).padEnd(4)} ${record.name_label}: other-config ${JSON.stringify(record.other_config)}, ${(record.PBDs as string[]).length} PBDs\n`);
    }
    for (const { record } of sim.db.all("VM").filter((v) => !v.record.is_a_template && !v.record.is_control_domain)) {
      process.stdout.write(`  VM ${record.name_label}: ${record.power_state}, PV bootloader ${record.PV_bootloader}, ${Number(record.memory_static_max) / 1024 ** 3} GiB, ${record.VCPUs_at_startup} vCPUs\n`);
    }
    for (const dom0 of lab.dom0s) {
      const links = await dom0.exec(["sh", "-c", "readlink /boot/guest; readlink /images; ls /etc/xapi.d/plugins | tr '\\n' ' '"]);
      process.stdout.write(`  dom0 ${dom0.name}: ${links.stdout.trim().split("\n").join(" | ")}\n`);
    }
    const trust = await lab.dom0s[0].exec(["ssh", "-o", "BatchMode=yes", "-i", "/root/.ssh/id_rsa", `root@${lab.dom0s[1].name}`, "hostname"]);
    process.stdout.write(`  root trust: ${lab.dom0s[0].name} -> ssh root@${lab.dom0s[1].name} -> ${trust.stdout.trim() || trust.stderr.trim()}\n`);
    const novaConf = await lab.machines["nova-compute"].exec(["cat", "/etc/nova/nova.conf"]);
    process.stdout.write(`  nova.conf on the nova-compute VM:\n${novaConf.stdout.replace(/^(connection_password\s*=).*$/m, "$1 ********").replace(/^/gm, "    ")}\n`);

    banner("A second preview changes nothing");
    await pulumi.ok(["preview", "--expect-no-changes"]);

    banner("A one-field change, as a PR check shows it: pulumi preview --diff");
    await pulumi.ok(["config", "set", "agentVersionTimeout", "600"]);
    await pulumi.ok(["preview", "--diff"]);

    banner("pulumi destroy");
    await pulumi.ok(["destroy", "--yes", "--skip-preview"]);
    process.stdout.write(`\nXenAPI sessions opened ${sim.counters.sessionsOpened}, still open ${sim.counters.sessionsOpen}.\n`);
  } finally {
    await lab.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
