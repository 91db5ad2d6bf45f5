import * as fs from "node:fs";
import * as path from "node:path";
import { resolveConnection, settingSource, XenApiSession } from "../xenapi";
import { renderProgram } from "./program";
import { renderImportFile } from "./import-file";
import { walkPool, Discovery } from "./walk";
import { discoverDom0, DOM0_OPTION_FORM, hostFor, parseDom0Option } from "./dom0";

export { walkPool, renderProgram };
export type { Discovery };

const USAGE = `usage: pulumi-xen discover --out DIR [--project NAME] [--package SPEC] [--dom0 ${DOM0_OPTION_FORM} ...] [--import-file FILE]
       pulumi-xen discover --import-file FILE [--dom0 ...]
  Connects to the pool named by XEN_URL (with XEN_USERNAME, XEN_PASSWORD, XEN_TLS_FINGERPRINT or XEN_TLS_CA_PEM,
  or XEN_INSECURE=true) and writes a Pulumi TypeScript program that adopts the pool, its SRs and its VMs with
  their exact current values, each with \`protect: true\`. The password is read from the environment only, never
  from the command line.
  --out DIR        where to write index.ts, package.json, tsconfig.json, Pulumi.yaml and README.md
  --project NAME   the Pulumi project name (default: the pool's name)
  --package SPEC   what the program's package.json installs pulumi-xen from: a tarball made by \`npm pack\`
                   (path, written relative to DIR), a git URL, or any npm spec. Default: what the program you run
                   discover from depends on (rebased to DIR), else file:pulumi-xen-<version>.tgz in DIR.
  --dom0 (repeatable) also reads that host's dom0 over SSH (the host key pinned to the fingerprint, read-only
  commands; the private key from XEN_SSH_PRIVATE_KEY, the user from XEN_SSH_USER, default root) and adopts the
  host with a Host resource: name, description, tags, other-config, /boot/guest and /images, root's key pair and
  authorized_keys, as they are. The host is its name label, uuid or address.
  --import-file writes the pool, its SRs and its VMs (by uuid) for the xen provider plugin's \`pulumi import
  --file FILE --out PROGRAM\`, which writes the program in the project's language (YAML, Python ...).`;

const VALUE_OPTIONS = new Set(["--out", "--project", "--package", "--dom0", "--import-file"]);

