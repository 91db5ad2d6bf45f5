import { test } from "node:test";
import assert from "node:assert/strict";
import { withSim, demoSpec, Client } from "./client";

test("latency per method and for every call", async () => {
  await withSim(demoSpec(), { tls: false }, async (sim, _c, s) => {
    sim.faults.setLatency(150, "VM.get_all");
    let t = Date.now();
    await s.call("VM.get_all");
    assert.ok(Date.now() - t >= 140);
    t = Date.now();
    await s.call("pool.get_all");
    assert.ok(Date.now() - t < 100);
    sim.faults.setLatency(80);
    t = Date.now();
    await s.call("pool.get_all");
    assert.ok(Date.now() - t >= 70);
    sim.faults.clear();
    t = Date.now();
    await s.call("VM.get_all");
    assert.ok(Date.now() - t < 100);
  });
});

test("dropped connections fail at the transport level, then calls work again", async () => {
  await withSim(demoSpec(), {}, async (sim, _c, s) => {
    sim.faults.dropNextConnections(2);
    await assert.rejects(s.call("pool.get_all"), (e: any) => /ECONNRESET|socket hang up|EPIPE|disconnected/i.test(String(e?.code ?? e?.message)));
    await assert.rejects(s.call("pool.get_all"));
    assert.equal((await s.call("pool.get_all")).length, 1);
  });
});

test("restart invalidates every session and cuts connections; the database survives", async () => {
  await withSim(demoSpec(), { tls: false }, async (sim, c, s) => {
    const vm = await s.call("VM.clone", (await s.call("VM.get_by_name_label", "Debian Bookworm 12"))[0], "survivor");
    const pending = s.call("event.from", ["vm"], (await s.call("event.from", ["vm"], "", 0)).token, 30);
    await new Promise((r) => setTimeout(r, 30));
    await sim.faults.restart();
    await assert.rejects(pending);
    assert.deepEqual(await c.fails("VM.get_all", s.ref), ["SESSION_INVALID", s.ref]);
    assert.equal(sim.counters.sessionsOpen, 0);
    const s2 = await c.call("session.login_with_password", "root", "xenroot", "1.0", "x");
    assert.equal(await c.call("VM.get_name_label", s2, vm), "survivor");
  });
});

test("failNextTask: the next Async call of the method fails part-way with the given error; sync calls too", async () => {
  await withSim(demoSpec(), { tls: false }, async (sim, _c, s) => {
    const tpl = (await s.call("VM.get_by_name_label", "Debian Bookworm 12"))[0];
    const before = (await s.call("VM.get_all")).length;
    sim.faults.failNextTask("VM.clone", ["SR_FULL", "10", "5"]);
    const t = await s.task("VM.clone", tpl, "x");
    assert.equal(t.status, "failure");
    assert.deepEqual(t.error_info, ["SR_FULL", "10", "5"]);
    assert.equal((await s.call("VM.get_all")).length, before, "a failed task changes nothing");
    assert.equal((await s.task("VM.clone", tpl, "y")).status, "success", "only the next one fails");
    sim.faults.failNextTask("Async.VDI.resize", ["SR_BACKEND_FAILURE_44", "", "There is insufficient space", ""]);
    const [nfs] = await s.call("SR.get_by_name_label", "NFS");
    const vdi = await s.call("VDI.create", { SR: nfs, virtual_size: "1024", name_label: "v", type: "user", other_config: {} });
    assert.deepEqual(await s.fails("VDI.resize", vdi, "2048"), ["SR_BACKEND_FAILURE_44", "", "There is insufficient space", ""]);
    sim.faults.failNextTask("VM.clone", ["X"]);
    sim.faults.clear();
    assert.equal((await s.task("VM.clone", tpl, "z")).status, "success");
  });
});

