#!/usr/bin/env node
/**
 * `pulumi-resource-xen`: the provider plugin's entry point (scripts/build-plugin.sh wraps it in an executable).
 * The engine starts it with its own address as argument and reads the port it serves on from stdout.
 */
import { XenProvider } from "./provider";
import { serve } from "./server";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require("../../../package.json") as { version: string };

serve(new XenProvider(version)).then(({ port }) => process.stdout.write(`${port}\n`), (e) => {
  process.stderr.write(`pulumi-resource-xen: ${e?.stack ?? e}\n`);
  process.exit(1);
});
