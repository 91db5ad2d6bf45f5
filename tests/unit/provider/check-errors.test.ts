import { test, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { startSimulator, Simulator } from "../../../sim";
import { configure } from "../../../provider/context";
import { closeAllSessions, errorKind } from "../../../provider/xenapi";
import * as vm from "../../../provider/resources/vm";
import { closedPortUrl } from "../closed-port";

/** check names the cause: an input problem is a field failure; an unreachable pool, TLS or login is not. */
let sim: Simulator;

before(async () => {
  sim = await startSimulator({ name: "check-errors", hosts: [{ name: "master" }], users: { root: "pw" }, templates: [{ name: "Debian Bookworm 12" }] });
});
afterEach(async () => {
  await closeAllSessions();
});
after(async () => {
  await sim?.close();
});

function useSettings(settings: Record<string, string>): void {
  configure({ get: (k) => settings[k] });
}
const good = () => ({ "xen:url": sim.masterUrl, "xen:password": "pw", "xen:tlsFingerprint": sim.tls!.fingerprint256 });

const args = (template: string) => ({ name: "web-1", template, memory: "1GiB", ownerKey: "test/unit/Vm/web-1" });


test("a template that does not exist is a problem with the template field", async () => {
  useSettings(good());
  const { failures } = await vm.check({}, args("Windows 95"));
  assert.deepEqual(failures.map((f) => f.property), ["template"]);
  assert.match(failures[0].reason, /no VM with uuid or name "Windows 95"/);
});

test("an unreachable pool fails check with a connection error, not a problem with the template", async () => {
  const url = await closedPortUrl();
  useSettings({ ...good(), "xen:url": url });
  await assert.rejects(vm.check({}, args("Debian Bookworm 12")), (err: unknown) => {
    assert.equal(errorKind(err), "connection");
    const message = (err as Error).message;
    assert.ok(message.startsWith(`cannot reach the pool at ${url}: login failed after 5 attempts`), message);
    assert.match(message, /ECONNREFUSED/);
    assert.doesNotMatch(message, /template/);
    return true;
  });
});

test("a refused login fails check as a login error naming the user and the pool", async () => {
  useSettings({ ...good(), "xen:password": "not-the-password" });
  await assert.rejects(vm.check({}, args("Debian Bookworm 12")), (err: unknown) => {
    assert.equal(errorKind(err), "auth");
    const message = (err as Error).message;
    assert.ok(message.startsWith(`login refused for user root at ${sim.masterUrl}`), message);
    assert.ok(!message.includes("not-the-password"));
    assert.doesNotMatch(message, /template/);
    return true;
  });
});

test("a certificate that is not the pinned one fails check as a TLS error", async () => {
  useSettings({ ...good(), "xen:tlsFingerprint": "AB:".repeat(31) + "AB" });
  await assert.rejects(vm.check({}, args("Debian Bookworm 12")), (err: unknown) => {
    assert.equal(errorKind(err), "tls");
    assert.match((err as Error).message, /^TLS verification of the pool at \S+ failed/);
    return true;
  });
});
