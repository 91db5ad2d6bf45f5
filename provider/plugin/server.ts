import * as path from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";
import { PropertyChange, XenProvider } from "./provider";
import { unwrapSecrets, wrapSecrets } from "./secrets";

/**
 * The ResourceProvider gRPC service, served with the stubs that ship in `@pulumi/pulumi/proto`. Not
 * `provider.main`: its server (3.259) copies only `changes`, `replaces` and `deleteBeforeReplace` from a diff (no
 * detailed diff, no stables), ignores the configuration it is sent, and does not announce preview support, so the
 * engine would never ask it for a preview of an update (and dependents would see unknown uuids). This is the glue
 * only: requests to plain values and back (secrets, structs, errors); behaviour is in ./provider.ts.
 */

// The gRPC and protobuf runtimes @pulumi/pulumi itself uses (so the generated stubs and these are the same copies).
const fromPulumi = (id: string) => require(require.resolve(id, { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] }));
const grpc: typeof grpcTypes = fromPulumi("@grpc/grpc-js");
const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb");
const { Empty } = fromPulumi("google-protobuf/google/protobuf/empty_pb");
const { Any } = fromPulumi("google-protobuf/google/protobuf/any_pb");

type Props = Record<string, unknown>;
type Callback<T> = (err: Partial<grpcTypes.StatusObject> | Error | null, value?: T | null, trailer?: grpcTypes.Metadata) => void;
type Call<Req> = { request: Req };

const toJs = (s: { toJavaScript(): Props } | undefined): Props => (s ? s.toJavaScript() : {});
const toStruct = (p: Props | undefined) => Struct.fromJavaScript(dropUndefined(p ?? {}));

/** Struct.fromJavaScript refuses `undefined`: an absent property is simply not sent. */
function dropUndefined(value: any): any {
  if (Array.isArray(value)) return value.map(dropUndefined);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, dropUndefined(v)]));
  }
  return value;
}

const KIND: Record<PropertyChange, provproto.PropertyDiff.Kind> = {
  update: provproto.PropertyDiff.Kind.UPDATE,
  replace: provproto.PropertyDiff.Kind.UPDATE_REPLACE,
};

/** A create or update that made something and then failed (provider/resources/init-failure.ts) is recorded. */
function errorOf(e: any, secretKeys: Iterable<string>): Partial<grpcTypes.StatusObject> {
  const message = String(e?.message ?? e);
  const metadata = new grpc.Metadata();
  if (e?.id) {
    const detail = new provproto.ErrorResourceInitFailed();
    detail.setId(e.id);
    detail.setProperties(toStruct(wrapSecrets(e.properties ?? {}, secretKeys)));
    detail.setReasonsList(e.reasons ?? [message]);
    const any = new Any();
    any.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
    const status = new statusproto.Status();
    status.setCode(grpc.status.UNKNOWN);
    status.setMessage(message);
    status.addDetails(any);
    metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  }
  return { code: grpc.status.UNKNOWN, details: message, metadata };
}

/** Runs `handler`, answering the call with its result or its error. */
function answer<Req, Res>(handler: (req: Req) => Promise<Res>, secretKeysOf: (req: Req) => Iterable<string> = () => []) {
  return (call: Call<Req>, callback: Callback<Res>) => {
    handler(call.request).then(
      (res) => callback(null, res),
      (e) => {
        const err = errorOf(e, secretKeysOf(call.request));
        callback(err, null, err.metadata);
      },
    );
  };
}

const unimplemented = (what: string) => (_call: unknown, callback: Callback<never>) =>
  callback({ code: grpc.status.UNIMPLEMENTED, details: `xen: ${what} is not implemented` });

