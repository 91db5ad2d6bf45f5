import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import { XenProvider } from "../../../provider/plugin/provider";
import { serve } from "../../../provider/plugin/server";
import { SECRET_SIG, SIG_KEY, unwrapSecrets, wrapSecrets } from "../../../provider/plugin/secrets";

/**
 * The plugin's gRPC glue, spoken to as the engine does (a ResourceProvider client over a real connection): what
 * `provider.main`'s server would drop — detailed diffs, stables, preview support, secrets kept secret — arrives.
 */
const fromPulumi = (id: string) => require(require.resolve(id, { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] }));
const grpc: typeof grpcTypes = fromPulumi("@grpc/grpc-js");
const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb");

const SR_URN = "urn:pulumi:dev::infra::xen:index:StorageRepository::store";
const NOVA_URN = "urn:pulumi:dev::infra::xen:index:NovaComputeConfig::nova";
const SR = { name: "NFS", description: "one", type: "nfs", deviceConfig: { server: "nfs", serverpath: "/x" } };
const secret = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, value });

let server: grpcTypes.Server;
let client: any;
const call = <T>(method: string, req: unknown): Promise<T> =>
  new Promise((resolve, reject) => client[method](req, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))));

before(async () => {
  const served = await serve(new XenProvider("1.2.3"));
  server = served.server;
  client = new (provrpc.ResourceProviderClient as any)(`127.0.0.1:${served.port}`, grpc.credentials.createInsecure());
});
after(() => {
  client?.close();
  server?.forceShutdown();
});

test("secrets: nested secrets are revealed for the resources and the property is marked secret again", () => {
  const { plain, secretKeys } = unwrapSecrets({ a: "x", b: { inner: secret("pw") } });
  assert.deepEqual(plain, { a: "x", b: { inner: "pw" } });
  assert.deepEqual([...secretKeys], ["b"]);
  assert.deepEqual(wrapSecrets({ a: "x", b: 1 }, secretKeys), { a: "x", b: secret(1) });
  assert.deepEqual(wrapSecrets({ b: secret(1) }, ["b"]), { b: secret(1) }, "never wrapped twice");
});

test("Configure announces secrets and previews; GetPluginInfo and GetSchema answer", async () => {
  const req = new provproto.ConfigureRequest();
  req.getVariablesMap().set("xen:config:url", "https://127.0.0.1:1");
  const res = await call<provproto.ConfigureResponse>("configure", req);
  assert.equal(res.getAcceptsecrets(), true);
  assert.equal(res.getSupportspreview(), true);
  const info = await call<{ getVersion(): string }>("getPluginInfo", new (fromPulumi("google-protobuf/google/protobuf/empty_pb").Empty)());
  assert.equal(info.getVersion(), "1.2.3");
  const schema = JSON.parse((await call<provproto.GetSchemaResponse>("getSchema", new provproto.GetSchemaRequest())).getSchema());
  assert.equal(schema.name, "xen");
  assert.equal(schema.version, "1.2.3");
});

test("Check normalizes, fills the owner mark from the URN, and keeps a secret input secret", async () => {
  const req = new provproto.CheckRequest().setUrn(NOVA_URN).setOlds(Struct.fromJavaScript({}));
  req.setNews(Struct.fromJavaScript({ ssh: { address: "10.0.0.9", hostKeyFingerprint: "SHA256:" + "A".repeat(43) }, connectionUrl: "https://xs1", connectionPassword: secret("hunter2") }));
  const res = await call<provproto.CheckResponse>("check", req);
  assert.deepEqual(res.getFailuresList().map((f) => f.getReason()), []);
  const inputs = res.getInputs()!.toJavaScript() as Record<string, any>;
  assert.deepEqual(inputs.connectionPassword, secret("hunter2"));
  const sr = await call<provproto.CheckResponse>("check", new provproto.CheckRequest().setUrn(SR_URN).setOlds(Struct.fromJavaScript({})).setNews(Struct.fromJavaScript(SR)));
  assert.equal((sr.getInputs()!.toJavaScript() as any).ownerKey, "infra/dev/StorageRepository/store");
});

