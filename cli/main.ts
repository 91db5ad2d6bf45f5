#!/usr/bin/env node
/**
 * `pulumi-xen` command line:
 *   pulumi-xen sim [--spec NAME|FILE] [...] run the XenAPI simulator (see sim/cli.ts, `pulumi-xen sim --help`)
 *   pulumi-xen discover --out DIR          write a Pulumi program that adopts a live pool (provider/discover)
 *   pulumi-xen summarize-preview           markdown of `pulumi preview --json` (stdin) for a PR comment
 */
async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case "sim":
      await (await import("../sim/cli")).runSimCli(rest);
      return;
    case "discover":
      await (await import("../provider/discover")).runDiscoverCli(rest);
      return;
    case "summarize-preview":
      await (await import("./preview-summary")).runSummarizePreviewCli();
      return;
    default:
      process.stderr.write(
        "usage: pulumi-xen sim [--spec NAME|FILE] [--state-dir DIR] [--password PW] [--task-seconds N] ... (sim --help)\n" +
          "       pulumi-xen discover --out DIR [--project NAME] [--dom0 host=address[:port]@SHA256:fp ...]\n" +
          "                                 (connection from XEN_URL, XEN_PASSWORD, ...; dom0 key from XEN_SSH_PRIVATE_KEY)\n" +
          "       pulumi preview --json | pulumi-xen summarize-preview\n",
      );
      process.exitCode = command === undefined || command === "--help" ? 0 : 2;
  }
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`pulumi-xen: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
