import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { PulumiCli } from "../../scripts/pulumi-cli";

/**
 * Progress of long tasks in Pulumi's real dynamic-provider process: each resource's progress shows on its own row,
 * from 0%, and never under the Stack. (The simulator finishes tasks at once, so a stand-in resource drives the real
 * progress reporter through a 3-second "task"; like pulumi-xen's resources, it loads the provider at configure.)
 */
const REPO = path.resolve(__dirname, "..", "..", "..");
const WORK = path.join(REPO, ".work", "e2e", `progress-${process.pid}`);
const PROGRESS = path.join(REPO, "dist", "provider", "resources", "progress.js");

const PROGRAM = `"use strict";
const pulumi = require("@pulumi/pulumi");
const progress = ${JSON.stringify(PROGRESS)};
const tick = () => new Promise((resolve) => setTimeout(resolve, 100));
const provider = {
  async configure() { require(progress); },
  async create(inputs) {
    const report = require(progress).progressReporter(inputs.label + ": copying");
    for (let p = 0; p < 1; p += 0.05) { report(p); await tick(); }
    return { id: inputs.label, outs: inputs };
  },
  async delete(id, props) {
    const report = require(progress).progressReporter(props.label + ": destroying");
    for (let p = 0; p < 1; p += 0.25) { report(p); await tick(); }
  },
};
new pulumi.dynamic.Resource(provider, "first", { label: "first" });
new pulumi.dynamic.Resource(provider, "second", { label: "second" });
`;

after(() => fs.rmSync(WORK, { recursive: true, force: true }));

test("each resource's task progress shows on its row from 0%, on up and on destroy", async () => {
  const programDir = path.join(WORK, "program");
  fs.mkdirSync(programDir, { recursive: true });
  fs.writeFileSync(path.join(programDir, "Pulumi.yaml"), "name: progress\nruntime: nodejs\n");
  fs.writeFileSync(path.join(programDir, "package.json"), JSON.stringify({ name: "progress", main: "index.js" }));
  fs.writeFileSync(path.join(programDir, "index.js"), PROGRAM);
  const pulumi = new PulumiCli({ programDir, workDir: WORK, passphrase: "progress" });
  await pulumi.initStack("dev", {});

  const up = await pulumi.ok(["up", "--yes", "--skip-preview"]);
  for (const name of ["first", "second"]) {
    const row = new RegExp(`pulumi-nodejs:dynamic:Resource ${name} creating \\([^)]*\\) ${name}: copying: (\\d+)%`, "g");
    const shown = [...up.stdout.matchAll(row)].map((m) => Number(m[1]));
    assert.equal(shown[0], 0, `${name}'s row starts at 0%:\n${up.stdout}`);
    assert.ok(shown.includes(90), `${name}'s row reaches 90%`);
  }
  assert.doesNotMatch(up.stdout, /Stack progress-dev [^\n]*copying/, "never on the Stack's row");
  assert.doesNotMatch(up.stdout, /Diagnostics:[\s\S]*copying/, "a status, not a diagnostic under the Stack");

  const destroy = await pulumi.ok(["destroy", "--yes", "--skip-preview"]);
  for (const name of ["first", "second"]) {
    assert.match(destroy.stdout, new RegExp(`Resource ${name} deleting \\([^)]*\\) ${name}: destroying: 0%`), destroy.stdout);
  }
  assert.doesNotMatch(destroy.stdout, /Diagnostics:[\s\S]*destroying/);
});
