import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { startSimulator, Simulator } from "../../sim";
import { linkPackage, PulumiCli } from "../../scripts/pulumi-cli";

/** examples/quickstart, as a newcomer would run it, against the simulator. */
const REPO = path.resolve(__dirname, "..", "..", "..");
const EXAMPLE = path.join(REPO, "examples", "quickstart");
const WORK = path.join(REPO, ".work", "e2e", `quickstart-${process.pid}`);
let sim: Simulator;
let pulumi: PulumiCli;

before(async () => {
  sim = await startSimulator({ name: "quick", hosts: [{ name: "xs1" }, { name: "xs2" }], users: { root: "quick-pw" } });
  fs.mkdirSync(WORK, { recursive: true });
  linkPackage(EXAMPLE, REPO);
  pulumi = new PulumiCli({ programDir: EXAMPLE, workDir: WORK, configFile: path.join(WORK, "Pulumi.quick.yaml"), passphrase: "quick" });
  await pulumi.initStack("quick", { "xen:url": sim.masterUrl, "xen:tlsFingerprint": sim.tls!.fingerprint256 }, { "xen:password": "quick-pw" });
});
after(async () => {
  await sim?.close();
  fs.rmSync(WORK, { recursive: true, force: true });
});

test("the quickstart comes up, previews quietly, shows a config change as one field, and goes away", async () => {
  const up = await pulumi.ok(["up", "--yes", "--skip-preview"]);
  assert.match(up.stdout, /\+ 3 created/);
  const iso = sim.db.all("SR").find((s) => s.record.name_label === "ISO library")!;
  assert.equal((iso.record.other_config as Record<string, string>)["i18n-key"], "local-storage-iso");
  const outputs = JSON.parse((await pulumi.ok(["stack", "output", "--json"])).stdout) as Record<string, unknown>;
  assert.equal(outputs.isoLibraryUuid, iso.record.uuid, "the SR's uuid output reaches the program");
  assert.deepEqual(outputs.vhdStoreHosts, sim.hosts.map((h) => h.uuid).sort(), "the shared SR is plugged on every host");
  assert.equal((await pulumi.run(["preview", "--expect-no-changes"])).code, 0);
  await pulumi.ok(["config", "set", "isoDescription", "changed"]);
  const preview = await pulumi.ok(["preview", "--diff"]);
  assert.match(preview.stdout, /~ description\s*: "ISO library for boot-from-ISO" => "changed"/);
  assert.match(preview.stdout, /~ 1 to update/);
  await pulumi.ok(["destroy", "--yes", "--skip-preview"]);
  assert.equal(sim.db.all("SR").filter((s) => ["ISO library", "NFS VHDs"].includes(String(s.record.name_label))).length, 0);
});
