import { XenApiError } from "./errors";

/** Reads one object without any recovery or description of its own (so describing cannot recurse). */
export type LookupCall = (method: string, ref: string) => Promise<unknown>;

/** Extra calls spent describing one error, at most. */
export const MAX_DESCRIBE_LOOKUPS = 2;

const isRef = (p: string) => p.startsWith("OpaqueRef:") && p !== "OpaqueRef:NULL";

/** Errors whose refs cannot be read by definition (the object or the session is gone). */
const NOT_DESCRIBED = new Set(["HANDLE_INVALID", "SESSION_INVALID"]);

/** The classes of an error's reference parameters where xapi's error list documents them (the rest are guessed). */
const PARAM_CLASSES: Record<string, string[]> = {
  VM_REQUIRES_SR: ["VM", "SR"],
  VM_REQUIRES_NETWORK: ["VM", "network"],
  VM_REQUIRES_VDI: ["VM", "VDI"],
  VM_HOST_INCOMPATIBLE_VERSION: ["host", "VM"],
  VDI_NOT_IN_MAP: ["VDI"],
  VIF_NOT_IN_MAP: ["VIF"],
};

/** Error-code prefixes naming the class of the first reference parameter (`VM_IS_TEMPLATE` → VM). */
const PREFIX_CLASSES: Array<[string, string]> = [
  ["VM_", "VM"], ["VDI_", "VDI"], ["SR_", "SR"], ["HOST_", "host"], ["VBD_", "VBD"], ["VIF_", "VIF"],
  ["PBD_", "PBD"], ["NETWORK_", "network"], ["PIF_", "PIF"], ["POOL_", "pool"], ["TASK_", "task"],
];

/** Classes to try for the `index`-th reference among the error's parameters, most likely first. */
function candidates(err: XenApiError, refIndex: number): string[] {
  const out: string[] = [];
  const documented = PARAM_CLASSES[err.code];
  if (documented?.[refIndex]) out.push(documented[refIndex]);
  if (refIndex === 0) {
    const prefix = PREFIX_CLASSES.find(([p]) => err.code.startsWith(p));
    if (prefix) out.push(prefix[1]);
  }
  const methodClass = err.method.replace(/^Async\./, "").split(".")[0];
  if (methodClass) out.push(methodClass);
  return [...new Set(out)];
}

function render(cls: string, record: unknown): string {
  const r = (record ?? {}) as { name_label?: unknown; uuid?: unknown };
  const name = typeof r.name_label === "string" && r.name_label !== "" ? ` "${r.name_label}"` : "";
  return `${cls}${name} (uuid ${String(r.uuid ?? "?")})`;
}

/**
 * Renders the OpaqueRefs among a XenAPI error's parameters as the objects' class, name and uuid
 * (`VM.start failed: VM_IS_TEMPLATE: VM "web-1" (uuid 1f0c…)`), best effort: at most MAX_DESCRIBE_LOOKUPS reads,
 * a ref that cannot be read stays as it is, and a failed lookup never replaces the original error. `params`
 * stays raw for code that inspects it. HANDLE_INVALID and SESSION_INVALID are left alone: their object is gone.
 */
export async function describeXenApiError(err: XenApiError, lookup: LookupCall): Promise<XenApiError> {
  if (NOT_DESCRIBED.has(err.code) || !err.params.some(isRef)) return err;
  let budget = MAX_DESCRIBE_LOOKUPS;
  let refIndex = 0;
  const readable: string[] = [];
  for (const param of err.params) {
    if (!isRef(param)) {
      readable.push(param);
      continue;
    }
    let shown = param;
    for (const cls of candidates(err, refIndex)) {
      if (budget <= 0) break;
      budget--;
      try {
        shown = render(cls, await lookup(`${cls}.get_record`, param));
        break;
      } catch {
        // not of this class, or gone: try the next guess or keep the ref
      }
    }
    readable.push(shown);
    refIndex++;
  }
  return err.describeParams(readable);
}
