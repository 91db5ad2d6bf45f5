/**
 * The demo a newcomer runs (`bash scripts/demo.sh`): starts the embedded XenAPI simulator (a three-host pool),
 * runs `pulumi up` of examples/quickstart against it over TLS with a pinned certificate, shows
 * `pulumi preview --diff` of a one-field change, then destroys the stack and stops the simulator.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startSimulator, PoolSpec } from "../sim";
import { linkPackage, PulumiCli } from "./pulumi-cli";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const EXAMPLE = path.join(REPO_ROOT, "examples", "quickstart");
const WORK = path.join(REPO_ROOT, ".work", "demo");
const DEMO_PASSWORD = "demo-password";

function banner(text: string): void {
  process.stdout.write(`\n=== ${text}\n`);
}

async function main(): Promise<void> {
  const spec = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "sim", "pools", "demo.json"), "utf8")) as PoolSpec;
  spec.users = { root: DEMO_PASSWORD };
  const sim = await startSimulator(spec);
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(WORK, { recursive: true });
  linkPackage(EXAMPLE, REPO_ROOT);
  const pulumi = new PulumiCli({
    programDir: EXAMPLE,
    workDir: WORK,
    configFile: path.join(WORK, "Pulumi.demo.yaml"),
    passphrase: "demo",
    echo: true,
  });
  try {
    banner(`XenAPI simulator: pool "${spec.name}" with ${sim.hosts.length} hosts, master at ${sim.masterUrl}`);
    await pulumi.initStack(
      "demo",
      { "xen:url": sim.masterUrl, "xen:tlsFingerprint": sim.tls?.fingerprint256 ?? "" },
      { "xen:password": DEMO_PASSWORD },
    );
    banner("pulumi up");
    await pulumi.ok(["up", "--yes", "--skip-preview"]);
    banner("What xapi now has (SR.get_all_records, as the simulator holds it)");
    for (const { record } of sim.db.all("SR")) {
      const pbds = (record.PBDs as string[]).length;
      process.stdout.write(`  SR ${record.uuid}  ${String(record.type).padEnd(4)}  ${record.name_label}  (${pbds} PBDs)  other-config ${JSON.stringify(record.other_config)}\n`);
    }
    banner("A second preview changes nothing");
    await pulumi.ok(["preview", "--expect-no-changes"]);
    banner("A one-field change, as a PR check shows it: pulumi preview --diff");
    await pulumi.ok(["config", "set", "isoDescription", "ISO library (managed by Pulumi)"]);
    await pulumi.ok(["preview", "--diff"]);
    banner("pulumi destroy");
    await pulumi.ok(["destroy", "--yes", "--skip-preview"]);
    process.stdout.write(`\nXenAPI sessions opened ${sim.counters.sessionsOpened}, still open ${sim.counters.sessionsOpen}.\n`);
  } finally {
    await sim.close();
  }
}

main().catch((err) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
