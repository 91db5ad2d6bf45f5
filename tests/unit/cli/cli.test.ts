import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { runSummarizePreviewCli } from "../../../cli/preview-summary";

/** The `pulumi-xen` command as users expect it: --help and --version everywhere, exit codes, no silent waits. */
const ROOT = path.resolve(__dirname, "..", "..", "..", "..");
const MAIN = path.join(ROOT, "dist", "cli", "main.js");
const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version as string;

function cli(args: string[], input = "") {
  const r = spawnSync(process.execPath, [MAIN, ...args], { input, encoding: "utf8", timeout: 20000, env: { ...process.env, XEN_URL: "", XEN_PASSWORD: "" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("--help lists every command, on stdout, exit 0", () => {
  for (const flag of ["--help", "-h", "help"]) {
    const r = cli([flag]);
    assert.equal(r.code, 0, flag);
    for (const command of ["sim", "discover", "summarize-preview"]) assert.match(r.stdout, new RegExp(`^  ${command} `, "m"));
  }
});

test("--version on every command prints the package's version, exit 0", () => {
  for (const args of [["--version"], ["-V"], ["discover", "--version"], ["summarize-preview", "--version"], ["sim", "--version"]]) {
    const r = cli(args);
    assert.equal(r.code, 0, args.join(" "));
    assert.equal(r.stdout, `pulumi-xen ${VERSION}\n`, args.join(" "));
  }
});

test("discover --help and summarize-preview --help: their options, exit 0", () => {
  const discover = cli(["discover", "--help"]);
  assert.equal(discover.code, 0);
  assert.match(discover.stdout, /--out DIR[\s\S]*--package SPEC[\s\S]*--dom0/);
  const summarize = cli(["summarize-preview", "--help"]);
  assert.equal(summarize.code, 0);
  assert.match(summarize.stdout, /pulumi preview --json \| pulumi-xen summarize-preview/);
});

test("a wrong command line names the problem and exits 2", () => {
  const cases: Array<[string[], RegExp]> = [
    [[], /a command is required/],
    [["deploy"], /unknown command "deploy"/],
    [["discover"], /--out DIR \(where to write the program\) or --import-file FILE is required/],
    [["discover", "--out"], /--out needs a value/],
    [["discover", "--out", "x", "--tarball", "y"], /unknown option --tarball/],
    [["discover", "--out", "x", "--out", "y"], /--out is given more than once/],
    [["summarize-preview", "--json"], /unknown option --json/],
  ];
  for (const [args, message] of cases) {
    const r = cli(args);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.stderr, message, args.join(" "));
  }
});

test("summarize-preview reads a pipe or a file, and says what is wrong with its input", () => {
  const preview = JSON.stringify({ steps: [{ op: "update", urn: "urn:pulumi:dev::p::pulumi-nodejs:dynamic/xen:Vm::web", oldState: { inputs: { memory: 1 } }, newState: { inputs: { memory: 2 } } }] });
  const piped = cli(["summarize-preview"], preview);
  assert.equal(piped.code, 0);
  assert.match(piped.stdout, /\| web \| xen:Vm \| update \| memory \|/);
  const file = path.join(ROOT, ".work", `preview-${process.pid}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, preview);
  try {
    assert.equal(cli(["summarize-preview", file]).stdout, piped.stdout);
  } finally {
    fs.rmSync(file, { force: true });
  }
  const empty = cli(["summarize-preview"], "");
  assert.equal(empty.code, 1);
  assert.match(empty.stderr, /standard input is empty: expected the JSON that `pulumi preview --json` prints/);
  const notJson = cli(["summarize-preview"], "Previewing update (dev):");
  assert.match(notJson.stderr, /standard input is not JSON/);
});

test("summarize-preview on a terminal prints what it expects and exits 2 instead of waiting", async () => {
  const terminal = Object.assign(Readable.from([]), { isTTY: true }) as unknown as NodeJS.ReadStream;
  let stderr = "";
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
  const exitCode = process.exitCode;
  try {
    await runSummarizePreviewCli([], terminal);
    assert.equal(process.exitCode, 2);
  } finally {
    process.stderr.write = write;
    process.exitCode = exitCode;
  }
  assert.match(stderr, /expects the output of `pulumi preview --json` on standard input \(a pipe or a file\), not a terminal/);
});

test("the bin starts with a shebang", () => {
  assert.ok(fs.readFileSync(MAIN, "utf8").startsWith("#!/usr/bin/env node\n"));
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  assert.equal(manifest.bin["pulumi-xen"], "dist/cli/main.js");
});
