import * as fs from "node:fs";
import * as path from "node:path";
import * as crypto from "node:crypto";
import { CommandResult, linkPackage, PulumiCli } from "../../scripts/pulumi-cli";
import type { PreviewStep } from "../../cli/preview-summary";

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
  private readonly cli: PulumiCli;

  constructor(readonly name: string) {
    // Inside the repo (git-ignored) so that @pulumi/pulumi resolves to the repo's own copy.
    this.dir = path.join(REPO_ROOT, ".work", "e2e", `${name}-${crypto.randomBytes(4).toString("hex")}`);
    fs.mkdirSync(this.dir, { recursive: true });
    linkPackage(this.dir, REPO_ROOT);
    fs.writeFileSync(path.join(this.dir, "Pulumi.yaml"), `name: ${name}\nruntime: nodejs\n`);
    fs.writeFileSync(path.join(this.dir, "package.json"), JSON.stringify({ name, main: "index.js" }));
    fs.writeFileSync(path.join(this.dir, "index.js"), PROGRAM);
    this.declare([]);
    this.cli = new PulumiCli({
      programDir: this.dir,
      workDir: this.dir,
      passphrase: PASSPHRASE,
      // The provider must take its connection from stack config, not from the test runner's environment.
      env: { XEN_URL: "", XEN_PASSWORD: "" },
    });
  }

  declare(resources: ResourceDeclaration[]): void {
    fs.writeFileSync(path.join(this.dir, "resources.json"), JSON.stringify(resources, null, 2));
  }

  /** A project whose stack talks to `sim` (TLS pinned to its certificate, password as a secret). */
  static async onSimulator(name: string, sim: { masterUrl: string; tls?: { fingerprint256: string } }, password: string): Promise<PulumiProject> {
    const project = new PulumiProject(name);
    await project.init({ "xen:url": sim.masterUrl, "xen:tlsFingerprint": sim.tls?.fingerprint256 ?? "" }, { "xen:password": password });
    return project;
  }

  init(config: Record<string, string>, secrets: Record<string, string> = {}): Promise<void> {
    return this.cli.initStack("test", config, secrets);
  }

  /** Runs `pulumi <args>`; with `onSpawn`, in a process group of its own, its pid handed over (to kill the run). */
  run(args: string[], onSpawn?: (pid: number) => void): Promise<CommandResult> {
    return this.cli.run(args, undefined, onSpawn);
  }

  ok(args: string[]): Promise<CommandResult> {
    return this.cli.ok(args);
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
    return (await this.ok(["stack", "export"])).stdout;
  }

  /** Every file the backend wrote (state, history, backups), for secret scans. */
  backendFiles(): string[] {
    return this.cli.backendFiles();
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export { changedInputs } from "../../cli/preview-summary";
export type { PreviewStep } from "../../cli/preview-summary";

/** The step for resource `name`, with replace sub-steps folded into one "replace". */
export function stepFor(steps: PreviewStep[], name: string): PreviewStep | undefined {
  const mine = steps.filter((s) => s.urn.endsWith(`::${name}`));
  return mine.find((s) => s.op === "replace") ?? mine.find((s) => s.op === "create-replacement") ?? mine[0];
}
