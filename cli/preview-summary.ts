import * as fs from "node:fs";
import { canonical } from "../provider/resources/diff";

/**
 * A PR check's view of `pulumi preview --json`: one line per resource that changes, with the operation and the
 * input fields that change (dynamic providers return no detailed diff, so the fields come from comparing the
 * stored inputs with the new, checked ones — what `pulumi preview --diff` shows).
 */
export interface PreviewStep {
  op: string;
  urn: string;
  replaceReasons?: string[];
  oldState?: { inputs?: Record<string, unknown> };
  newState?: { inputs?: Record<string, unknown> };
}

export function changedInputs(step: PreviewStep): string[] {
  const before = step.oldState?.inputs ?? {};
  const after = step.newState?.inputs ?? {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  keys.delete("__provider");
  return [...keys].filter((k) => canonical(before[k]) !== canonical(after[k])).sort();
}

/** The steps that change something, one per resource (a replacement's sub-steps folded into "replace"). */
export function significantSteps(steps: PreviewStep[]): PreviewStep[] {
  const folded = new Map<string, PreviewStep>();
  for (const step of steps) {
    if (step.op === "same" || step.urn.includes("pulumi:pulumi:Stack")) continue;
    const op = ["create-replacement", "delete-replaced"].includes(step.op) ? "replace" : step.op;
    if (!folded.has(step.urn) || op === "replace") folded.set(step.urn, { ...folded.get(step.urn), ...step, op });
  }
  return [...folded.values()];
}

/** Markdown for a PR comment. */
export function summarizePreview(json: string): string {
  const steps = significantSteps((JSON.parse(json) as { steps?: PreviewStep[] }).steps ?? []);
  if (steps.length === 0) return "No changes.\n";
  const rows = steps.map((s) => {
    const [type, name] = s.urn.split("::").slice(-2);
    const fields = s.op === "create" || s.op === "delete" ? "" : changedInputs(s).join(", ");
    const replaces = s.replaceReasons?.length ? ` (replaced because of ${s.replaceReasons.join(", ")})` : "";
    return `| ${name} | ${type.replace(/^pulumi-nodejs:dynamic\//, "")} | ${s.op} | ${fields}${replaces} |`;
  });
  return ["| resource | type | operation | fields |", "|---|---|---|---|", ...rows, ""].join("\n");
}

export const SUMMARIZE_USAGE = `usage: pulumi preview --json | pulumi-xen summarize-preview
       pulumi-xen summarize-preview preview.json
  Reads the JSON that \`pulumi preview --json\` prints (from standard input, or the file given) and writes a
  markdown table for a pull request: one row per resource that changes, with the operation and the input fields
  that change ("No changes." when nothing does).`;

/** `pulumi-xen summarize-preview [FILE]` (default: standard input, which must not be a terminal). */
export async function runSummarizePreviewCli(argv: string[] = [], stdin: NodeJS.ReadStream = process.stdin): Promise<void> {
  if (argv.some((a) => a === "--help" || a === "-h")) {
    process.stdout.write(`${SUMMARIZE_USAGE}\n`);
    return;
  }
  const unknown = argv.find((a) => a.startsWith("-") && a !== "-");
  if (unknown !== undefined || argv.length > 1) {
    process.stderr.write(`pulumi-xen summarize-preview: ${unknown !== undefined ? `unknown option ${unknown}` : "at most one file"}\n${SUMMARIZE_USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const file = argv[0] !== undefined && argv[0] !== "-" ? argv[0] : undefined;
  if (file === undefined && stdin.isTTY) {
    process.stderr.write(`pulumi-xen summarize-preview: expects the output of \`pulumi preview --json\` on standard input (a pipe or a file), not a terminal\n${SUMMARIZE_USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  let input = "";
  if (file !== undefined) input = fs.readFileSync(file, "utf8");
  else for await (const chunk of stdin) input += chunk;
  const source = file ?? "standard input";
  if (input.trim() === "") throw new Error(`${source} is empty: expected the JSON that \`pulumi preview --json\` prints`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch (e) {
    throw new Error(`${source} is not JSON (${(e as Error).message}): expected what \`pulumi preview --json\` prints`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new Error(`${source}: expected the object \`pulumi preview --json\` prints (with "steps"), got ${Array.isArray(parsed) ? "an array" : typeof parsed}`);
  }
  process.stdout.write(summarizePreview(input));
}
