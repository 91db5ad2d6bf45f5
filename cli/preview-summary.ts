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

/** `pulumi-xen summarize-preview < preview.json` */
export async function runSummarizePreviewCli(): Promise<void> {
  let input = "";
  for await (const chunk of process.stdin) input += chunk;
  process.stdout.write(summarizePreview(input));
}
