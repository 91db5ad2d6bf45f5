import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { programDependencies, PROGRAM_TSCONFIG } from "../../../provider/discover/program";
import { pulumiXenSpec } from "../../../provider/discover";

/** What a program needs to install pulumi-xen: the README, the examples and discover say the same, installably. */
const ROOT = path.resolve(__dirname, "..", "..", "..", "..");
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

function jsonBlock(markdown: string, key: string): Record<string, unknown> {
  for (const m of markdown.matchAll(/```json\n([\s\S]*?)```/g)) {
    const value = JSON.parse(m[1]) as Record<string, unknown>;
    if (key in value) return value;
  }
  throw new Error(`no json block with ${key}`);
}

test("a program depends on pulumi-xen, @pulumi/pulumi as built and tested, typescript and @types/node", () => {
  assert.deepEqual(programDependencies("file:x.tgz"), {
    "@pulumi/pulumi": manifest.devDependencies["@pulumi/pulumi"],
    "@types/node": manifest.devDependencies["@types/node"],
    "pulumi-xen": "file:x.tgz",
    typescript: manifest.devDependencies.typescript,
  });
  assert.match(manifest.devDependencies["@pulumi/pulumi"], /^\d+\.\d+\.\d+$/, "pinned");
  assert.equal(manifest.peerDependencies["@pulumi/pulumi"], `^${manifest.devDependencies["@pulumi/pulumi"]}`);
  assert.equal(manifest.dependencies["@pulumi/pulumi"], undefined, "a peer: the program's copy is the provider's");
});

test("the README's Install section lists exactly that, and the tsconfig discover writes", () => {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  assert.deepEqual(jsonBlock(readme, "dependencies"), { dependencies: programDependencies(`file:pulumi-xen-${manifest.version}.tgz`) });
  assert.deepEqual(jsonBlock(readme, "compilerOptions"), PROGRAM_TSCONFIG);
});

test("the examples list the same dependencies (pulumi-xen from this repository) and tsconfig", () => {
  for (const example of ["quickstart", "openstack-compute"]) {
    const dir = path.join(ROOT, "examples", example);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).dependencies, programDependencies("file:../.."), example);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, "tsconfig.json"), "utf8")), PROGRAM_TSCONFIG, example);
  }
});

test("discover's pulumi-xen spec: a given tarball relative to the program, other specs as given", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "discover-spec-"));
  try {
    const tarball = path.join(dir, "vendor", "pulumi-xen-0.1.0.tgz");
    fs.mkdirSync(path.dirname(tarball));
    fs.writeFileSync(tarball, "");
    const out = path.join(dir, "infra", "pool");
    assert.deepEqual(pulumiXenSpec(out, tarball), { spec: "file:../../vendor/pulumi-xen-0.1.0.tgz" });
    assert.deepEqual(pulumiXenSpec(out, `file:${tarball}`), { spec: "file:../../vendor/pulumi-xen-0.1.0.tgz" });
    assert.deepEqual(pulumiXenSpec(out, "git+https://git.example.org/pulumi-xen.git#v0.1.0"), { spec: "git+https://git.example.org/pulumi-xen.git#v0.1.0" });
    assert.throws(() => pulumiXenSpec(out, path.join(dir, "missing.tgz")), /--package .*missing\.tgz: no such file/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("discover's pulumi-xen spec by default: what the program it runs from installed, rebased; else a named tarball", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "discover-spec-"));
  const cwd = process.cwd();
  try {
    const project = path.join(dir, "program");
    const installed = path.join(project, "node_modules", "pulumi-xen");
    fs.mkdirSync(installed, { recursive: true });
    fs.writeFileSync(path.join(installed, "package.json"), JSON.stringify({ version: "9.8.7" }));
    fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ dependencies: { "pulumi-xen": "file:pulumi-xen-9.8.7.tgz" } }));
    process.chdir(dir);
    assert.deepEqual(pulumiXenSpec(path.join(dir, "adopted"), undefined, installed), { spec: "file:../program/pulumi-xen-9.8.7.tgz" });
    fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ dependencies: { "pulumi-xen": "git+https://git.example.org/x.git" } }));
    assert.deepEqual(pulumiXenSpec(path.join(dir, "adopted"), undefined, installed), { spec: "git+https://git.example.org/x.git" });
    // Not installed in a program (a clone), and no pulumi-xen dependency in the working directory: a placeholder.
    const clone = path.join(dir, "clone");
    fs.mkdirSync(clone);
    fs.writeFileSync(path.join(clone, "package.json"), JSON.stringify({ name: "pulumi-xen", version: "9.8.7" }));
    const fallback = pulumiXenSpec(path.join(dir, "adopted"), undefined, clone);
    assert.equal(fallback.spec, "file:pulumi-xen-9.8.7.tgz");
    assert.match(fallback.note!, /put that tarball .* in .*adopted, or run discover again with --package/);
  } finally {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
