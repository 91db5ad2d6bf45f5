import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { RESOURCES } from "../../../provider/plugin/resources";
import { loadSchema, SchemaProperty } from "../../../provider/plugin/schema";

/**
 * provider/plugin/schema.json is the one list of each resource's fields: the provider's diff rules (each module's
 * `contract.updatable` / `contract.replacing`), the TypeScript SDK's Args and the config keys the provider reads
 * must all agree with it, so a field cannot be added in one place only.
 */
const ROOT = path.resolve(__dirname, "..", "..", "..", "..");
const schema = loadSchema();
const SDK_FILE: Record<string, string> = {
  StorageRepository: "storageRepository",
  Vm: "vm",
  Pool: "pool",
  Host: "host",
  Plugins: "plugins",
  FirewallDriver: "firewallDriver",
  NovaComputeConfig: "novaComputeConfig",
};
/** The one input that is neither updated nor replacing: it only tells create to read instead of make. */
const CREATE_ONLY = ["adopt"];

/** Property names of `interface <name>` in a TypeScript source file. */
function interfaceProperties(file: string, name: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  const found = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name);
  assert.ok(found, `${file} declares ${name}`);
  return found.members.filter(ts.isPropertySignature).map((m) => m.name.getText(source));
}

const sorted = (xs: Iterable<string>) => [...xs].sort();

test("the plugin serves exactly the schema's resources", () => {
  assert.deepEqual(sorted(Object.keys(RESOURCES)), sorted(Object.keys(schema.resources)));
  assert.equal(Object.keys(RESOURCES).length, 7);
});

for (const [token, { kind, contract }] of Object.entries(RESOURCES)) {
  const resource = schema.resources[token];

  test(`${kind}: every schema input is updated in place, replaces, or is ${CREATE_ONLY.join("/")}; no field is both`, () => {
    const rules = [...contract.updatable, ...contract.replacing].map(String);
    const inputs = Object.keys(resource.inputProperties);
    assert.deepEqual(sorted(inputs.filter((k) => !rules.includes(k) && !CREATE_ONLY.includes(k))), [], "inputs with no diff rule");
    assert.deepEqual(contract.updatable.filter((f) => contract.replacing.includes(f)), [], "fields both updated and replacing");
  });

  test(`${kind}: every field of the diff rules is in the schema (an input, or an output that check computes)`, () => {
    const known = new Set([...Object.keys(resource.inputProperties), ...Object.keys(resource.properties)]);
    assert.deepEqual([...contract.updatable, ...contract.replacing].map(String).filter((f) => !known.has(f)), []);
  });

  test(`${kind}: the TypeScript SDK's ${kind}Args has exactly the schema's inputs`, () => {
    const args = interfaceProperties(path.join(ROOT, "sdk", `${SDK_FILE[kind]}.ts`), `${kind}Args`);
    assert.deepEqual(sorted(args), sorted(Object.keys(resource.inputProperties)));
  });

  test(`${kind}: stable outputs are schema outputs; every input is also an output`, () => {
    for (const out of contract.stableOutputs.map(String)) assert.ok(out in resource.properties, `${out} is an output`);
    for (const input of Object.keys(resource.inputProperties)) assert.ok(input in resource.properties, `${input} is an output too`);
  });

  test(`${kind}: the resource, each input and each output has a description`, () => {
    assert.ok(resource.description, "resource description");
    const missing = (props: Record<string, SchemaProperty>) => Object.keys(props).filter((k) => !props[k].description);
    assert.deepEqual(missing(resource.inputProperties), [], "inputs without a description");
    assert.deepEqual(missing(resource.properties), [], "outputs without a description");
  });
}

test("every object type the schema refers to is defined, with described properties", () => {
  const refs = JSON.stringify(schema).match(/#\/types\/[^"]+/g) ?? [];
  for (const ref of new Set(refs)) {
    const type = schema.types?.[ref.slice("#/types/".length)];
    assert.ok(type, `${ref} is defined`);
    for (const [name, p] of Object.entries(type.properties ?? {})) assert.ok(p.description, `${ref}.${name} has a description`);
  }
});

test("the config keys the provider reads are the schema's config variables, and the secret ones are marked secret", () => {
  const sources = ["provider/context.ts", ...fs.readdirSync(path.join(ROOT, "provider/xenapi")).map((f) => `provider/xenapi/${f}`)]
    .filter((f) => f.endsWith(".ts"))
    .map((f) => fs.readFileSync(path.join(ROOT, f), "utf8"))
    .join("\n");
  const read = new Set([...sources.matchAll(/"xen:([a-zA-Z]+)"/g)].map((m) => m[1]));
  assert.deepEqual(sorted(read), sorted(Object.keys(schema.config.variables)));
  for (const secret of ["password", "sshPrivateKey"]) assert.equal(schema.config.variables[secret].secret, true, `${secret} is secret`);
  for (const [key, v] of Object.entries(schema.config.variables)) assert.ok(v.description, `xen:${key} has a description`);
});

test("NovaComputeConfig's connection password is secret in and out", () => {
  const r = schema.resources["xen:index:NovaComputeConfig"];
  assert.equal(r.inputProperties.connectionPassword.secret, true);
  assert.equal(r.properties.connectionPassword.secret, true);
});
