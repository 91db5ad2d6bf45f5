/**
 * Benchmarks (`npm run bench`). The machine is shared and noisy, so the figures that matter are counts and
 * ratios, not single timings:
 *   - XenAPI calls per resource operation (counted by the simulator), against the fewest calls the operation needs
 *     (ratio 1.00 = no waste);
 *   - how the cost of discovering a pool grows with its size (should not: one get_all_records per class);
 *   - sessions opened per provider process (must be 1) and left open (must be 0);
 *   - wall time per operation, as a median over repetitions, for information only.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startSimulator, Simulator, PoolSpec } from "../sim";
import { configure } from "../provider/context";
import { beginOperation, callAsync, closeAllSessions, XenApiSession } from "../provider/xenapi";
import { walkPool } from "../provider/discover";
import * as sr from "../provider/resources/storage-repository";
import * as vm from "../provider/resources/vm";
import type { VmOutputs } from "../provider/resources/vm";

const PASSWORD = "bench";
const REPETITIONS = 10;

interface Row {
  operation: string;
  rpcs: number;
  minimum: number;
  medianMs: number;
}

function totalCalls(sim: Simulator): number {
  return Object.values(sim.counters.calls()).reduce((a, b) => a + b, 0);
}

async function measure(sim: Simulator, operation: string, minimum: number, fn: (i: number) => Promise<unknown>): Promise<Row> {
  const times: number[] = [];
  let rpcs = 0;
  for (let i = 0; i < REPETITIONS; i++) {
    const before = totalCalls(sim);
    const start = process.hrtime.bigint();
    await fn(i);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    rpcs += totalCalls(sim) - before;
  }
  times.sort((a, b) => a - b);
  return { operation, rpcs: rpcs / REPETITIONS, minimum, medianMs: times[Math.floor(times.length / 2)] };
}

async function storageRows(sim: Simulator): Promise<Row[]> {
  const rows: Row[] = [];
  const ids: string[] = [];
  const inputs = (i: number) =>
    sr.check({}, { name: `iso-${i}`, type: "iso", deviceConfig: { location: `nfs:/isos/${i}` }, otherConfig: { "i18n-key": "local-storage-iso" }, tags: ["a"] }).inputs;
  // Fewest calls: pool.get_all + pool.get_master (where to create), Async.SR.create + 1 poll + task.destroy,
  // add_to_other_config (the new SR has no such key, so no remove_from_ first), add_tags, then the outputs:
  // SR.get_record, PBD.get_record and host.get_uuid for each of the 3 hosts.
  rows.push(await measure(sim, "StorageRepository create (shared, 3 hosts)", 14, async (i) => ids.push((await sr.create(inputs(i))).id)));
  const outs = await Promise.all(ids.map((id, i) => sr.read(id, { ...inputs(i), uuid: id, physicalSize: 0, attachedHosts: [] })));
  // read: get_by_uuid + get_record + 3 PBD.get_record + 3 host.get_uuid, one by one. Through the pool view, a read
  // that begins an operation costs one event.from (the catch-up), shared by every read of that operation.
  rows.push(await measure(sim, "StorageRepository read (refresh, new operation)", 8, (i) => (beginOperation(), sr.read(ids[i], outs[i].props!))));
  // update of the description: get_by_uuid + set_name_description + the outputs (get_record, 3 PBDs, 3 hosts)
  rows.push(await measure(sim, "StorageRepository update (description)", 9, (i) => sr.update(ids[i], outs[i].props!, { ...outs[i].inputs!, description: "d" })));
  // delete: get_by_uuid + get_record + pool.get_all + pool.get_record (default SR?) + 3 PBD.get_record
  // + 3 x (Async.PBD.unplug + poll + task.destroy) + Async.SR.forget + poll + task.destroy
  rows.push(await measure(sim, "StorageRepository delete", 19, (i) => sr.remove(ids[i], outs[i].props!)));
  return rows;
}

async function vmRows(sim: Simulator): Promise<Row[]> {
  const rows: Row[] = [];
  const made: VmOutputs[] = [];
  const args = (i: number) => ({
    name: `bench-${i}`,
    template: "Debian Bookworm 12",
    memory: "1GiB",
    vcpus: 1,
    networkInterfaces: [{ network: "Pool-wide network associated with eth0" }],
    powerState: "halted",
    ownerKey: `bench/vm/${i}`,
  });
  // Fewest calls: template lookup (get_by_name_label + get_record), Async.VM.clone + poll + destroy, owner tag,
  // Async.VM.provision + poll + destroy, set_is_a_template, VBD + VDI records and the VDI owner tag, rename,
  // set_memory_limits, network lookup + VIF.create, and the outputs (VM record, VIF record): 22.
  rows.push(
    await measure(sim, "Vm create (clone + provision + VIF, halted)", 22, async (i) => {
      made.push((await vm.create((await vm.check({}, args(i))).inputs)).outs);
    }),
  );
  // read: get_by_uuid + get_record + VBD, VDI, VIF records + network name check (get_by_name_label + get_record)
  // + CD drive check (VBD record) + outputs (guest IP skipped: halted) = 10
  // Through the pool view: one event.from when the read begins an operation (see the SR read above).
  rows.push(await measure(sim, "Vm read (refresh, new operation)", 10, (i) => (beginOperation(), vm.read(made[i].uuid, made[i]))));
  // delete: get_by_uuid + get_power_state + get_VBDs + VBD and VDI records + VM.destroy + VDI.destroy = 7
  rows.push(await measure(sim, "Vm delete", 7, (i) => vm.remove(made[i].uuid, made[i])));
  return rows;
}

/** discover's cost for pools of 10 and 100 VMs: the ratio should be 1.00 (a fixed number of calls). */
async function discoverScaling(spec: PoolSpec): Promise<string> {
  const calls: number[] = [];
  for (const count of [10, 100]) {
    const sim = await startSimulator({ ...spec, users: { root: PASSWORD } });
    const s = new XenApiSession(sim.masterUrl, { username: "root", password: PASSWORD }, { tls: { fingerprints: [sim.tls!.fingerprint256] } });
    const [template] = await s.call<string[]>("VM.get_by_name_label", "Debian Bookworm 12");
    for (let i = 0; i < count; i++) {
      const ref = await callAsync<string>(s, "VM.clone", [template, `vm-${i}`]);
      await s.call("VM.set_is_a_template", ref, false);
    }
    const before = totalCalls(sim);
    const found = await walkPool(s);
    calls.push(totalCalls(sim) - before);
    if (found.vms.length !== count) throw new Error(`discover found ${found.vms.length} VMs, expected ${count}`);
    await s.logout();
    await sim.close();
  }
  return `discover: ${calls[0]} XenAPI calls for 10 VMs, ${calls[1]} for 100 VMs (ratio ${(calls[1] / calls[0]).toFixed(2)})`;
}