/** `pulumi-xen discover`: walk a live pool and write the program that adopts it. */
export async function runDiscoverCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const problem = checkArguments(argv);
  if (problem) {
    process.stderr.write(`pulumi-xen discover: ${problem}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const out = option(argv, "--out");
  const importFile = option(argv, "--import-file");
  const dom0Options = options(argv, "--dom0").map(parseDom0Option);
  const pkg = out ? pulumiXenSpec(out, option(argv, "--package")) : undefined;
  const get = settingSource(() => undefined, env);
  const settings = resolveConnection(get);
  const privateKey = get("xen:sshPrivateKey");
  if (dom0Options.length > 0 && !privateKey) {
    throw new Error("--dom0 needs the private key the dom0s accept, in XEN_SSH_PRIVATE_KEY (never on the command line)");
  }
  const session = new XenApiSession(settings.url, settings, { tls: settings.tls, timeoutMs: settings.timeoutMs });
  try {
    const discovery = await walkPool(session);
    const seen = new Set<string>();
    for (const o of dom0Options) {
      const host = hostFor(o, discovery.hosts);
      if (seen.has(host.uuid)) throw new Error(`--dom0: host ${host.name} (${host.uuid}) is given twice`);
      seen.add(host.uuid);
      discovery.dom0Hosts.push({ uuid: host.uuid, args: await discoverDom0(host, o, { privateKey: privateKey!, username: get("xen:sshUser") ?? "root" }) });
    }
    const order = discovery.hosts.map((h) => h.uuid);
    discovery.dom0Hosts.sort((a, b) => order.indexOf(a.uuid) - order.indexOf(b.uuid));
    if (importFile) {
      const doc = renderImportFile(discovery);
      fs.writeFileSync(importFile, JSON.stringify(doc, null, 2) + "\n");
      process.stdout.write(`wrote ${importFile}: ${doc.resources.length} resources for pulumi import --file\n`);
    }
    if (!out) return;
    const project = option(argv, "--project") ?? slug(String(discovery.pool.args.name)) ?? "xen-pool";
    fs.mkdirSync(out, { recursive: true });
    for (const [file, text] of Object.entries(renderProgram(discovery, project, { pulumiXen: pkg!.spec }))) fs.writeFileSync(path.join(out, file), text);
    process.stdout.write(
      `wrote ${out}: pool ${discovery.pool.uuid}, ${discovery.dom0Hosts.length} hosts with their dom0s, ` +
        `${discovery.storageRepositories.length} SRs, ${discovery.vms.length} VMs` +
        (discovery.skipped.length ? `, ${discovery.skipped.length} left out (see README.md)` : "") +
        "\n",
    );
    if (pkg?.note) process.stderr.write(`${pkg.note}\n`);
  } finally {
    await session.logout();
  }
}

/** What is wrong with the command line, if anything: unknown options, missing values, no --out. */
function checkArguments(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!VALUE_OPTIONS.has(a)) return a.startsWith("-") ? `unknown option ${a}` : `unexpected argument ${JSON.stringify(a)}`;
    const value = argv[++i];
    if (value === undefined || value.startsWith("--")) return `${a} needs a value`;
  }
  for (const single of ["--out", "--project", "--package", "--import-file"]) {
    if (argv.filter((a) => a === single).length > 1) return `${single} is given more than once`;
  }
  if (option(argv, "--out") === undefined && option(argv, "--import-file") === undefined) {
    return "--out DIR (where to write the program) or --import-file FILE is required";
  }
  return undefined;
}

/**
 * The spec the written program's package.json gives for pulumi-xen (it must be installable: the package is on no
 * registry). `given`: a path (a tarball from `npm pack`, or a directory) becomes `file:` relative to `out`; other
 * specs (git URLs ...) are kept. Else the spec of the program discover runs from (`npx pulumi-xen discover` in a
 * program that depends on pulumi-xen), rebased to `out`. Else a tarball beside the program, with a note to put it
 * there.
 */
export function pulumiXenSpec(out: string, given?: string, packageRoot = path.resolve(__dirname, "..", "..", "..")): { spec: string; note?: string } {
  const rebase = (target: string) => {
    const rel = path.relative(path.resolve(out), path.resolve(target)).split(path.sep).join("/");
    return `file:${rel === "" ? "." : rel}`;
  };
  if (given !== undefined) {
    if (given.startsWith("file:")) return { spec: rebase(given.slice("file:".length)) };
    if (given.endsWith(".tgz") || given.startsWith(".") || path.isAbsolute(given) || fs.existsSync(given)) {
      if (!fs.existsSync(given)) throw new Error(`--package ${given}: no such file (make the tarball with \`npm pack\` in a clone of pulumi-xen)`);
      return { spec: rebase(given) };
    }
    return { spec: given };
  }
  // The program discover runs from: the one whose node_modules holds this package, or the working directory's.
  const modules = path.dirname(packageRoot);
  const projects = [...(path.basename(modules) === "node_modules" ? [path.dirname(modules)] : []), process.cwd()];
  for (const project of projects) {
    const spec = dependencySpec(project);
    if (spec) return { spec: spec.startsWith("file:") ? rebase(path.resolve(project, spec.slice("file:".length))) : spec };
  }
  const tarball = `pulumi-xen-${packageVersion(packageRoot)}.tgz`;
  return {
    spec: `file:${tarball}`,
    note: `package.json installs pulumi-xen from file:${tarball}: put that tarball (\`npm pack\` in a clone of pulumi-xen) in ${out}, ` +
      "or run discover again with --package <tarball or git URL>",
  };
}

/** The pulumi-xen spec in `project`'s package.json, if it has one. */
function dependencySpec(project: string): string | undefined {
  let manifest: Record<string, Record<string, string> | undefined>;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(project, "package.json"), "utf8"));
  } catch {
    return undefined;
  }
  return manifest.dependencies?.["pulumi-xen"] ?? manifest.devDependencies?.["pulumi-xen"];
}

function packageVersion(packageRoot: string): string {
  return (JSON.parse(fs.readFileSync(path.join(packageRoot, "package.json"), "utf8")) as { version: string }).version;
}

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** Every value of a repeatable option. */
function options(argv: string[], name: string): string[] {
  const values: string[] = [];
  argv.forEach((a, i) => {
    if (a === name) {
      if (argv[i + 1] === undefined) throw new Error(`${name} needs a value`);
      values.push(argv[i + 1]);
    }
  });
  return values;
}

function slug(s: string): string | undefined {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || undefined;
}
