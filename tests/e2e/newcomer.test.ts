import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import { PulumiCli } from "../../scripts/pulumi-cli";

/**
 * A newcomer's first hour, as the README's "Install" tells it, outside this repository: a fresh clone, `npm pack`
 * there, a new program directory holding only the tarball and the README's dependencies, `npm install`, then
 * `pulumi up` against `npx pulumi-xen sim`, `npx pulumi-xen discover` of that pool and `pulumi up` of the program it
 * writes (no XenAPI write), which `protect` keeps from being destroyed.
 */
const REPO = gitOutput(process.cwd(), ["rev-parse", "--show-toplevel"]);
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-xen-newcomer-"));
const CLONE = path.join(WORK, "clone");
const PROGRAM = path.join(WORK, "program");
const ADOPTED = path.join(WORK, "adopted");
const NPM_QUIET = ["--no-audit", "--no-fund", "--prefer-offline"];
/** A user's shell: none of the npm_* settings `npm test` hands its children (its local prefix is this repository). */
const USER_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== "INIT_CWD"));

let tarball = "";
let sim: RunningSim | undefined;

before(async () => {
  const head = gitOutput(REPO, ["rev-parse", "HEAD"]);
  await run("git", ["clone", "--quiet", "--no-checkout", REPO, CLONE], WORK);
  await run("git", ["checkout", "--quiet", "--detach", head], CLONE);
});
after(async () => {
  await sim?.stop();
  fs.rmSync(WORK, { recursive: true, force: true });
});

