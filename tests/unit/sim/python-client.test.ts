import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "child_process";
import { existsSync, mkdtempSync, writeFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { startSimulator } from "../../../sim";
import { demoSpec } from "./client";

// The official client as Debian's python3-os-xenapi ships it; /usr/bin/python3 is the system interpreter
// (the default python3 may be a pyenv one without dist-packages). Missing client = failed test, not a skip.
const XENAPI_PY = "/usr/lib/python3/dist-packages/os_xenapi/client/XenAPI.py";
const PYTHON = "/usr/bin/python3";
const SCRIPT = path.resolve(__dirname, "..", "..", "..", "..", "tests", "unit", "sim", "python", "xenapi_client_check.py");

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => execFile(PYTHON, args, { timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))));
}

for (const tls of [true, false]) {
  test(`official XenAPI.py client (python3-os-xenapi) against the simulator, ${tls ? "TLS" : "plain HTTP"}`, async () => {
    assert.ok(existsSync(PYTHON), `${PYTHON} not found`);
    assert.ok(existsSync(XENAPI_PY), `${XENAPI_PY} not found: install python3-os-xenapi (scripts/debian-packages.txt)`);
    const sim = await startSimulator(demoSpec(), { tls });
    const dir = mkdtempSync(path.join(tmpdir(), "sim-py-"));
    try {
      let ca = "-";
      if (tls) { ca = path.join(dir, "ca.pem"); writeFileSync(ca, sim.tls!.certificatePem); }
      const out = JSON.parse(await run([SCRIPT, XENAPI_PY, sim.masterUrl, ca]));
      assert.match(out.api_version, /^2\.\d+$/);
      assert.equal(out.master_name, "h1");
      assert.deepEqual(out.hosts, ["h1", "h2", "h3"]);
      assert.equal(out.task_status, "success");
      assert.equal(out.power_state, "Running");
      assert.equal(out.memory_static_max, String(1024 ** 3));
      assert.equal(out.resident_on_is_host, true);
      assert.equal(out.snapshot_time_type, "DateTime");
      assert.equal(out.error[0], "VM_BAD_POWER_STATE");
      assert.deepEqual(out.error.slice(2), ["halted", "running"]);
      assert.match(out.error[1], /^OpaqueRef:/);
      assert.deepEqual(out.handle_error, ["HANDLE_INVALID", "VM", "OpaqueRef:does-not-exist"]);
      assert.equal(out.after_shutdown, "Halted");
      assert.equal(out.logged_out, true);
      assert.equal(sim.counters.sessionsOpen, 0);
      const calls = sim.counters.calls();
      for (const m of ["session.login_with_password", "pool.get_all", "pool.get_master", "host.get_API_version_major", "host.get_API_version_minor", "session.logout", "Async.VM.start"]) {
        assert.ok(calls[m] >= 1, `the client called ${m}`);
      }
    } finally {
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