async function main(): Promise<void> {
  const spec = JSON.parse(fs.readFileSync(path.resolve(__dirname, "..", "..", "sim", "pools", "demo.json"), "utf8")) as PoolSpec;
  const sim = await startSimulator({ ...spec, users: { root: PASSWORD } });
  const settings: Record<string, string> = { "xen:url": sim.masterUrl, "xen:password": PASSWORD, "xen:tlsFingerprint": sim.tls!.fingerprint256 };
  configure({ get: (k) => settings[k] });
  const rows: Row[] = [];
  try {
    rows.push(...(await storageRows(sim)), ...(await vmRows(sim)));
    await closeAllSessions();
  } finally {
    await sim.close();
  }
  process.stdout.write("operation                                      RPCs/op  fewest  ratio   median ms\n");
  for (const r of rows) {
    process.stdout.write(
      `${r.operation.padEnd(48)} ${r.rpcs.toFixed(1).padStart(7)}  ${String(r.minimum).padStart(6)}  ${(r.rpcs / r.minimum).toFixed(2).padStart(5)}  ${r.medianMs.toFixed(1).padStart(9)}\n`,
    );
  }
  process.stdout.write(`\nsessions opened by the provider: ${sim.counters.sessionsOpened} (one per process), still open: ${sim.counters.sessionsOpen}\n`);
  process.stdout.write(`${await discoverScaling(spec)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
