/**
 * The Python interpreters the tests need on this machine: Python 2.7 (as on a XenServer 6/7 dom0, where nova's
 * plug-ins run) and Python 3 (XenServer 8). A missing one is a test failure that says what is missing, never a skip.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Where a Python 2.7 installation may be: $PULUMI_XEN_PYTHON27, /usr/bin/python2.7, pyenv's 2.7.x. */
export function python27(): string {
  const pyenv = process.env.PYENV_ROOT ?? path.join(os.homedir(), ".pyenv");
  const candidates = [process.env.PULUMI_XEN_PYTHON27 ?? "", "/usr/bin/python2.7"];
  try {
    for (const v of fs.readdirSync(path.join(pyenv, "versions")).filter((v) => /^2\.7\.\d+$/.test(v)).sort().reverse()) {
      candidates.push(path.join(pyenv, "versions", v, "bin", "python2.7"));
    }
  } catch {
    // no pyenv
  }
  const found = candidates.find((c) => c && fs.existsSync(c));
  if (!found) {
    throw new Error(
      `Python 2.7 is required for this test (nova's dom0 plug-ins run under it on XenServer 6/7) and was not found: ` +
        `looked at ${candidates.filter(Boolean).join(", ")}. Install it (e.g. pyenv install 2.7.18) or set PULUMI_XEN_PYTHON27.`,
    );
  }
  return found;
}

/** The machine's Python 3 (the one dom0 test hosts see as /usr/bin/python3). */
export function python3(): string {
  if (!fs.existsSync("/usr/bin/python3")) throw new Error("Python 3 (/usr/bin/python3) is required for this test and was not found");
  return "/usr/bin/python3";
}

/** Runs `code` with `python` (no site, no .pyc) and returns its standard output as bytes. */
export function runPython(python: string, code: string, stdin?: Buffer): Buffer {
  return execFileSync(python, ["-S", "-B", "-c", code], { input: stdin, env: { PATH: "/usr/bin:/bin" } });
}
