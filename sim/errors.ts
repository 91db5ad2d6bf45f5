/** xapi errors: a Failure envelope carries [code, ...params], all strings. */
import * as fs from "fs";
import * as path from "path";

export class XapiError extends Error {
  readonly description: string[];
  constructor(code: string, params: unknown[] = []) {
    super(code + (params.length ? " " + JSON.stringify(params) : ""));
    this.description = [code, ...params.map((p) => String(p))];
  }
}

export function fail(code: string, ...params: unknown[]): never { throw new XapiError(code, params); }

let sm: Record<string, { code: number; description: string }> | undefined;
function smTable(): Record<string, { code: number; description: string }> {
  if (!sm) {
    const candidates = [path.join(__dirname, "data", "sm-errors.json"), path.join(__dirname, "..", "..", "sim", "data", "sm-errors.json")];
    const file = candidates.find((c) => fs.existsSync(c));
    sm = file ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
  }
  return sm!;
}

/**
 * SR_BACKEND_FAILURE_<n> ["", reason, stderr] as xapi synthesises it from the SM backend's XenError name;
 * SM appends " [opterr=...]" to the reason when it gives details.
 */
export function smFail(name: string, opterr = "", stderr = ""): never {
  const e = smTable()[name];
  if (!e) throw new XapiError("SR_BACKEND_FAILURE", ["", name, stderr]);
  throw new XapiError("SR_BACKEND_FAILURE_" + e.code, ["", e.description + (opterr ? ` [opterr=${opterr}]` : ""), stderr]);
}