export function service(provider: XenProvider): grpcTypes.UntypedServiceImplementation {
  const secrets = (urn: string, ...from: Array<Set<string>>) => {
    const schema = provider.secretsOf(urn);
    return new Set([...schema.inputs, ...schema.outputs, ...from.flatMap((s) => [...s])]);
  };
  return {
    handshake: unimplemented("Handshake"),
    parameterize: unimplemented("Parameterize"),
    checkConfig: unimplemented("CheckConfig"),
    diffConfig: unimplemented("DiffConfig"),
    invoke: unimplemented("Invoke"),
    call: unimplemented("Call"),
    construct: unimplemented("Construct"),
    getMapping: unimplemented("GetMapping"),
    getMappings: unimplemented("GetMappings"),
    list: (call: { emit(event: string, err: unknown): void }) => call.emit("error", { code: grpc.status.UNIMPLEMENTED, details: "xen: List is not implemented" }),
    cancel: answer(async () => new Empty()),
    attach: answer(async () => new Empty()),
    getPluginInfo: answer(async () => new plugproto.PluginInfo().setVersion(provider.version)),
    getSchema: answer(async (req: provproto.GetSchemaRequest) => {
      if (req.getVersion() !== 0) throw new Error(`unsupported schema version ${req.getVersion()}`);
      return new provproto.GetSchemaResponse().setSchema(await provider.getSchema());
    }),
    configure: answer(async (req: provproto.ConfigureRequest) => {
      provider.configure(new Map(req.getVariablesMap().toArray()));
      return new provproto.ConfigureResponse().setAcceptsecrets(true).setSupportspreview(true).setAcceptresources(false).setAcceptoutputs(false);
    }),
    check: answer(async (req: provproto.CheckRequest) => {
      const olds = unwrapSecrets(toJs(req.getOlds()));
      const news = unwrapSecrets(toJs(req.getNews()));
      const { inputs, failures } = await provider.check(req.getUrn(), olds.plain, news.plain);
      const res = new provproto.CheckResponse().setInputs(toStruct(wrapSecrets(inputs, secrets(req.getUrn(), news.secretKeys))));
      res.setFailuresList(failures.map((f) => new provproto.CheckFailure().setProperty(f.property).setReason(f.reason)));
      return res;
    }),
    diff: answer(async (req: provproto.DiffRequest) => {
      const d = await provider.diff(req.getId(), req.getUrn(), unwrapSecrets(toJs(req.getOlds())).plain, unwrapSecrets(toJs(req.getNews())).plain);
      const res = new provproto.DiffResponse()
        .setChanges(d.changes ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE)
        .setReplacesList(d.replaces)
        .setDeletebeforereplace(d.deleteBeforeReplace)
        .setStablesList(d.stables)
        .setDiffsList(Object.keys(d.detailedDiff))
        .setHasdetaileddiff(true);
      for (const [field, change] of Object.entries(d.detailedDiff)) {
        res.getDetaileddiffMap().set(field, new provproto.PropertyDiff().setKind(KIND[change]).setInputdiff(true));
      }
      return res;
    }),
    create: answer(
      async (req: provproto.CreateRequest) => {
        const inputs = unwrapSecrets(toJs(req.getProperties()));
        const { id, outs } = await provider.create(req.getUrn(), inputs.plain, req.getPreview());
        return new provproto.CreateResponse().setId(id).setProperties(toStruct(wrapSecrets(outs, secrets(req.getUrn(), inputs.secretKeys))));
      },
      (req) => secrets(req.getUrn(), unwrapSecrets(toJs(req.getProperties())).secretKeys),
    ),
    read: answer(async (req: provproto.ReadRequest) => {
      const props = unwrapSecrets(toJs(req.getProperties()));
      const inputs = unwrapSecrets(toJs(req.getInputs()));
      const result = await provider.read(req.getId(), req.getUrn(), props.plain);
      const keys = secrets(req.getUrn(), props.secretKeys, inputs.secretKeys);
      const res = new provproto.ReadResponse().setId(result.id ?? "");
      if (result.props) res.setProperties(toStruct(wrapSecrets(result.props, keys)));
      if (result.inputs) res.setInputs(toStruct(wrapSecrets(result.inputs, keys)));
      return res;
    }),
    update: answer(
      async (req: provproto.UpdateRequest) => {
        const olds = unwrapSecrets(toJs(req.getOlds()));
        const news = unwrapSecrets(toJs(req.getNews()));
        const { outs } = await provider.update(req.getId(), req.getUrn(), olds.plain, news.plain, req.getPreview());
        return new provproto.UpdateResponse().setProperties(toStruct(wrapSecrets(outs, secrets(req.getUrn(), olds.secretKeys, news.secretKeys))));
      },
      (req) => secrets(req.getUrn(), unwrapSecrets(toJs(req.getNews())).secretKeys),
    ),
    delete: answer(async (req: provproto.DeleteRequest) => {
      await provider.delete(req.getId(), req.getUrn(), unwrapSecrets(toJs(req.getProperties())).plain);
      return new Empty();
    }),
  };
}

/** Serves `provider` on a free local port (127.0.0.1): the engine reads that port from the plugin's stdout. */
export async function serve(provider: XenProvider): Promise<{ server: grpcTypes.Server; port: number }> {
  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  server.addService(provrpc.ResourceProviderService as unknown as grpcTypes.ServiceDefinition, service(provider));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { server, port };
}
