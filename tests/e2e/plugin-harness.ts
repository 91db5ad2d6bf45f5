import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { CommandResult, linkPackage, PulumiCli } from "../../scripts/pulumi-cli";
import type { PreviewStep } from "../../cli/preview-summary";

/**
 * Drives the real `pulumi` CLI on a program in any language that uses the `xen` provider plugin
 * (scripts/build-plugin.sh, put on PATH as Pulumi finds ambient plugins), against a local file backend.
 */
const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const PASSPHRASE = "e2e-passphrase-not-a-secret";

let pluginDir: string | undefined;
/** Builds the plugin once per test process, from this checkout's compiled code. */
export function pluginBinDir(): string {
  if (!pluginDir) {
    const out = path.join(REPO_ROOT, ".work", "plugin-bin");
    pluginDir = execFileSync("bash", [path.join(REPO_ROOT, "scripts", "build-plugin.sh"), out], { encoding: "utf8" }).trim().split("\n").pop()!;
  }
  return pluginDir;
}

/** The Python virtualenv scripts/build-language-hosts.sh made (Pulumi's SDK from PyPI). */
export function pythonVenv(): string {
  const cache = process.env.PULUMI_XEN_CACHE ?? path.join(process.env.HOME ?? "/root", ".cache", "pulumi-xen");
  return path.join(cache, "python-venv-3.259.0");
}

export type Runtime = "nodejs" | "yaml" | "python" | "go";

export class PluginProject {
  readonly dir: string;
  private readonly cli: PulumiCli;

  /** `files`: the program (file name → content), written beside a Pulumi.yaml for `runtime`. */
  /** `pluginOnPath` false: the plugin is not on PATH (a test installs it with `pulumi plugin install`). */
  constructor(readonly name: string, readonly runtime: Runtime, files: Record<string, string> = {}, pluginOnPath = true) {
    this.dir = path.join(REPO_ROOT, ".work", "e2e", `${name}-${crypto.randomBytes(4).toString("hex")}`);
    fs.mkdirSync(this.dir, { recursive: true });
    if (runtime === "nodejs") {
      linkPackage(this.dir, REPO_ROOT);
      fs.writeFileSync(path.join(this.dir, "package.json"), JSON.stringify({ name, main: "index.js" }));
    }
    this.write(files);
    this.cli = new PulumiCli({
      programDir: this.dir,
      workDir: this.dir,
      passphrase: PASSPHRASE,
      // Connection from stack config only; the plugin found on PATH.
      env: {
        XEN_URL: "",
        XEN_PASSWORD: "",
        // The Python host this CLI runs (sdk/v3 v3.68.0) does not read runtime options from the engine: the
        // virtualenv's python is given through PATH and PULUMI_PYTHON_CMD instead.
        PATH: [...(pluginOnPath ? [pluginBinDir()] : []), ...(runtime === "python" ? [path.join(pythonVenv(), "bin")] : []), process.env.PATH].join(":"),
        ...(runtime === "python" ? { PULUMI_PYTHON_CMD: path.join(pythonVenv(), "bin", "python") } : {}),
      },
    });
  }

  /** Writes program files; `Pulumi.yaml`'s body (resources, for YAML) follows the runtime header. */
  write(files: Record<string, string>, pulumiYamlBody = ""): void {
    const runtime = this.runtime === "python"
      ? `runtime:\n  name: python\n  options:\n    virtualenv: ${pythonVenv()}\n`
      : `runtime: ${this.runtime}\n`;
    fs.writeFileSync(path.join(this.dir, "Pulumi.yaml"), `name: ${this.name}\n${runtime}${pulumiYamlBody}`);
    for (const [file, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(this.dir, file)), { recursive: true });
      fs.writeFileSync(path.join(this.dir, file), content);
    }
  }

  /** Creates the stack `test` with `config`, and `secrets` stored encrypted (set-all: a PEM key starts with "-"). */
  async init(config: Record<string, string>, secrets: Record<string, string> = {}): Promise<void> {
    await this.cli.initStack("test", config);
    if (Object.keys(secrets).length > 0) await this.ok(["config", "set-all", ...Object.entries(secrets).flatMap(([k, v]) => ["--secret", `${k}=${v}`])]);
  }

  static async onSimulator(
    name: string,
    runtime: Runtime,
    sim: { masterUrl: string; tls?: { fingerprint256: string } },
    password: string,
    pluginOnPath = true,
  ): Promise<PluginProject> {
    const project = new PluginProject(name, runtime, {}, pluginOnPath);
    await project.cli.initStack("test", { "xen:url": sim.masterUrl, "xen:tlsFingerprint": sim.tls?.fingerprint256 ?? "" }, { "xen:password": password });
    return project;
  }

  run(args: string[]): Promise<CommandResult> {
    return this.cli.run(args);
  }

  ok(args: string[]): Promise<CommandResult> {
    return this.cli.ok(args);
  }

  up(): Promise<CommandResult> {
    return this.ok(["up", "--yes", "--skip-preview"]);
  }

  /** `pulumi preview --json`: the steps other than `same`, with the engine's detailed diff. */
  async previewSteps(): Promise<PreviewStep[]> {
    const parsed = JSON.parse((await this.ok(["preview", "--json"])).stdout) as { steps?: PreviewStep[] };
    return (parsed.steps ?? []).filter((s) => s.op !== "same" && !s.urn.includes("pulumi:pulumi:Stack"));
  }

  /** The stack's resources as `pulumi stack export` has them. */
  async resources(): Promise<Array<{ urn: string; type: string; id?: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }>> {
    const exported = JSON.parse((await this.ok(["stack", "export"])).stdout);
    return exported.deployment.resources ?? [];
  }

  backendFiles(): string[] {
    return this.cli.backendFiles();
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export type { PreviewStep } from "../../cli/preview-summary";

/** The step for resource `name` (one definition, beside the dynamic provider's harness). */
export { stepFor } from "./pulumi-harness";
