/**
 * Loading a pool spec: a built-in name (a file in sim/pools, e.g. "demo", "xcp-ng-8.3") or a path, parsed and
 * checked against sim/pools/spec.schema.json; errors name the file, the field path and the reason.
 */
import * as fs from "fs";
import * as path from "path";
import Ajv, { ErrorObject } from "ajv";
import type { PoolSpec } from "./spec";

/** sim/pools in the installed package: next to the sources, or beside dist/ when running compiled code. */
export function poolsDir(): string {
  const candidates = [path.join(__dirname, "pools"), path.join(__dirname, "..", "..", "sim", "pools")];
  for (const c of candidates) if (fs.existsSync(path.join(c, "spec.schema.json"))) return c;
  throw new Error("sim: sim/pools not found next to " + __dirname);
}

/** The built-in pool specs: name -> file. */
export function builtinSpecs(): Record<string, string> {
  const dir = poolsDir();
  return Object.fromEntries(fs.readdirSync(dir).filter((f) => f.endsWith(".json") && f !== "spec.schema.json")
    .map((f) => [f.slice(0, -".json".length), path.join(dir, f)]));
}

export class SpecError extends Error {}

let validator: ReturnType<Ajv["compile"]> | undefined;
function validate(): ReturnType<Ajv["compile"]> {
  if (!validator) {
    const schema = JSON.parse(fs.readFileSync(path.join(poolsDir(), "spec.schema.json"), "utf8"));
    validator = new Ajv({ allErrors: true, strict: true }).compile(schema);
  }
  return validator;
}

/** "hosts[0].name" style path of an error, and its reason. */
function describe(e: ErrorObject): string {
  const parts = e.instancePath.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  let where = parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), "");
  let reason = e.message ?? "is invalid";
  if (e.keyword === "additionalProperties") {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    where = where ? `${where}.${extra}` : extra;
    reason = "is not a known field";
  } else if (e.keyword === "required") {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    where = where ? `${where}.${missing}` : missing;
    reason = "is required";
  } else if (e.keyword === "enum") {
    reason = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
  }
  return `${where || "(top level)"}: ${reason}`;
}

/** Checks a parsed spec: the schema, then what a schema cannot say (names that refer to other entries). */
export function validateSpec(spec: unknown, source = "spec"): PoolSpec {
  const v = validate();
  if (!v(spec)) throw new SpecError(`${source}: invalid pool spec:\n  ` + (v.errors ?? []).map(describe).join("\n  "));
  const s = spec as PoolSpec;
  const problems: string[] = [];
  const hostNames = s.hosts.map((h) => h.name);
  s.hosts.forEach((h, i) => { if (hostNames.indexOf(h.name) !== i) problems.push(`hosts[${i}].name: "${h.name}" is used by another host`); });
  (s.srs ?? []).forEach((sr, i) => {
    if (sr.host !== undefined && !hostNames.includes(sr.host)) problems.push(`srs[${i}].host: no host named "${sr.host}"`);
    if (sr.host !== undefined && sr.shared) problems.push(`srs[${i}].host: a shared SR is on every host; drop "host" or "shared"`);
  });
  if ((s.srs ?? []).filter((sr) => sr.default).length > 1) problems.push(`srs: more than one SR has "default": true`);
  (s.templates ?? []).forEach((t, i) => {
    if (t.memoryStaticMin !== undefined && t.memory !== undefined && t.memoryStaticMin > t.memory) {
      problems.push(`templates[${i}].memoryStaticMin: ${t.memoryStaticMin} exceeds memory ${t.memory}`);
    }
    if (t.vcpusMax !== undefined && (t.vcpus ?? 1) > t.vcpusMax) problems.push(`templates[${i}].vcpus: ${t.vcpus ?? 1} exceeds vcpusMax ${t.vcpusMax}`);
  });
  if (problems.length) throw new SpecError(`${source}: invalid pool spec:\n  ` + problems.join("\n  "));
  return s;
}

/** A built-in spec by name, or a spec file by path. */
export function loadSpec(nameOrPath: string): PoolSpec {
  const builtin = builtinSpecs()[nameOrPath];
  const file = builtin ?? nameOrPath;
  if (!fs.existsSync(file)) {
    throw new SpecError(`${nameOrPath}: no such spec file, and not a built-in spec (${Object.keys(builtinSpecs()).join(", ")})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new SpecError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  return validateSpec(parsed, file);
}