test("npm pack in a fresh clone builds first and ships what a program needs, nothing else", async () => {
  await run("npm", ["ci", "--offline", ...NPM_QUIET], CLONE);
  assert.ok(!fs.existsSync(path.join(CLONE, "dist")), "a fresh clone has no build");
  const packed = await run("npm", ["pack", "--silent", "--pack-destination", WORK], CLONE);
  tarball = packed.stdout.trim().split("\n").pop()!;
  const version = JSON.parse(fs.readFileSync(path.join(CLONE, "package.json"), "utf8")).version as string;
  assert.equal(tarball, `pulumi-xen-${version}.tgz`);
  const files = (await run("tar", ["-tzf", path.join(WORK, tarball)], WORK)).stdout.trim().split("\n").map((f) => f.replace(/^package\//, ""));
  for (const needed of ["dist/sdk/index.js", "dist/sdk/index.d.ts", "dist/provider/index.js", "dist/sim/index.js", "dist/cli/main.js",
    "sim/data/datamodel.json", "sim/data/sm-errors.json", "sim/pools/demo.json", "README.md", "LICENSE", "package.json"]) {
    assert.ok(files.includes(needed), `the tarball holds ${needed}`);
  }
  const unwanted = files.filter((f) => /^(dist\/)?(tests|bench|scripts|examples)\//.test(f) || /^dist\/sim\/(lab\.|dom0\/)/.test(f) || /\.map$/.test(f) || (/\.ts$/.test(f) && !/\.d\.ts$/.test(f)));
  assert.deepEqual(unwanted, [], "no tests, benches, scripts, examples, dom0 test hosts, sources or source maps");
  assert.ok(fs.readFileSync(path.join(CLONE, "dist", "cli", "main.js"), "utf8").startsWith("#!/usr/bin/env node\n"), "the bin has a shebang");
  console.log(`# ${tarball}: ${files.length} files`);
});

test("a program outside the repository installs the tarball with exactly the README's dependencies", async () => {
  const readme = fs.readFileSync(path.join(CLONE, "README.md"), "utf8");
  const manifest = jsonBlock(readme, "dependencies") as { dependencies: Record<string, string> };
  assert.equal(manifest.dependencies["pulumi-xen"], `file:${tarball}`, "the README's example names the tarball npm pack makes");
  fs.mkdirSync(PROGRAM);
  fs.copyFileSync(path.join(WORK, tarball), path.join(PROGRAM, tarball));
  fs.writeFileSync(path.join(PROGRAM, "package.json"), JSON.stringify({ name: "my-pool", private: true, main: "index.ts", ...manifest }, null, 2));
  fs.writeFileSync(path.join(PROGRAM, "tsconfig.json"), JSON.stringify(jsonBlock(readme, "compilerOptions"), null, 2));
  for (const file of ["index.ts", "Pulumi.yaml"]) fs.copyFileSync(path.join(CLONE, "examples", "quickstart", file), path.join(PROGRAM, file));
  await run("npm", ["install", ...NPM_QUIET], PROGRAM);
  assert.ok(!fs.lstatSync(path.join(PROGRAM, "node_modules", "pulumi-xen")).isSymbolicLink(), "installed from the tarball, not linked");
  assert.ok(!fs.existsSync(path.join(PROGRAM, "node_modules", "pulumi-xen", "node_modules", "@pulumi")), "one @pulumi/pulumi: the program's");

  const version = await run("npx", ["pulumi-xen", "--version"], PROGRAM);
  assert.equal(version.stdout.trim(), `pulumi-xen ${tarball.replace(/^pulumi-xen-|\.tgz$/g, "")}`);
  const help = await run("npx", ["pulumi-xen", "discover", "--help"], PROGRAM);
  assert.match(help.stdout, /--out DIR/);
});

test("pulumi up of that program against `npx pulumi-xen sim`", async () => {
  sim = await startSim(PROGRAM);
  const pulumi = new PulumiCli({ programDir: PROGRAM, workDir: path.join(WORK, "pulumi-program"), passphrase: "newcomer", env: { XEN_URL: "", XEN_PASSWORD: "" } });
  await pulumi.initStack("dev", { "xen:url": sim.masterUrl, "xen:tlsFingerprint": sim.fingerprint256 }, { "xen:password": sim.password });
  const writes = (await sim.counters()).writeCalls;
  const up = await pulumi.ok(["up", "--yes", "--skip-preview"]);
  assert.match(up.stdout, /\+ 3 created/);
  assert.ok((await sim.counters()).writeCalls > writes, "the SRs were made through XenAPI");
  assert.doesNotMatch(up.stdout + up.stderr, /TS6046|error TS/);
});

test("npx pulumi-xen discover writes an installable program; its first pulumi up writes nothing and protect holds", async () => {
  const discovered = await run("npx", ["pulumi-xen", "discover", "--out", ADOPTED, "--project", "adopted"], PROGRAM, {
    XEN_URL: sim!.masterUrl, XEN_PASSWORD: sim!.password, XEN_TLS_FINGERPRINT: sim!.fingerprint256,
  });
  assert.match(discovered.stdout, /wrote .*adopted/);
  const manifest = JSON.parse(fs.readFileSync(path.join(ADOPTED, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  const installed = JSON.parse(fs.readFileSync(path.join(PROGRAM, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  assert.deepEqual(manifest.dependencies, { ...installed.dependencies, "pulumi-xen": `file:../program/${tarball}` },
    "the README's dependencies, pulumi-xen from the tarball the program it ran in uses");
  const program = fs.readFileSync(path.join(ADOPTED, "index.ts"), "utf8");
  assert.match(program, /const adopted = \{ protect: true \}/);
  await run("npm", ["install", ...NPM_QUIET], ADOPTED);

  const pulumi = new PulumiCli({ programDir: ADOPTED, workDir: path.join(WORK, "pulumi-adopted"), passphrase: "newcomer", env: { XEN_URL: "", XEN_PASSWORD: "" } });
  await pulumi.initStack("dev", { "xen:url": sim!.masterUrl, "xen:tlsFingerprint": sim!.fingerprint256 }, { "xen:password": sim!.password });
  const before = await sim!.counters();
  const up = await pulumi.ok(["up", "--yes", "--skip-preview"]);
  const afterUp = await sim!.counters();
  assert.equal(afterUp.writeCalls - before.writeCalls, 0, "adopting made no XenAPI write");
  const adoptedCount = (program.match(/new xen\.\w+\(/g) ?? []).length;
  assert.equal((program.match(/new xen\.Pool\(/g) ?? []).length, 1);
  for (const sr of ["Local storage", "ISO library", "NFS VHDs"]) assert.match(program, new RegExp(`"name": "${sr}"`), `the SR "${sr}" is adopted`);
  assert.match(up.stdout, new RegExp(`\\+ ${adoptedCount + 1} created`), up.stdout);

  const destroy = await pulumi.run(["destroy", "--yes", "--skip-preview"]);
  assert.notEqual(destroy.code, 0, "destroy refuses protected resources");
  assert.match(destroy.stdout + destroy.stderr, /protected/);
  assert.equal((await sim!.counters()).writeCalls - afterUp.writeCalls, 0, "and writes nothing");
});

// ---------------------------------------------------------------------------------------------------------------

interface RunningSim {
  masterUrl: string;
  fingerprint256: string;
  password: string;
  counters(): Promise<{ writeCalls: number }>;
  stop(): Promise<void>;
}

/** `npx pulumi-xen sim` from `dir`, as the README says; its first stdout line describes the pool. */
async function startSim(dir: string): Promise<RunningSim> {
  // No spec: the simulator starts its demo pool.
  const args = ["pulumi-xen", "sim"];
  // Its own process group: npx runs the simulator as a child, and stop() ends both.
  const child = spawn("npx", args, { cwd: dir, env: USER_ENV, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      const nl = out.indexOf("\n");
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.on("exit", (code) => reject(new Error(`pulumi-xen sim exited ${code} before it printed the pool: ${stderr}`)));
  });
  const info = JSON.parse(line) as { masterUrl: string; fingerprint256: string; certificatePem: string; password: string };
  return {
    masterUrl: info.masterUrl,
    fingerprint256: info.fingerprint256,
    password: info.password, // the credentials it prints, as a user takes them
    counters: () => getJson(new URL("/_sim/counters", info.masterUrl), info.certificatePem) as Promise<{ writeCalls: number }>,
    stop: () => stopGroup(child),
  };
}

function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.on("exit", () => resolve());
    process.kill(-child.pid!, "SIGTERM");
  });
}

function getJson(url: URL, ca: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    https.get(url, { ca }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`${url}: HTTP ${res.statusCode} ${body}`))));
    }).on("error", reject);
  });
}

/** The README's first ```json block that has `key` at its top level. */
function jsonBlock(markdown: string, key: string): Record<string, unknown> {
  for (const m of markdown.matchAll(/```json\n([\s\S]*?)```/g)) {
    const value = JSON.parse(m[1]) as Record<string, unknown>;
    if (key in value) return value;
  }
  throw new Error(`README.md has no \`\`\`json block with "${key}"`);
}

interface RunResult {
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...USER_ENV, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${command} ${args.join(" ")} (in ${cwd}) exited ${code}\n${stdout}\n${stderr}`));
    });
  });
}

function gitOutput(cwd: string, args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8" }).trim();
}
