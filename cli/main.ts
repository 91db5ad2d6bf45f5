#!/usr/bin/env node
/**
 * `pulumi-xen` command line (the package's bin: `npx pulumi-xen ...` in a program that depends on pulumi-xen):
 *   pulumi-xen sim [...]                   run the XenAPI simulator (sim/cli.ts)
 *   pulumi-xen discover --out DIR [...]    write a Pulumi program that adopts a live pool (provider/discover)
 *   pulumi-xen summarize-preview [FILE]    markdown of `pulumi preview --json` for a PR comment (cli/preview-summary)
 * `--help` / `-h` and `--version` / `-V` work on every command and exit 0.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const USAGE = `usage: pulumi-xen <command> [options]

commands:
  sim                 run a simulated XenServer / XCP-ng pool (XenAPI over HTTPS), e.g. to try a program or in CI
  discover            write a Pulumi program that adopts a running pool (pool, SRs, VMs; dom0s with --dom0)
  summarize-preview   turn \`pulumi preview --json\` into a markdown table for a pull request

  pulumi-xen <command> --help   options of one command
  pulumi-xen --version          the version of pulumi-xen
`;

function version(): string {
  // dist/cli/main.js -> the package's package.json (shipped in the tarball).
  const file = path.join(__dirname, "..", "..", "package.json");
  return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
}

const isHelp = (a: string) => a === "--help" || a === "-h";
const isVersion = (a: string) => a === "--version" || a === "-V";

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    process.stderr.write(`pulumi-xen: a command is required\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (isHelp(command) || command === "help") {
    process.stdout.write(USAGE);
    return;
  }
  if (isVersion(command) || (rest.some(isVersion) && !rest.some(isHelp))) {
    process.stdout.write(`pulumi-xen ${version()}\n`);
    return;
  }
  switch (command) {
    case "sim":
      await (await import("../sim/cli")).runSimCli(rest);
      return;
    case "discover":
      await (await import("../provider/discover")).runDiscoverCli(rest);
      return;
    case "summarize-preview":
      await (await import("./preview-summary")).runSummarizePreviewCli(rest);
      return;
    default:
      process.stderr.write(`pulumi-xen: unknown command "${command}"\n\n${USAGE}`);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`pulumi-xen: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
