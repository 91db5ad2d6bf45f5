import * as fs from "node:fs";
import * as path from "node:path";
import { Discovery } from "./walk";

/**
 * What a TypeScript Pulumi program using pulumi-xen needs in its package.json (the README's "Install" section, the
 * examples and discover all say exactly this): pulumi-xen itself (`spec`: a tarball, git URL or path, as it is on
 * no registry), @pulumi/pulumi at the version this package is built and tested with (a peer dependency: the
 * program's copy is the one the provider uses), and typescript + @types/node (without a `typescript` dependency
 * Pulumi compiles the program with its bundled TypeScript 3.8, which rejects `target: ES2022`: error TS6046).
 */
export function programDependencies(pulumiXenSpec: string, packageRoot = path.resolve(__dirname, "..", "..", "..")): Record<string, string> {
  const own = JSON.parse(fs.readFileSync(path.join(packageRoot, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
  const pinned = (name: string) => {
    const version = own.devDependencies?.[name];
    if (!version) throw new Error(`pulumi-xen's package.json has no devDependencies["${name}"] to pin the program's ${name} to`);
    return version;
  };
  return {
    "@pulumi/pulumi": pinned("@pulumi/pulumi"),
    "@types/node": pinned("@types/node"),
    "pulumi-xen": pulumiXenSpec,
    typescript: pinned("typescript"),
  };
}

/** The program's tsconfig.json (what the examples use too). */
export const PROGRAM_TSCONFIG = {
  compilerOptions: { strict: true, target: "ES2022", module: "commonjs", moduleResolution: "node", esModuleInterop: true, skipLibCheck: true },
  files: ["index.ts"],
};

export interface RenderOptions {
  /** What package.json installs pulumi-xen from (see programDependencies). */
  pulumiXen: string;
}

/** The files of a Pulumi TypeScript program that adopts everything in `d`, each resource `protect`ed. */
export function renderProgram(d: Discovery, project: string, options: RenderOptions): Record<string, string> {
  const names = new UniqueNames();
  const lines: string[] = [
    `// Written by \`pulumi-xen discover\`: adopts pool "${d.pool.args.name}" as it is. The first \`pulumi up\``,
    "// changes nothing; from then on, edit this program to change the pool.",
    `import * as xen from "pulumi-xen";`,
    "",
    "// Adopted objects are protected: removing one from this program must not destroy it by accident.",
    "const adopted = { protect: true };",
    "",
    `export const pool = new xen.Pool(${q(names.take("pool"))}, ${literal(d.pool.args)}, adopted);`,
    "",
  ];
  if (d.dom0Hosts.length > 0) {
    lines.push(
      "// Hosts, with their dom0s as found: /boot/guest and /images (true only where they already point into the",
      "// host's local SR), root's key pair, and every key in root's authorized_keys. Delete never removes what was",
      "// found; only what a later update adds.",
    );
    for (const h of d.dom0Hosts) lines.push(`new xen.Host(${q(names.take(`host-${h.args.name ?? h.uuid}`, h.uuid))}, ${literal(h.args)}, adopted);`);
    lines.push("");
  }
  lines.push("// Storage repositories");
  for (const sr of d.storageRepositories) {
    lines.push(`new xen.StorageRepository(${q(names.take(`sr-${sr.args.name}`, sr.uuid))}, ${literal(sr.args)}, adopted);`);
  }
  lines.push("", "// VMs");
  for (const vm of d.vms) {
    lines.push(`new xen.Vm(${q(names.take(`vm-${vm.args.name}`, vm.uuid))}, ${literal(vm.args)}, adopted);`);
  }
  return {
    "index.ts": lines.join("\n") + "\n",
    "Pulumi.yaml": `name: ${project}\nruntime: nodejs\ndescription: Pool "${String(d.pool.args.name)}" as pulumi-xen discover found it\n`,
    "package.json": JSON.stringify({ name: project, private: true, main: "index.ts", dependencies: programDependencies(options.pulumiXen) }, null, 2) + "\n",
    "tsconfig.json": JSON.stringify(PROGRAM_TSCONFIG, null, 2) + "\n",
    "README.md": renderReadme(d, project, options.pulumiXen),
  };
}

function renderReadme(d: Discovery, project: string, pulumiXen: string): string {
  const lines = [
    `# ${project}`,
    "",
    `Written by \`pulumi-xen discover\` from pool "${d.pool.args.name}" (${d.pool.uuid}).`,
    "",
    "| found | adopted |",
    "|---|---|",
    `| pool | 1 |`,
    `| hosts | ${d.hosts.length} (${d.dom0Hosts.length} adopted with their dom0s; listed below) |`,
    `| storage repositories | ${d.storageRepositories.length} |`,
    `| VMs | ${d.vms.length} |`,
    "",
    "Hosts:",
    "",
    ...d.hosts.map((h) => {
      const adopted = d.dom0Hosts.find((x) => x.uuid === h.uuid);
      if (!adopted) return `- ${h.name} (${h.uuid}), ${h.address}: not adopted (its dom0 was not read: add \`--dom0 ${h.name}=<address>@SHA256:<host key fingerprint>\`)`;
      const a = adopted.args;
      const ssh = a.ssh as { address: string; port: number };
      const steps = [a.bootGuest ? "/boot/guest" : "", a.images ? "/images" : "", a.rootKeyPair ? "root key pair" : ""].filter(Boolean);
      return `- ${h.name} (${h.uuid}), ${h.address}: adopted with its dom0 (${ssh.address}:${ssh.port}): ${steps.join(", ") || "not prepared"}; ` +
        `${(a.trustedPublicKeys as string[]).length} authorized key(s)`;
    }),
    "",
    "Left out:",
    "",
    ...(d.skipped.length ? d.skipped.map((s) => `- ${s.what}: ${s.why}`) : ["- nothing"]),
    "",
    ...(d.dom0Hosts.length > 0
      ? ["The Host resources reach the dom0s over SSH: also set `xen:sshPrivateKey` (secret) to the key discover used.", ""]
      : []),
    "Next:",
    "",
    `1. \`npm install\` (package.json installs pulumi-xen from \`${pulumiXen}\`; @pulumi/pulumi, typescript and`,
    "   @types/node as pulumi-xen's README lists them).",
    "2. `pulumi stack init`, then set `xen:url`, `xen:password` (secret) and `xen:tlsFingerprint`.",
    "3. `pulumi up`: it adopts everything and changes nothing. Then `pulumi preview --expect-no-changes` in your PR checks.",
    "",
    "other-config keys that xapi maintains itself (e.g. `last_shutdown_time`) are left out on purpose.",
    "",
    "Every resource is written with `protect: true`: `pulumi destroy`, or removing one from the program, fails while",
    "it is protected. Without it, destroy does to an adopted object what it does to one Pulumi made: a VM is shut down",
    "and destroyed, but only the disks Pulumi made are destroyed (its adopted disks are left in their SR, attached to",
    "nothing); an SR is unplugged and forgotten (its data stays on the storage); the pool and hosts are left as they",
    "are, except what a later update added. To stop managing an object without touching it, set",
    "`retainOnDelete: true` on it (and `pulumi up`) before removing it from the program.",
    "",
  ];
  return lines.join("\n");
}

/** Resource names: readable slugs, made unique with a uuid prefix when names repeat ("Local storage"). */
export class UniqueNames {
  private readonly used = new Set<string>();
  take(wanted: string, uuid?: string): string {
    const slug = wanted.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "unnamed";
    let name = slug;
    if (this.used.has(name) && uuid) name = `${slug}-${uuid.slice(0, 8)}`;
    for (let i = 2; this.used.has(name); i++) name = `${slug}-${i}`;
    this.used.add(name);
    return name;
  }
}

function q(s: string): string {
  return JSON.stringify(s);
}

/** A TypeScript object literal, one field per line (JSON is valid TypeScript). */
function literal(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
