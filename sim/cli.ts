/**
 * `pulumi-xen sim`: runs a simulated pool until SIGINT/SIGTERM (see USAGE). On start it prints one JSON line on
 * stdout (the contract scripts parse; also written to DIR/sim.json with --state-dir) and a readable summary on
 * stderr.
 */
import * as fs from "fs";
import * as path from "path";
import { startSimulator } from "./index";
import { loadSpec, builtinSpecs } from "./spec-load";
import { StateDir, writeFileAtomic, StateFile } from "./state-dir";
import type { PoolSpec, SimulatorOptions } from "./spec";

const USAGE = `usage: pulumi-xen sim [--spec NAME|FILE] [--state-dir DIR] [--password PW] [--task-seconds N]
                      [--port-base N] [--host ADDR] [--no-tls]
       pulumi-xen sim --help | --version

Runs a simulated XenServer / XCP-ng pool (XenAPI over XML-RPC at / and JSON-RPC at /jsonrpc, one port per host)
until SIGINT or SIGTERM.

  --spec NAME|FILE   the pool: a built-in spec (%BUILTINS%; default demo) or a JSON file in the format of
                     sim/pools/spec.schema.json (checked on load; errors name the field)
  --state-dir DIR    keep the TLS certificate and key, the ports and the pool's objects in DIR, so a restart with
                     the same DIR serves the same URLs, fingerprint and objects. Saved 200 ms after each change
                     and on SIGTERM/SIGINT, atomically (a kill -9 keeps the last complete save)
  --password PW      root's password (default: the spec's users.root, else "xenroot")
  --task-seconds N   each Async.* task takes N seconds (fractions allowed), its progress rising from 0 to 1
  --port-base N      host i listens on port N+i (default: ports the system picks, or those saved in DIR)
  --host ADDR        address to listen on (default 127.0.0.1)
  --no-tls           plain http instead of https with a self-signed certificate

Prints one JSON line on stdout:
  {"masterUrl", "hosts": [{"name", "uuid", "url"}], "username", "password", "fingerprint256", "certificatePem",
   "spec", "stateDir"}
(fingerprint256 and certificatePem are null with --no-tls). Log in with session.login_with_password(username,
password); pin the certificate by its SHA-256 fingerprint (Pulumi config xen:tlsFingerprint).
`;

interface Args { spec?: string; stateDir?: string; password?: string; taskSeconds: number; portBase?: number; host?: string; tls: boolean }

function parseArgs(argv: string[]): Args | "help" | "version" {
  const a: Args = { taskSeconds: 0, tls: true };
  for (let i = 0; i < argv.length; i++) {
    const opt = argv[i];
    const val = () => { const v = argv[++i]; if (v === undefined) throw new Error(`${opt} needs a value`); return v; };
    const num = (v: string, ok: (n: number) => boolean, what: string) => {
      const n = Number(v);
      if (v.trim() === "" || !Number.isFinite(n) || !ok(n)) throw new Error(`${opt} ${v}: must be ${what}`);
      return n;
    };
    switch (opt) {
      case "--help": case "-h": return "help";
      case "--version": case "-V": return "version";
      case "--spec": a.spec = val(); break;
      case "--state-dir": a.stateDir = val(); break;
      case "--password": a.password = val(); break;
      case "--task-seconds": a.taskSeconds = num(val(), (n) => n >= 0 && n <= 3600, "a number of seconds from 0 to 3600"); break;
      case "--port-base": a.portBase = num(val(), (n) => Number.isInteger(n) && n > 0 && n < 65536, "a port number"); break;
      case "--host": a.host = val(); break;
      case "--no-tls": a.tls = false; break;
      default: throw new Error(`unknown option ${opt} (see pulumi-xen sim --help)`);
    }
  }
  return a;
}

