import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Progress of long XenAPI tasks (VM copy, provision, start, SR create), shown on the row of the resource whose
 * operation runs the task, from 0%, in steps of 10%.
 *
 * How it reaches that row. The engine files a log message under a resource when the message carries the resource's
 * URN; what a provider process writes to stderr carries none, so the engine shows it under the Stack. In Pulumi's
 * dynamic-provider process (@pulumi/pulumi 3.259, cmd/dynamic-provider):
 *   - `pulumi.log.info(msg, resource)` needs a Resource object, which the process does not have (it gets plain
 *     inputs), and the process never connects `pulumi.log` to the engine (PULUMI_NODEJS_ENGINE is unset), so
 *     `pulumi.log` only prints "info: [runtime] ..." to stdout: under the Stack again;
 *   - the engine's address is the process's first argument (`dynamic-provider <engine>`), so the process can call
 *     the engine's `Log` RPC itself, with a URN and `ephemeral` (a status on the resource's row, as a provider
 *     plug-in's LogStatus does);
 *   - the URN is in each Create / Update / Delete request, but the server passes only the inputs to
 *     `provider.create(inputs)`. The server reads the request (`getProperties()`, `getOlds()`, `getId()`)
 *     synchronously before it calls the provider, so wrapping those getters lets this module note the request's
 *     URN in an AsyncLocalStorage that follows the operation across its awaits (concurrent operations each keep
 *     their own).
 * Anything missing (in-process tests, another Pulumi version) falls back to stderr, as before.
 */
const urnOfOperation = new AsyncLocalStorage<string>();

export interface ProgressSink {
  /** Shows `message` for the resource `urn` (undefined: no resource known). */
  show(message: string, urn: string | undefined): void;
}

/** Reports a task's progress (0..1) as `<label>: N%`: 0% first, then each new step of 10%; never 100% (done shows). */
export function progressReporter(label: string, sink: ProgressSink = defaultSink()): (progress: number) => void {
  const urn = urnOfOperation.getStore();
  let shown = -1;
  return (progress) => {
    const step = Math.max(0, Math.min(9, Math.floor((Number.isFinite(progress) ? progress : 0) * 10)));
    if (step <= shown) return;
    shown = step;
    sink.show(`${label}: ${step * 10}%`, urn);
  };
}

/** Runs `fn` as the operation of resource `urn` (what the dynamic-provider hook does per request; for tests). */
export function withResourceUrn<T>(urn: string, fn: () => T): T {
  return urnOfOperation.run(urn, fn);
}

const stderrSink: ProgressSink = {
  show(message) {
    process.stderr.write(`${message}\n`);
  },
};

/** Pulumi's dynamic-provider process: its main module is @pulumi/pulumi/cmd/dynamic-provider, argv[2] the engine. */
function engineSink(): ProgressSink | undefined {
  const main = require.main;
  const engineAddress = process.argv[2];
  if (!main || !/[\\/]cmd[\\/]dynamic-provider([\\/]index\.js)?$/.test(main.filename) || !engineAddress) return undefined;
  try {
    // The process's own copies (resolved from its main module), so the wrapped request classes are the ones it uses.
    const grpc = main.require("@grpc/grpc-js");
    const engineRpc = main.require("../../proto/engine_grpc_pb");
    const engineProto = main.require("../../proto/engine_pb");
    noteUrnOfRequests(main.require("../../proto/provider_pb"));
    const engine = new engineRpc.EngineClient(engineAddress, grpc.credentials.createInsecure());
    let last: Promise<void> = Promise.resolve();
    return {
      show(message, urn) {
        if (!urn) return stderrSink.show(message, urn);
        const req = new engineProto.LogRequest();
        req.setSeverity(engineProto.LogSeverity.INFO);
        req.setMessage(message);
        req.setUrn(urn);
        req.setEphemeral(true);
        // In order, one at a time; a failed delivery goes to stderr rather than failing the operation.
        last = last.then(() => new Promise<void>((resolve) => engine.log(req, (err: unknown) => {
          if (err) stderrSink.show(message, urn);
          resolve();
        })));
      },
    };
  } catch {
    return undefined;
  }
}

const HOOKED = Symbol.for("pulumi-xen.progress.urn-hook");

/** Wraps the getters the dynamic-provider server calls on each request before it calls the provider, to note the URN. */
function noteUrnOfRequests(proto: Record<string, { prototype: Record<string | symbol, unknown> }>): void {
  const getters: Array<[string, string]> = [
    ["CreateRequest", "getProperties"],
    ["UpdateRequest", "getOlds"],
    ["UpdateRequest", "getNews"],
    ["DeleteRequest", "getProperties"],
    // Read again just before the provider's update / delete is called: covers the request that loads this package
    // (a destroy's first delete; create always follows a check, which loads it).
    ["UpdateRequest", "getId"],
    ["DeleteRequest", "getId"],
  ];
  for (const [cls, getter] of getters) {
    const prototype = proto[cls]?.prototype;
    const original = prototype?.[getter];
    if (typeof original !== "function" || typeof prototype.getUrn !== "function" || (original as { [HOOKED]?: boolean })[HOOKED]) continue;
    const wrapped = function (this: { getUrn(): string }, ...args: unknown[]) {
      const urn = this.getUrn();
      if (urn) urnOfOperation.enterWith(urn);
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
    (wrapped as { [HOOKED]?: boolean })[HOOKED] = true;
    prototype[getter] = wrapped;
  }
}

// Set up when the provider package loads (its first `configure` or `check`), before any create, update or delete.
const processSink: ProgressSink = engineSink() ?? stderrSink;

function defaultSink(): ProgressSink {
  return processSink;
}
