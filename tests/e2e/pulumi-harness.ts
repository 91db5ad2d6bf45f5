import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as crypto from "node:crypto";

/**
 * Drives the real `pulumi` CLI (built by scripts/build-pulumi-cli.sh) against a local file backend, on a generated
 * program that declares the resources listed in its `resources.json`. Tests rewrite that file between steps.
 */
export interface ResourceDeclaration {
  kind: string; // an export of pulumi-xen, e.g. "StorageRepository"
  name: string;
  args: Record<string, unknown>;
  /** pulumi.CustomResourceOptions that are plain JSON (protect, ignoreChanges ...). */
  options?: Record<string, unknown>;
  /** Args given as `pulumi.secret(...)`. */
  secretArgs?: string[];
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const PASSPHRASE = "e2e-passphrase-not-a-secret";

const PROGRAM = `"use strict";
const pulumi = require("@pulumi/pulumi");
const xen = require("pulumi-xen");
const declared = require("./resources.json");
const out = {};
for (const r of declared) {
  const args = { ...r.args };
  for (const key of r.secretArgs || []) args[key] = pulumi.secret(args[key]);
  const resource = new xen[r.kind](r.name, args, r.options || {});
  out[r.name] = resource;
}
module.exports = out;
`;

export class PulumiProject {
  readonly dir: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(readonly name: string) {
    // Inside the repo (git-ignored) so that @pulumi/pulumi and pulumi-xen resolve to the repo's own copies.
    this.dir = path.join(REPO_ROOT, ".work", "e2e", `${name}-${crypto.randomBytes(4).toString("hex")}`);
    const backend = path.join(this.dir, "backend");
    fs.mkdirSync(path.join(this.dir, "node_modules"), { recursive: true });
    fs.mkdirSync(backend, { recursive: true });
    fs.symlinkSync(REPO_ROOT, path.join(this.dir, "node_modules", "pulumi-xen"));
    fs.writeFileSync(path.join(this.dir, "Pulumi.yaml"), `name: ${name}\nruntime: nodejs\n`);
    fs.writeFileSync(path.join(this.dir, "package.json"), JSON.stringify({ name, main: "index.js" }));
    fs.writeFileSync(path.join(this.dir, "index.js"), PROGRAM);
    this.declare([]);
    this.env = {
      ...process.env,
      PULUMI_HOME: path.join(this.dir, "pulumi-home"),
      PULUMI_BACKEND_URL: `file://${backend}`,
      PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_CONFIRMATIONS: "true",
      // The provider must take its connection from stack config, not from the test runner's environment.
      XEN_URL: "",
      XEN_PASSWORD: "",
    };
  }

  get backendDir(): string {
    return path.join(this.dir, "backend");
  }

  declare(resources: ResourceDeclaration[]): void {
    fs.writeFileSync(path.join(this.dir, "resources.json"), JSON.stringify(resources, null, 2));
  }

  async init(config: Record<string, string>, secrets: Record<string, string> = {}): Promise<void> {
    await this.ok(["stack", "init", "test"]);
    for (const [k, v] of Object.entries(config)) await this.ok(["config", "set", k, v]);
    for (const [k, v] of Object.entries(secrets)) await this.ok(["config", "set", "--secret", k, v]);
  }

  run(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      const child = spawn("pulumi", [...args, "--non-interactive", "--color", "never"], {
        cwd: this.dir,
        env: { ...this.env, ...options.env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  }

  /** Runs and fails with the CLI's output when it exits non-zero. */
  async ok(args: string[]): Promise<CommandResult> {
    const result = await this.run(args);
    if (result.code !== 0) {
      throw new Error(`pulumi ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
    }
    return result;
  }

  up(): Promise<CommandResult> {
    return this.ok(["up", "--yes", "--skip-preview"]);
  }

  /** `pulumi preview --json`: the steps the engine plans, with their ops and diff reasons. */
  async previewSteps(): Promise<PreviewStep[]> {
    const result = await this.ok(["preview", "--json"]);
    const parsed = JSON.parse(result.stdout) as { steps?: PreviewStep[] };
    return (parsed.steps ?? []).filter((s) => s.op !== "same" && !s.urn.includes("pulumi:pulumi:Stack"));
  }

  async stackExport(): Promise<string> {
    return (await this.ok(["stack", "export", "--show-secrets=false"])).stdout;
  }

  /** Every file the backend wrote (state, history, backups), for secret scans. */
  backendFiles(): string[] {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else files.push(p);
      }
    };
    walk(this.backendDir);
    return files;
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface PreviewStep {
  op: string; // create | update | replace | create-replacement | delete-replaced | delete | same | read ...
  urn: string;
  diffReasons?: string[];
  replaceReasons?: string[];
  detailedDiff?: Record<string, { kind: string }>;
}

/** The step for resource `name`, with replace sub-steps folded into one "replace". */
export function stepFor(steps: PreviewStep[], name: string): PreviewStep | undefined {
  const mine = steps.filter((s) => s.urn.endsWith(`::${name}`));
  return mine.find((s) => s.op === "replace") ?? mine.find((s) => s.op === "create-replacement") ?? mine[0];
}