test("host.call_plugin: missing plug-in, xapi's argv[1]/stdout convention, failures", async () => {
  const { execFile } = await import("child_process");
  const { mkdtempSync, writeFileSync, chmodSync, existsSync, rmSync } = await import("fs");
  const { tmpdir } = await import("os");
  const path = await import("path");
  const dir = mkdtempSync(path.join(tmpdir(), "sim-plugins-"));
  try {
    writeFileSync(path.join(dir, "echo"), [
      "#!/usr/bin/python3",
      "import sys, xmlrpc.client",
      "params, method = xmlrpc.client.loads(sys.argv[1])",
      "session, args = params",
      "if method == 'fail':",
      "    print(xmlrpc.client.dumps(({'Status': 'Failure', 'ErrorDescription': ['MY_ERROR', args['why']]},), methodresponse=True))",
      "elif method == 'crash':",
      "    sys.stderr.write('boom'); print('partial'); sys.exit(3)",
      "else:",
      "    print(xmlrpc.client.dumps(({'Status': 'Success', 'Value': method + '|' + session + '|' + args['k']},), methodresponse=True))",
    ].join("\n") + "\n");
    chmodSync(path.join(dir, "echo"), 0o755);
    await withSim(demoSpec(), { tls: false }, async (sim, _c, s) => {
      const h = sim.hosts[1];
      assert.deepEqual(await s.fails("host.call_plugin", h.ref, "echo", "hello", { k: "v" }), ["XENAPI_MISSING_PLUGIN", "echo"]);
      const seen: string[] = [];
      sim.dom0 = (uuid) => uuid !== h.uuid ? undefined : {
        exec: (argv) => new Promise((resolve) => {
          seen.push(argv[0]);
          const local = argv[0].replace("/etc/xapi.d/plugins", dir);
          if (argv[0] === "test") return resolve({ code: existsSync(argv[2].replace("/etc/xapi.d/plugins", dir)) ? 0 : 1, stdout: "", stderr: "" });
          execFile(local, argv.slice(1), (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }));
        }),
      };
      assert.equal(await s.call("host.call_plugin", h.ref, "echo", "hello", { k: "v" }), `hello|${s.ref}|v`);
      assert.ok(seen.includes("/etc/xapi.d/plugins/echo"));
      assert.deepEqual(await s.fails("host.call_plugin", h.ref, "nope", "hello", {}), ["XENAPI_MISSING_PLUGIN", "nope"]);
      assert.deepEqual(await s.fails("host.call_plugin", h.ref, "echo", "fail", { why: "because" }), ["MY_ERROR", "because"]);
      assert.deepEqual(await s.fails("host.call_plugin", h.ref, "echo", "crash", {}), ["XENAPI_PLUGIN_FAILURE", "non-zero exit", "partial\n", "boom"]);
      assert.deepEqual(await s.fails("host.call_plugin", sim.hosts[0].ref, "echo", "hello", { k: "v" }), ["XENAPI_MISSING_PLUGIN", "echo"]);
      const t = await s.task("host.call_plugin", h.ref, "echo", "hello", { k: "<&>" });
      assert.equal(t.status, "success");
      assert.equal(t.result, `<value>hello|${s.ref}|&lt;&amp;&gt;</value>`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("JSON-RPC at /jsonrpc", async () => {
  await withSim(demoSpec(), { tls: false }, async (sim) => {
    const { post } = await import("./client");
    const rpc = async (method: string, params: unknown[]) =>
      JSON.parse((await post(sim.masterUrl, JSON.stringify({ jsonrpc: "2.0", method, params, id: 7 }), { path: "/jsonrpc", contentType: "application/json" })).body);
    const login = await rpc("session.login_with_password", ["root", "xenroot", "1.0", "json"]);
    assert.equal(login.id, 7);
    assert.match(login.result, /^OpaqueRef:/);
    const vms = await rpc("VM.get_all_records", [login.result]);
    const tpl = Object.values<any>(vms.result).find((v) => v.name_label === "Debian Bookworm 12");
    assert.equal(tpl.memory_static_max, "1073741824");
    assert.equal(tpl.snapshot_time, "19700101T00:00:00Z");
    assert.equal(tpl.HVM_shadow_multiplier, 1);
    const err = await rpc("VM.get_record", [login.result, "OpaqueRef:x"]);
    assert.deepEqual(err.error, { code: 1, message: "HANDLE_INVALID", data: ["VM", "OpaqueRef:x"] });
    void Client;
  });
});
