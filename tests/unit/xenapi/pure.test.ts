import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeTaskResult, masterUrlFrom, normalizeFingerprint, resolveConnection, XenApiError, int64, fromInt64 } from "../../../provider/xenapi";

test("HOST_IS_SLAVE names the master by address; the URL keeps our scheme and port", () => {
  const err = new XenApiError("HOST_IS_SLAVE", ["10.0.0.5"], "session.login_with_password");
  assert.equal(masterUrlFrom("https://10.0.0.6/", err), "https://10.0.0.5/");
  assert.equal(masterUrlFrom("https://10.0.0.6:8443/", err), "https://10.0.0.5:8443/");
  const withPort = new XenApiError("HOST_IS_SLAVE", ["127.0.0.1:40001"], "session.login_with_password");
  assert.equal(masterUrlFrom("https://127.0.0.1:40002/", withPort), "https://127.0.0.1:40001/");
});

test("async task results are XML-RPC value fragments", () => {
  assert.equal(decodeTaskResult("<value>OpaqueRef:1234</value>"), "OpaqueRef:1234");
  assert.equal(decodeTaskResult("<value><string>a &amp; b</string></value>"), "a & b");
  assert.equal(decodeTaskResult(""), "");
});

test("fingerprints compare whatever their case and separators", () => {
  assert.equal(normalizeFingerprint("ab:cd:EF"), "AB:CD:EF");
  assert.equal(normalizeFingerprint("sha256:abcdef"), "AB:CD:EF");
});

test("connection settings: https by default, plain http only when allowed, errors name the setting", () => {
  const settings = (map: Record<string, string>) => resolveConnection((k) => map[k]);
  assert.equal(settings({ "xen:url": "10.0.0.1", "xen:password": "p" }).url, "https://10.0.0.1");
  assert.throws(() => settings({ "xen:url": "http://10.0.0.1", "xen:password": "p" }), /xen:allowHttp/);
  assert.equal(settings({ "xen:url": "http://10.0.0.1", "xen:password": "p", "xen:allowHttp": "true" }).url, "http://10.0.0.1");
  assert.throws(() => settings({ "xen:password": "p" }), /xen:url is not set/);
  assert.throws(() => settings({ "xen:url": "h" }), /xen:password is not set/);
  assert.deepEqual(settings({ "xen:url": "h", "xen:password": "p", "xen:tlsFingerprint": "AA:BB, CC:DD" }).tls.fingerprints, ["AA:BB", "CC:DD"]);
});

test("XenAPI errors carry code, parameters and method, never the call's arguments", () => {
  const err = XenApiError.fromDescription("SR.create", ["SR_BACKEND_FAILURE_73", "", "NFS mount error", "stderr"]);
  assert.equal(err.code, "SR_BACKEND_FAILURE_73");
  assert.deepEqual(err.params, ["", "NFS mount error", "stderr"]);
  assert.match(err.message, /^SR\.create failed: SR_BACKEND_FAILURE_73/);
});

test("int64 travels as a string and comes back exact", () => {
  assert.equal(int64(4 * 1024 ** 3), "4294967296");
  assert.equal(fromInt64("4294967296"), 4294967296);
  assert.throws(() => fromInt64("99999999999999999999"), RangeError);
});
