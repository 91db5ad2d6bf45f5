import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { startSimulator, Simulator, PoolSpec } from "../../sim";
import { PluginProject } from "./plugin-harness";
import { srVmScenario } from "./plugin-sr-vm-scenario";

/**
 * A Go program on the `xen` provider plugin, with the Go SDK generated from the plugin's schema
 * (scripts/gen-sdk.sh go) and used as a Go module through a `replace` line: an SR and a VM on it, a one-field
 * change, an SR change that leaves the VM alone, destroy. The Go host (pulumi-language-go, built by
 * scripts/build-language-hosts.sh) builds the program with `go build` on every command; the module and build
 * caches are Go's defaults (~/go/pkg/mod, ~/.cache/go-build), kept between runs, so only the first run is slow.
 * Needs Go: without it the set-up fails (it does not skip).
 */
const PASSWORD = "e2e-plugin-go-password";
const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const SDK_MODULE = "github.com/pulumi-xen/pulumi-xen/sdk/go/xen";
/** The Pulumi Go SDK the program builds with: the CLI's version, which the module proxy serves. */
const PULUMI_SDK_VERSION = "v3.259.0";

const PROGRAM = `package main

import (
	"encoding/json"
	"os"

	"${SDK_MODULE}"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

type spec struct {
	Sr struct {
		Name        string \`json:"name"\`
		Description string \`json:"description"\`
	} \`json:"sr"\`
	Vm struct {
		Tags []string \`json:"tags"\`
	} \`json:"vm"\`
}

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		data, err := os.ReadFile("spec.json")
		if err != nil {
			return err
		}
		var s spec
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		store, err := xen.NewStorageRepository(ctx, "store", &xen.StorageRepositoryArgs{
			Name:         pulumi.String(s.Sr.Name),
			Description:  pulumi.String(s.Sr.Description),
			Type:         pulumi.String("nfs"),
			DeviceConfig: pulumi.StringMap{"server": pulumi.String("nfs.example.org"), "serverpath": pulumi.String("/export/go")},
		})
		if err != nil {
			return err
		}
		web, err := xen.NewVm(ctx, "web", &xen.VmArgs{
			Name:     pulumi.String("go-web"),
			Template: pulumi.String("Debian Bookworm 12"),
			BootMode: pulumi.String("pv"),
			Memory: xen.VmMemoryArgs{
				StaticMax:  pulumi.String("1GiB"),
				DynamicMin: pulumi.String("512MiB"),
				DynamicMax: pulumi.String("1GiB"),
			},
			Vcpus: pulumi.Int(1),
			Disks: xen.VmDiskArray{xen.VmDiskArgs{Size: pulumi.String("12GiB"), Bootable: pulumi.Bool(true)}},
			Tags:  pulumi.ToStringArray(s.Vm.Tags),
			Sr:    store.Uuid,
		})
		if err != nil {
			return err
		}
		ctx.Export("vmUuid", web.Uuid)
		ctx.Export("srUuid", store.Uuid)
		return nil
	})
}
`;

let sim: Simulator;
let project: PluginProject;
let sdkDir: string;
const declare = (srDescription: string, vmTags: string[]) =>
  project.write({ "spec.json": JSON.stringify({ sr: { name: "go NFS", description: srDescription }, vm: { tags: vmTags } }) });

before(async () => {
  let goVersion: string;
  try {
    goVersion = execFileSync("go", ["version"], { encoding: "utf8" }).trim();
  } catch (e) {
    throw new Error(`Go is required for Go programs (the Go language host builds them with \`go build\`): ${(e as Error).message}`);
  }
  assert.match(goVersion, /^go version go1\./);
  const spec = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../../sim/pools/demo.json"), "utf8")) as PoolSpec;
  sim = await startSimulator({ ...spec, users: { root: PASSWORD } });
  sdkDir = path.join(REPO_ROOT, ".work", "go-sdk");
  fs.rmSync(sdkDir, { recursive: true, force: true });
  execFileSync("bash", [path.join(REPO_ROOT, "scripts", "gen-sdk.sh"), "go", sdkDir], { stdio: "inherit" });
  const version = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).version as string;
  project = await PluginProject.onSimulator("plugin-go", "go", sim, PASSWORD);
  // As a user's program depends on the generated SDK: required at the package's version, replaced by its directory.
  project.write({
    "main.go": PROGRAM,
    "go.mod": `module plugin-go\n\ngo 1.25\n\nrequire (\n\t${SDK_MODULE} v${version}\n\tgithub.com/pulumi/pulumi/sdk/v3 ${PULUMI_SDK_VERSION}\n)\n\nreplace ${SDK_MODULE} => ${sdkDir}\n`,
  });
  // go.sum, from the module cache once it holds the modules (the module proxy otherwise).
  execFileSync("go", ["mod", "tidy"], { cwd: project.dir, stdio: "inherit" });
});
after(async () => {
  project?.cleanup();
  await sim?.close();
});

test("the SDK generated from the schema is a Go module with the resources, under its import path", () => {
  assert.match(fs.readFileSync(path.join(sdkDir, "go.mod"), "utf8"), new RegExp(`^module ${SDK_MODULE}$`, "m"));
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(sdkDir, "pulumi-plugin.json"), "utf8")), { resource: true, name: "xen", version: "0.1.0" });
  const vm = fs.readFileSync(path.join(sdkDir, "vm.go"), "utf8");
  assert.match(vm, /^package xen$/m);
  assert.match(vm, /func NewVm\(ctx \*pulumi\.Context/);
  assert.match(vm, /BootMode pulumi\.StringPtrInput/);
  assert.match(vm, /"xen:index:Vm"/);
});

srVmScenario({ language: "Go", project: () => project, sim: () => sim, declare, vmName: "go-web", srName: "go NFS" });
