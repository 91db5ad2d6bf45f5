import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Runs the real `pulumi` CLI (scripts/build-pulumi-cli.sh puts it on PATH) for one program directory, with its own
 * PULUMI_HOME and a local file backend. Shared by the demo, the end-to-end tests and the benchmarks.
 */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface PulumiCliOptions {
  /** The Pulumi program's directory (holds Pulumi.yaml). */
  programDir: string;
  /** Where the backend, PULUMI_HOME and (optionally) the stack config file live. */
  workDir: string;
  /** Keep the stack's config outside the program directory (so examples stay clean). */
  configFile?: string;
  passphrase: string;
  env?: NodeJS.ProcessEnv;
  /** Echo the CLI's output while it runs. */
  echo?: boolean;
}

export class PulumiCli {
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly options: PulumiCliOptions) {
    const backend = path.join(options.workDir, "backend");
    fs.mkdirSync(backend, { recursive: true });
    this.env = {
      ...process.env,
      PULUMI_HOME: path.join(options.workDir, "pulumi-home"),
      PULUMI_BACKEND_URL: `file://${backend}`,
      PULUMI_CONFIG_PASSPHRASE: options.passphrase,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_CONFIRMATIONS: "true",
      ...options.env,
    };
  }

  get backendDir(): string {
    return path.join(this.options.workDir, "backend");
  }

  /**
   * Runs `pulumi <args>`; `input` goes to its standard input (how secrets are passed: never as arguments).
   * `onSpawn` gets the CLI's pid; the CLI then runs in a process group of its own (so a test can kill the run).
   */
  run(args: string[], input?: string, onSpawn?: (pid: number) => void): Promise<CommandResult> {
    const configArgs = this.options.configFile && usesConfig(args) ? ["--config-file", this.options.configFile] : [];
    return new Promise((resolve, reject) => {
      const child = spawn("pulumi", [...args, ...configArgs, "--non-interactive", "--color", "never"], {
        cwd: this.options.programDir,
        env: this.env,
        stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
        detached: onSpawn !== undefined,
      });
      if (onSpawn && child.pid !== undefined) onSpawn(child.pid);
      if (input !== undefined) child.stdin!.end(input);
      let stdout = "";
      let stderr = "";
      child.stdout!.on("data", (d) => {
        stdout += d;
        if (this.options.echo) process.stdout.write(d);
      });
      child.stderr!.on("data", (d) => {
        stderr += d;
        if (this.options.echo) process.stderr.write(d);
      });
      child.on("error", reject);
      child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  }

  /** Runs and fails with the CLI's output when it exits non-zero. */
  async ok(args: string[], input?: string): Promise<CommandResult> {
    const result = await this.run(args, input);
    if (result.code !== 0) {
      throw new Error(`pulumi ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
    }
    return result;
  }

  /** Creates the stack and sets its config; `secrets` are stored encrypted. */
  async initStack(stack: string, config: Record<string, string>, secrets: Record<string, string> = {}): Promise<void> {
    await this.ok(["stack", "init", stack]);
    // `stack init` writes the stack's settings (its encryption salt) beside Pulumi.yaml; keep them with the rest.
    const written = path.join(this.options.programDir, `Pulumi.${stack}.yaml`);
    if (this.options.configFile && fs.existsSync(written)) fs.renameSync(written, this.options.configFile);
    for (const [k, v] of Object.entries(config)) await this.ok(["config", "set", k, v]);
    // Through standard input: a secret never appears in a command line, a process list or an error message.
    for (const [k, v] of Object.entries(secrets)) await this.ok(["config", "set", "--secret", "--raw", k], v);
  }

  /** Sets a structured config value (a list or map), leaf by leaf with its type, as `config set --path` does. */
  async setConfigObject(key: string, value: unknown): Promise<void> {
    const leaves: Array<[string, string, string]> = [];
    const walk = (path: string, v: unknown) => {
      if (Array.isArray(v)) v.forEach((item, i) => walk(`${path}[${i}]`, item));
      else if (v && typeof v === "object") for (const [k, item] of Object.entries(v)) walk(`${path}.${k}`, item);
      else leaves.push([path, String(v), typeof v === "number" ? (Number.isInteger(v) ? "int" : "float") : typeof v === "boolean" ? "bool" : "string"]);
    };
    walk(key, value);
    for (const [path, v, type] of leaves) await this.ok(["config", "set", "--path", "--type", type, path, v]);
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
}

const CONFIG_COMMANDS = new Set(["config", "up", "preview", "refresh", "destroy", "import"]);
function usesConfig(args: string[]): boolean {
  return CONFIG_COMMANDS.has(args[0]);
}

/** Makes `require("pulumi-xen")` in `programDir` resolve to this repository (as `npm install` of file:../.. does). */
export function linkPackage(programDir: string, repoRoot: string): void {
  const modules = path.join(programDir, "node_modules");
  fs.mkdirSync(modules, { recursive: true });
  const link = path.join(modules, "pulumi-xen");
  fs.rmSync(link, { force: true, recursive: true });
  fs.symlinkSync(repoRoot, link);
}
