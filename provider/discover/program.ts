import { Discovery } from "./walk";

/** The files of a Pulumi TypeScript program that adopts everything in `d`, each resource `protect`ed. */
export function renderProgram(d: Discovery, project: string): Record<string, string> {
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
    "package.json": JSON.stringify({ name: project, private: true, main: "index.ts", dependencies: { "pulumi-xen": "^0.1.0" } }, null, 2) + "\n",
    "tsconfig.json": JSON.stringify({ compilerOptions: { strict: true, target: "ES2022", module: "commonjs", moduleResolution: "node", esModuleInterop: true, skipLibCheck: true }, files: ["index.ts"] }, null, 2) + "\n",
    "README.md": renderReadme(d, project),
  };
}

function renderReadme(d: Discovery, project: string): string {
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
    "Next: set `xen:url`, `xen:password` (secret) and `xen:tlsFingerprint`, run `pulumi up` (it changes nothing),",
    "then `pulumi preview --expect-no-changes` in your PR checks. other-config keys that xapi maintains itself",
    "(e.g. `last_shutdown_time`) are left out on purpose.",
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
