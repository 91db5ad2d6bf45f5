/**
 * `pulumi-xen sim --spec pool.json [--port-base N] [--no-tls] [--state-dir DIR]`: runs a simulated pool until
 * SIGINT/SIGTERM. Prints one JSON line {masterUrl, hosts, fingerprint256, certificatePem} (also DIR/sim.json).
 */
import * as fs from "fs";
import * as path from "path";
import { startSimulator } from "./index";
import type { PoolSpec } from "./spec";

export async function runSimCli(argv: string[]): Promise<void> {
  let specFile: string | undefined, portBase: number | undefined, tls = true, stateDir: string | undefined, host: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { const v = argv[++i]; if (v === undefined) throw new Error(`${a} needs a value`); return v; };
    if (a === "--spec") specFile = val();
    else if (a === "--port-base") portBase = parseInt(val(), 10);
    else if (a === "--no-tls") tls = false;
    else if (a === "--state-dir") stateDir = val();
    else if (a === "--host") host = val();
    else if (a === "--help" || a === "-h") {
      process.stdout.write("usage: pulumi-xen sim --spec pool.json [--port-base N] [--no-tls] [--state-dir DIR] [--host ADDR]\n");
      return;
    } else throw new Error(`unknown option ${a}`);
  }
  if (!specFile) throw new Error("--spec pool.json is required");
  const spec = JSON.parse(fs.readFileSync(specFile, "utf8")) as PoolSpec;
  if (portBase !== undefined && !(portBase > 0 && portBase < 65536)) throw new Error("--port-base must be a port number");
  const ports = portBase !== undefined ? spec.hosts.map((_, i) => portBase! + i) : undefined;
  const sim = await startSimulator(spec, { tls, ports, host });
  const info = {
    masterUrl: sim.masterUrl,
    hosts: sim.hosts,
    fingerprint256: sim.tls?.fingerprint256 ?? null,
    certificatePem: sim.tls?.certificatePem ?? null,
  };
  const line = JSON.stringify(info);
  if (stateDir) {
    fs.mkdirSync(stateDir, { recursive: true });
    fs.writeFileSync(path.join(stateDir, "sim.json"), line + "\n");
  }
  process.stdout.write(line + "\n");
  await new Promise<void>((resolve) => {
    const stop = () => { process.off("SIGINT", stop); process.off("SIGTERM", stop); resolve(); };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await sim.close();
  if (stateDir) fs.rmSync(path.join(stateDir, "sim.json"), { force: true });
}
