import * as fs from "node:fs";
import * as path from "node:path";
import { resolveConnection, settingSource, XenApiSession } from "../xenapi";
import { renderProgram } from "./program";
import { renderImportFile } from "./import-file";
import { walkPool, Discovery } from "./walk";
import { discoverDom0, DOM0_OPTION_FORM, hostFor, parseDom0Option } from "./dom0";

export { walkPool, renderProgram };
export type { Discovery };

const USAGE = `usage: pulumi-xen discover --out DIR [--project NAME] [--dom0 ${DOM0_OPTION_FORM} ...] [--import-file FILE]
       pulumi-xen discover --import-file FILE
  Connects to the pool named by XEN_URL (with XEN_USERNAME, XEN_PASSWORD, XEN_TLS_FINGERPRINT or XEN_TLS_CA_PEM,
  or XEN_INSECURE=true) and writes a Pulumi TypeScript program that adopts the pool, its SRs and its VMs with
  their exact current values. The password is read from the environment only, never from the command line.
  --dom0 (repeatable) also reads that host's dom0 over SSH (the host key pinned to the fingerprint, read-only
  commands; the private key from XEN_SSH_PRIVATE_KEY, the user from XEN_SSH_USER, default root) and adopts the
  host with a Host resource: name, description, tags, other-config, /boot/guest and /images, root's key pair and
  authorized_keys, as they are. The host is its name label, uuid or address.
  --import-file writes the pool, its SRs and its VMs (by uuid) for the xen provider plugin's \`pulumi import
  --file FILE --out PROGRAM\`, which writes the program in the project's language (YAML, Python ...).`;

/** `pulumi-xen discover`: walk a live pool and write the program that adopts it. */
export async function runDiscoverCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const out = option(argv, "--out");
  const importFile = option(argv, "--import-file");
  const dom0Options = options(argv, "--dom0").map(parseDom0Option);
  if ((!out && !importFile) || argv.includes("--help")) {
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = out || importFile ? 0 : 2;
    return;
  }
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
    for (const [file, text] of Object.entries(renderProgram(discovery, project))) fs.writeFileSync(path.join(out, file), text);
    process.stdout.write(
      `wrote ${out}: pool ${discovery.pool.uuid}, ${discovery.dom0Hosts.length} hosts with their dom0s, ` +
        `${discovery.storageRepositories.length} SRs, ${discovery.vms.length} VMs` +
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
