import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startSimulator, Simulator } from "../../../sim";
import { loadSpec } from "../../../sim/spec-load";
import { configure } from "../../../provider/context";
import { configureFor, simulatedPool } from "./env";
import { closeAllSessions, errorKind } from "../../../provider/xenapi";
import * as vm from "../../../provider/resources/vm";
import * as host from "../../../provider/resources/host";
import * as plugins from "../../../provider/resources/plugins";

/**
 * What a newcomer's first programs hit: optional inputs left out must not turn into undefined in what check, create
 * or read return (protobuf Struct cannot carry it: "Unexpected struct type." hid the real failure), and an unknown
 * host fails at check like an unknown SR or network.
 */
type Raw = Record<string, unknown>;

/** Paths inside `value` that hold undefined. */
function undefinedPaths(value: unknown, at = "$"): string[] {
  if (value === undefined) return [at];
  if (Array.isArray(value)) return value.flatMap((v, i) => undefinedPaths(v, `${at}[${i}]`));
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => undefinedPaths(v, `${at}.${k}`));
  return [];
}

for (const specName of ["demo", "xcp-ng-8.3"]) describe(`a newcomer's Vm on the ${specName} pool`, () => {
  simulatedPool(loadSpec(specName)); // the pool check and create run against

  for (const [what, args, failure] of [
    ["a wrong template name", { name: "web", template: "Debian Bookwurm 12" }, /^template: no VM with uuid or name "Debian Bookwurm 12"/],
    ["a missing ISO", { name: "web", template: "Other install media", cdrom: "no-such.iso" }, /^cdrom: no VDI with uuid or name "no-such.iso"/],
    ["hvmBootOrder on a PV guest", { name: "web", bootMode: "pv", hvmBootOrder: "dc" }, /^hvmBootOrder: hvmBootOrder and firmware apply to HVM guests/],
    ["an adopt of a VM that is not there", { name: "web", adopt: "00000000-0000-0000-0000-000000000000", disks: [{ size: "1GiB" }] }, null],
  ] as const) {
    test(`without memory and vcpus, ${what}: check returns the real failure and inputs with no undefined anywhere`, async () => {
      const { inputs, failures } = await vm.check({}, { ...args, ownerKey: "test/newcomer/Vm/web" });
      if (failure) assert.match(failures.map((f) => `${f.property}: ${f.reason}`).join("\n"), failure);
      else assert.deepEqual(failures, []);
      assert.deepEqual(undefinedPaths(inputs), []);
      assert.equal("memory" in inputs, false, "left out, not undefined");
      assert.equal("vcpus" in inputs, false);
    });
  }

  test("a VM made without memory and vcpus: create and read return no undefined, and refresh shows no change", async () => {
    const program: Raw = { name: "small", template: "Debian Bookworm 12", ownerKey: "test/newcomer/Vm/small" };
    const { inputs, failures } = await vm.check({}, program);
    assert.deepEqual(failures, []);
    const { outs } = await vm.create(inputs);
    assert.deepEqual(undefinedPaths(outs), []);
    const read = await vm.read(outs.uuid, outs);
    assert.deepEqual(undefinedPaths(read.props), []);
    assert.deepEqual(undefinedPaths(read.inputs), []);
    assert.deepEqual(vm.diff(outs.uuid, read.props as unknown as Raw, inputs as unknown as Raw), { changes: false, replaces: [], deleteBeforeReplace: false });
    const again = await vm.check(read.inputs as unknown as Raw, program);
    assert.deepEqual(again.failures, []);
    assert.deepEqual(vm.diff(outs.uuid, read.props as unknown as Raw, again.inputs as unknown as Raw).changes, false);
    await vm.remove(outs.uuid, outs);
  });
});

describe("Host and Plugins name a host of the pool, checked at preview", () => {
  let sim: Simulator;
  let source: string;
  const ssh = { address: "10.0.0.9", hostKeyFingerprint: "SHA256:" + "B".repeat(43) };
  const useSimulator = () => {
    configureFor(sim);
  };
  before(async () => {
    sim = await startSimulator({ ...loadSpec("demo"), users: { root: "pw" } });
    useSimulator();
    source = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-xen-newcomer-"));
    fs.writeFileSync(path.join(source, "xenhost"), "#!/usr/bin/python3\n", { mode: 0o755 });
  });
  after(async () => {
    await closeAllSessions();
    await sim?.close();
    fs.rmSync(source, { recursive: true, force: true });
  });

  test("an unknown host fails check naming the field; a host of the pool, by name, uuid or address, passes", async () => {
    const known = sim.hosts[0];
    const bad = await host.check({}, { host: "xs-typo", ssh });
    assert.deepEqual(bad.failures.map((f) => `${f.property}: ${f.reason}`), ['host: no host with uuid, name or address "xs-typo" in the pool']);
    for (const name of [known.name, known.uuid]) assert.deepEqual((await host.check({}, { host: name, ssh })).failures, [], name);
    const p = await plugins.check({}, { source, hosts: [{ host: known.name, ssh }, { host: "xs-typo", ssh: { ...ssh, address: "10.0.0.10" } }] });
    assert.deepEqual(p.failures.map((f) => f.property), ["hosts[1].host"]);
    assert.match(p.failures[0].reason, /no host with uuid, name or address "xs-typo" in the pool/);
    assert.deepEqual(undefinedPaths(p.inputs), []);
    assert.deepEqual((await plugins.check({}, { source, hosts: [{ ssh }] })).failures, [], "a target without host needs no pool lookup");
  });

  test("an unreachable pool is reported as a connection problem, not blamed on the host", async () => {
    const dead = await startSimulator({ ...loadSpec("demo"), users: { root: "pw" } });
    const url = dead.masterUrl;
    const fingerprint = dead.tls!.fingerprint256;
    await dead.close();
    const settings: Record<string, string> = { "xen:url": url, "xen:password": "pw", "xen:tlsFingerprint": fingerprint, "xen:timeoutSeconds": "5" };
    configure({ get: (k) => settings[k] });
    try {
      await assert.rejects(host.check({}, { host: "xs-typo", ssh }), (err: unknown) => errorKind(err) === "connection");
      await assert.rejects(plugins.check({}, { source, hosts: [{ host: "xs1", ssh }] }), (err: unknown) => errorKind(err) === "connection");
    } finally {
      await closeAllSessions();
      useSimulator();
    }
  });
});
