import * as fs from "node:fs";
import * as path from "node:path";
import { resolveConnection, settingSource, XenApiSession } from "../xenapi";
import { renderProgram } from "./program";
import { walkPool, Discovery } from "./walk";

export { walkPool, renderProgram };
export type { Discovery };

const USAGE = `usage: pulumi-xen discover --out DIR [--project NAME]
  Connects to the pool named by XEN_URL (with XEN_USERNAME, XEN_PASSWORD, XEN_TLS_FINGERPRINT or XEN_TLS_CA_PEM,
  or XEN_INSECURE=true) and writes a Pulumi TypeScript program that adopts the pool, its SRs and its VMs with
  their exact current values. The password is read from the environment only, never from the command line.`;

/** `pulumi-xen discover`: walk a live pool and write the program that adopts it. */
export async function runDiscoverCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const out = option(argv, "--out");
  if (!out || argv.includes("--help")) {
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = out ? 0 : 2;
    return;
  }
  const settings = resolveConnection(settingSource(() => undefined, env));
  const session = new XenApiSession(settings.url, settings, { tls: settings.tls, timeoutMs: settings.timeoutMs });
  try {
    const discovery = await walkPool(session);
    const project = option(argv, "--project") ?? slug(String(discovery.pool.args.name)) ?? "xen-pool";
    fs.mkdirSync(out, { recursive: true });
    for (const [file, text] of Object.entries(renderProgram(discovery, project))) fs.writeFileSync(path.join(out, file), text);
    process.stdout.write(
      `wrote ${out}: pool ${discovery.pool.uuid}, ${discovery.storageRepositories.length} SRs, ${discovery.vms.length} VMs` +
        (discovery.skipped.length ? `, ${discovery.skipped.length} left out (see README.md)` : "") +
        "\n",
    );
  } finally {
    await session.logout();
  }
}

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

function slug(s: string): string | undefined {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || undefined;
}
