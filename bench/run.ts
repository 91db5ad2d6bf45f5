/**
 * Benchmarks (`npm run bench`). The machine is shared and noisy, so the figures that matter are counts and
 * ratios, not single timings:
 *   - XenAPI calls per resource operation, against the minimum the operation needs (ratio 1.00 = no waste);
 *   - sessions opened per provider process (must be 1) and left open (must be 0);
 *   - wall time per operation, reported as a median over repetitions, for information only.
 */
import { startSimulator } from "../sim";
import { configure } from "../provider/context";
import { closeAllSessions, rpcCounts } from "../provider/xenapi";
import * as sr from "../provider/resources/storage-repository";

const PASSWORD = "bench";
const REPETITIONS = 20;

interface Row {
  operation: string;
  rpcs: number;
  minimum: number;
  medianMs: number;
}

function totalRpcs(): number {
  let n = 0;
  for (const v of rpcCounts.values()) n += v;
  return n;
}

async function measure(operation: string, minimum: number, fn: (i: number) => Promise<unknown>): Promise<Row> {
  const times: number[] = [];
  let rpcs = 0;
  for (let i = 0; i < REPETITIONS; i++) {
    const before = totalRpcs();
    const start = process.hrtime.bigint();
    await fn(i);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    rpcs += totalRpcs() - before;
  }
  times.sort((a, b) => a - b);
  return { operation, rpcs: rpcs / REPETITIONS, minimum, medianMs: times[Math.floor(times.length / 2)] };
}

async function main(): Promise<void> {
  const sim = await startSimulator({ name: "bench", hosts: [{ name: "h1" }, { name: "h2" }, { name: "h3" }], users: { root: PASSWORD } });
  const settings: Record<string, string> = { "xen:url": sim.masterUrl, "xen:password": PASSWORD, "xen:tlsFingerprint": sim.tls!.fingerprint256 };
  configure({ get: (k) => settings[k] });
  const rows: Row[] = [];
  try {
    const ids: string[] = [];
    const inputs = (i: number) =>
      sr.check({}, { name: `iso-${i}`, type: "iso", deviceConfig: { location: `nfs:/isos/${i}` }, otherConfig: { "i18n-key": "local-storage-iso" }, tags: ["a"] }).inputs;
    // create: login(1, first time only) + pool.get_all + pool.get_master + Async.SR.create + task.get_record (>=1)
    // + task.destroy + remove/add other-config (2) + add_tags (1) + SR.get_record + PBD.get_record x3 + host.get_uuid x3
    rows.push(await measure("StorageRepository create (shared, 3 hosts)", 16, async (i) => ids.push((await sr.create(inputs(i))).id)));
    const outs = await Promise.all(ids.map((id, i) => sr.read(id, { ...inputs(i), uuid: id, physicalSize: 0, attachedHosts: [] })));
    // read: get_by_uuid + get_record + PBD.get_record x3 + host.get_uuid x3
    rows.push(await measure("StorageRepository read", 8, (i) => sr.read(ids[i], outs[i].props!)));
    // update of the description: get_by_uuid + set_name_description + outputs (get_record + 3 PBD + 3 host)
    rows.push(await measure("StorageRepository update (description)", 9, (i) => sr.update(ids[i], outs[i].props!, { ...outs[i].inputs!, description: "d" })));
    // delete: get_by_uuid + get_record + PBD.get_record x3 + (Async.PBD.unplug + task.get_record + task.destroy) x3 + Async.SR.forget + poll + destroy
    rows.push(await measure("StorageRepository delete", 17, (i) => sr.remove(ids[i], outs[i].props!)));
  } finally {
    await closeAllSessions();
    await sim.close();
  }
  process.stdout.write("operation                                  RPCs/op  minimum  ratio   median ms\n");
  for (const r of rows) {
    process.stdout.write(
      `${r.operation.padEnd(42)} ${r.rpcs.toFixed(1).padStart(7)}  ${String(r.minimum).padStart(7)}  ${(r.rpcs / r.minimum).toFixed(2).padStart(5)}  ${r.medianMs.toFixed(1).padStart(9)}\n`,
    );
  }
  process.stdout.write(`\nsessions opened: ${sim.counters.sessionsOpened} (one per provider process), open after close: ${sim.counters.sessionsOpen}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
