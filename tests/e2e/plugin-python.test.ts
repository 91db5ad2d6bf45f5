import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { startSimulator, Simulator, PoolSpec } from "../../sim";
import { PluginProject, pythonVenv } from "./plugin-harness";
import { srVmScenario } from "./plugin-sr-vm-scenario";

/**
 * A Python program on the `xen` provider plugin, with the Python SDK generated from the plugin's schema
 * (scripts/gen-sdk.sh python): an SR and a VM on it, a one-field change, an SR change that leaves the VM alone,
 * destroy.
 */
const PASSWORD = "e2e-plugin-python-password";
const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

const PROGRAM = `import json
import pulumi
import pulumi_xen as xen

spec = json.load(open("spec.json"))
store = xen.StorageRepository("store",
    name=spec["sr"]["name"],
    description=spec["sr"]["description"],
    type="nfs",
    device_config={"server": "nfs.example.org", "serverpath": "/export/python"})
web = xen.Vm("web",
    name="python-web",
    template="Debian Bookworm 12",
    boot_mode="pv",
    memory=xen.VmMemoryArgs(static_max="1GiB", dynamic_min="512MiB", dynamic_max="1GiB"),
    vcpus=1,
    disks=[xen.VmDiskArgs(size="12GiB", bootable=True)],
    tags=spec["vm"]["tags"],
    sr=store.uuid)
pulumi.export("vmUuid", web.uuid)
pulumi.export("srUuid", store.uuid)
`;

let sim: Simulator;
let project: PluginProject;
let sdkDir: string;
const declare = (srDescription: string, vmTags: string[]) =>
  project.write({ "__main__.py": PROGRAM, "spec.json": JSON.stringify({ sr: { name: "python NFS", description: srDescription }, vm: { tags: vmTags } }) });

before(async () => {
  const spec = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../../sim/pools/demo.json"), "utf8")) as PoolSpec;
  sim = await startSimulator({ ...spec, users: { root: PASSWORD } });
  sdkDir = path.join(REPO_ROOT, ".work", "python-sdk");
  fs.rmSync(sdkDir, { recursive: true, force: true });
  execFileSync("bash", [path.join(REPO_ROOT, "scripts", "gen-sdk.sh"), "python", sdkDir], { stdio: "inherit" });
  // Installed as a user would (`pip install <sdk>`), into a directory of this test's own: the shared virtualenv
  // keeps only Pulumi's SDK.
  const site = path.join(REPO_ROOT, ".work", "python-site");
  fs.rmSync(site, { recursive: true, force: true });
  execFileSync(path.join(pythonVenv(), "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", "--no-deps", "--no-build-isolation", "--target", site, sdkDir], { stdio: "inherit" });
  process.env.PYTHONPATH = site;
  project = await PluginProject.onSimulator("plugin-python", "python", sim, PASSWORD);
});
after(async () => {
  project?.cleanup();
  await sim?.close();
});

test("the SDK generated from the schema has the resources, with Python names", () => {
  const vm = fs.readFileSync(path.join(sdkDir, "pulumi_xen", "vm.py"), "utf8");
  assert.match(vm, /class Vm\(pulumi\.CustomResource\)/);
  assert.match(vm, /boot_mode: pulumi\.Input/);
  assert.match(vm, /xen:index:Vm/);
});

srVmScenario({ language: "Python", project: () => project, sim: () => sim, declare, vmName: "python-web", srName: "python NFS" });
