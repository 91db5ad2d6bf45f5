/**
 * Every output a resource class of sdk/*.ts declares (`public readonly x!: pulumi.Output<...>`) is defined on the
 * SDK object (Pulumi's mocks stand in for the engine and run the real provider's check and create) and in what the
 * provider returns from read, for a program that leaves every optional input out: a program that reads
 * `vm.powerState` or `sr.description` never gets undefined. And nothing it returns holds undefined
 * anywhere (the engine's protobuf Struct cannot carry it). The declared outputs are read from the SDK's source, so a
 * new output or a new resource is covered without editing this test (a resource without a minimal program here
 * fails it).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import * as sdk from "../../../sdk";
import { configure } from "../../../provider/context";
import { closeAllSessions } from "../../../provider/xenapi";
import * as provider from "../../../provider";
import { Dom0Pool, NOVA_CONF, pluginDir, startDom0Pool } from "./env";

const SDK = path.resolve(__dirname, "../../../../sdk");

/** class name → { kind (the provider module), declared outputs }, from sdk/*.ts. */
function declaredOutputs(): Map<string, { kind: string; outputs: string[] }> {
  const out = new Map<string, { kind: string; outputs: string[] }>();
  for (const file of fs.readdirSync(SDK).filter((f) => f.endsWith(".ts"))) {
    const text = fs.readFileSync(path.join(SDK, file), "utf8");
    const kind = /dynamicProviderFor\("(\w+)"\)/.exec(text)?.[1];
    for (const m of text.matchAll(/export class (\w+) extends pulumi\.dynamic\.Resource \{([\s\S]*?)\n\}/g)) {
      const outputs = [...m[2].matchAll(/public readonly (\w+)!: pulumi\.Output</g)].map((x) => x[1]);
      assert.ok(kind, `${file}: no dynamicProviderFor("<kind>")`);
      out.set(m[1], { kind: kind!, outputs });
    }
  }
  return out;
}

/** Paths inside `value` that hold undefined. */
function undefinedPaths(value: unknown, at = "$"): string[] {
  if (value === undefined) return [at];
  if (Array.isArray(value)) return value.flatMap((v, i) => undefinedPaths(v, `${at}[${i}]`));
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => undefinedPaths(v, `${at}.${k}`));
  return [];
}

type Module = {
  check(olds: object, news: object): unknown;
  create(inputs: unknown): Promise<{ id: string; outs: Record<string, unknown> }>;
  read(id: string, props: unknown): Promise<{ id: string; props?: Record<string, unknown>; inputs?: Record<string, unknown> }>;
  remove(id: string, props: unknown): Promise<void>;
};

describe("declared outputs are defined when the inputs were left out", () => {
  let pool: Dom0Pool;
  let plugins: string;

  before(async () => {
    pool = await startDom0Pool(["xs1", "xs2"], { extra: ["compute"] });
    configure({ get: (k) => pool.settings[k] });
    const compute = pool.hosts[2];
    fs.mkdirSync(compute.path("/etc/nova"), { recursive: true });
    fs.writeFileSync(compute.path("/etc/nova/nova.conf"), NOVA_CONF, { mode: 0o640 });
    plugins = pluginDir();
  });
  after(async () => {
    await closeAllSessions();
    await pool?.stop();
    if (plugins) fs.rmSync(plugins, { recursive: true, force: true });
  });

  /** The smallest program for each resource class: required inputs only (and the ownerKey the SDK adds). */
  const minimal = (): Record<string, Record<string, unknown>> => ({
    Vm: { name: "bare", bootMode: "pv", ownerKey: "test/outputs/Vm/bare" },
    StorageRepository: { name: "isos", type: "iso", deviceConfig: { location: "/srv/isos" }, ownerKey: "test/outputs/StorageRepository/isos" },
    Pool: { name: "outputs-pool" },
    Host: { host: "xs1", ssh: pool.ssh(pool.hosts[0]) },
    Plugins: { source: plugins, hosts: [{ ssh: pool.ssh(pool.hosts[1]) }] },
    FirewallDriver: { ssh: pool.ssh(pool.hosts[2]), driver: "nova.virt.firewall.NoopFirewallDriver" },
    NovaComputeConfig: { ssh: pool.ssh(pool.hosts[2]), connectionUrl: "https://10.0.0.2" },
  });

  it("the SDK declares resources and outputs (what the test below loops over)", () => {
    const declared = declaredOutputs();
    assert.ok(declared.size >= 7, [...declared.keys()].join());
    assert.deepEqual(declared.get("Vm")?.outputs.includes("powerState"), true);
    assert.deepEqual(declared.get("StorageRepository")?.outputs.includes("description"), true);
  });

  for (const [cls, { kind, outputs }] of declaredOutputs()) {
    it(`${cls}: ${outputs.join(", ")} defined on the SDK object, in create's and in read's outputs`, async () => {
      const program = minimal()[cls];
      assert.ok(program, `no minimal program for ${cls}: add one`);
      const mod = (provider as unknown as Record<string, Module>)[kind];
      let made: { id: string; outs: Record<string, unknown> } | undefined;
      // The engine's part, with the real provider: check, then create; the state is create's outputs.
      await pulumi.runtime.setMocks(
        {
          newResource: async (args) => {
            const { __provider: _p, ...news } = args.inputs as Record<string, unknown>;
            const { inputs, failures } = (await mod.check({}, news)) as { inputs: unknown; failures: unknown[] };
            assert.deepEqual(failures, []);
            assert.deepEqual(undefinedPaths(inputs), [], "check's inputs");
            made = await mod.create(inputs);
            return { id: made.id, state: made.outs };
          },
          call: (args) => args.inputs,
        },
        "outputs",
        "test",
        false,
      );
      const Class = (sdk as unknown as Record<string, new (name: string, args: unknown) => Record<string, unknown>>)[cls];
      const resource = new Class(`minimal-${kind}`, program);
      try {
        for (const o of outputs) {
          assert.ok(pulumi.Output.isInstance(resource[o]), `${cls}.${o} is not an Output on the SDK object`);
          const value = await new Promise((resolve) => (resource[o] as pulumi.Output<unknown>).apply(resolve));
          assert.notEqual(value, undefined, `${cls}.${o} resolves to undefined`);
        }
        assert.ok(made, "the mock created it");
        assert.deepEqual(undefinedPaths(made!.outs), [], "create's outputs");
        const read = await mod.read(made!.id, made!.outs);
        for (const o of outputs) assert.notEqual(read.props?.[o], undefined, `read: ${cls}.${o} is undefined`);
        assert.deepEqual(undefinedPaths(read.props), [], "read's outputs");
        assert.deepEqual(undefinedPaths(read.inputs), [], "read's inputs");
      } finally {
        if (made) await mod.remove(made.id, made.outs);
      }
    });
  }
});