test("Check reports a bad input as a failure naming the property", async () => {
  const res = await call<provproto.CheckResponse>("check", new provproto.CheckRequest().setUrn(SR_URN).setOlds(Struct.fromJavaScript({})).setNews(Struct.fromJavaScript({ ...SR, deviceConfig: {} })));
  assert.deepEqual(res.getFailuresList().map((f) => f.getProperty()), ["deviceConfig", "deviceConfig"]);
});

async function diff(olds: object, news: object): Promise<provproto.DiffResponse> {
  return call("diff", new provproto.DiffRequest().setId("u-1").setUrn(SR_URN).setOlds(Struct.fromJavaScript(olds)).setNews(Struct.fromJavaScript(news)));
}
function detailed(res: provproto.DiffResponse): Record<string, provproto.PropertyDiff.Kind> {
  const out: Record<string, provproto.PropertyDiff.Kind> = {};
  res.getDetaileddiffMap().forEach((v, k) => (out[k] = v.getKind()));
  return out;
}

test("Diff: an updatable field is an UPDATE in the detailed diff; the uuid and unchanged inputs are stable", async () => {
  const olds = { ...SR, uuid: "u-1", contentType: "user", tags: [] };
  const res = await diff(olds, { ...SR, description: "two", contentType: "user", tags: [] });
  assert.equal(res.getChanges(), provproto.DiffResponse.DiffChanges.DIFF_SOME);
  assert.equal(res.getHasdetaileddiff(), true);
  assert.deepEqual(detailed(res), { description: provproto.PropertyDiff.Kind.UPDATE });
  assert.deepEqual(res.getReplacesList(), []);
  assert.ok(res.getStablesList().includes("uuid"));
  assert.ok(res.getStablesList().includes("name"));
  assert.ok(!res.getStablesList().includes("description"));
});

test("Diff: a replacing field is an UPDATE_REPLACE, nothing is stable; no change is DIFF_NONE", async () => {
  const olds = { ...SR, uuid: "u-1" };
  const res = await diff(olds, { ...SR, deviceConfig: { server: "nfs2", serverpath: "/x" } });
  assert.deepEqual(detailed(res), { deviceConfig: provproto.PropertyDiff.Kind.UPDATE_REPLACE });
  assert.deepEqual(res.getReplacesList(), ["deviceConfig"]);
  assert.deepEqual(res.getStablesList(), []);
  assert.equal((await diff(olds, SR)).getChanges(), provproto.DiffResponse.DiffChanges.DIFF_NONE);
});

test("Update in a preview changes nothing and keeps the stable outputs known", async () => {
  const req = new provproto.UpdateRequest().setId("u-1").setUrn(SR_URN).setPreview(true)
    .setOlds(Struct.fromJavaScript({ ...SR, uuid: "u-1", physicalSize: 5 }))
    .setNews(Struct.fromJavaScript({ ...SR, description: "two" }));
  const outs = (await call<provproto.UpdateResponse>("update", req)).getProperties()!.toJavaScript() as Record<string, unknown>;
  assert.equal(outs.uuid, "u-1");
  assert.equal(outs.description, "two");
  assert.equal("physicalSize" in outs, false, "an output the update may change is left unknown");
});

test("Create in a preview makes nothing: the outputs are the inputs", async () => {
  const req = new provproto.CreateRequest().setUrn(SR_URN).setPreview(true).setProperties(Struct.fromJavaScript(SR));
  const res = await call<provproto.CreateResponse>("create", req);
  assert.equal(res.getId(), "");
  assert.deepEqual(res.getProperties()!.toJavaScript(), SR);
});

test("a resource type the plugin does not serve is an error naming it", async () => {
  const req = new provproto.DiffRequest().setUrn("urn:pulumi:d::p::xen:index:Nope::n").setOlds(Struct.fromJavaScript({})).setNews(Struct.fromJavaScript({}));
  await assert.rejects(call("diff", req), /unknown resource type xen:index:Nope/);
});