/** This package's version (package.json above the running file, compiled or not). */
export function packageVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const f = path.join(dir, "package.json");
    if (fs.existsSync(f)) {
      const p = JSON.parse(fs.readFileSync(f, "utf8"));
      if (p.name === "pulumi-xen") return String(p.version);
    }
    if (path.dirname(dir) === dir) return "unknown";
  }
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export async function runSimCli(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  if (args === "help") { process.stdout.write(USAGE.replace("%BUILTINS%", Object.keys(builtinSpecs()).join(", "))); return; }
  if (args === "version") { process.stdout.write(`pulumi-xen ${packageVersion()}\n`); return; }

  const state = args.stateDir ? new StateDir(args.stateDir) : undefined;
  const saved = state?.load();
  let spec: PoolSpec;
  const specName = args.spec ?? "demo";
  if (saved) {
    // The saved pool is the truth; a --spec, --port-base or --no-tls that contradicts it is a mistake to report.
    const { users: _u, ...savedShape } = saved.spec;
    if (args.spec !== undefined) {
      const { users: _v, ...givenShape } = loadSpec(args.spec);
      if (!sameJson(givenShape, savedShape)) throw new Error(`${args.stateDir} holds a pool made from another spec than ${args.spec}; use another --state-dir`);
    }
    if (args.tls !== saved.tls) throw new Error(`${args.stateDir} holds a pool served ${saved.tls ? "with" : "without"} TLS`);
    if (args.portBase !== undefined && !saved.ports.every((p, i) => p === args.portBase! + i)) {
      throw new Error(`${args.stateDir} holds a pool on ports ${saved.ports.join(", ")}; drop --port-base`);
    }
    spec = saved.spec;
  } else {
    spec = loadSpec(specName);
  }
  if (args.password !== undefined) spec = { ...spec, users: { ...(spec.users ?? { root: "xenroot" }), root: args.password } };
  const users = spec.users ?? { root: "xenroot" };
  const username = "root" in users ? "root" : Object.keys(users)[0];

  const bind = args.host ?? "127.0.0.1";
  const urlHost = bind === "0.0.0.0" || bind === "::" ? "127.0.0.1" : bind;
  const options: SimulatorOptions = {
    tls: args.tls, host: args.host, taskSeconds: args.taskSeconds,
    ports: saved?.ports ?? (args.portBase !== undefined ? spec.hosts.map((_, i) => args.portBase! + i) : undefined),
    certificate: state && args.tls ? state.certificate([urlHost, ...spec.hosts.map((h) => h.address ?? "127.0.0.1")]) : undefined,
    restore: saved?.snapshot,
  };
  const sim = await startSimulator(spec, options);
  const ports = sim.hosts.map((h) => Number(new URL(h.url).port || (args.tls ? 443 : 80)));
  const autosave = state?.autosave(sim, { version: 1, source: saved?.source ?? specName, spec, tls: args.tls, ports } satisfies Omit<StateFile, "snapshot">);

  const info = {
    masterUrl: sim.masterUrl,
    hosts: sim.hosts.map(({ name, uuid, url }) => ({ name, uuid, url })),
    username,
    password: users[username],
    fingerprint256: sim.tls?.fingerprint256 ?? null,
    certificatePem: sim.tls?.certificatePem ?? null,
    spec: saved?.source ?? specName,
    stateDir: args.stateDir ? path.resolve(args.stateDir) : null,
  };
  const line = JSON.stringify(info);
  if (state) writeFileAtomic(state.infoFile, line + "\n");
  process.stdout.write(line + "\n");
  process.stderr.write(`pulumi-xen sim: pool "${spec.name ?? "pool"}" ${saved ? "restored from " + args.stateDir : "from spec " + specName}\n` +
    `  master   ${sim.masterUrl}\n` + sim.hosts.map((h) => `  host     ${h.name} ${h.url}\n`).join("") +
    `  login    ${username} / ${users[username]}\n` + (sim.tls ? `  TLS      SHA-256 ${sim.tls.fingerprint256}\n` : "") +
    (args.taskSeconds ? `  tasks    take ${args.taskSeconds}s each\n` : ""));

  await new Promise<void>((resolve) => {
    const stop = () => { process.off("SIGINT", stop); process.off("SIGTERM", stop); resolve(); };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  autosave?.stop();
  await sim.close();
  if (state) fs.rmSync(state.infoFile, { force: true });
}

