/**
 * Turns one API call (method name + raw params) into an outcome, the way xapi's server dispatch does:
 * method lookup, parameter count, session check, handle checks, then the behaviour (or the generic
 * datamodel-driven implementation). Async.* variants create a task and run the same behaviour later.
 */
import { XapiError, fail } from "./errors";
import type { Ctx, SimState } from "./state";
import { handlers, Handler } from "./registry";
import { generic } from "./classes/generic";
import { fromWire, toWire } from "./wire/values";
import { createTask, completeTask, failTask, setProgress, elapse } from "./tasks";
import type { ClassDef, MessageDef } from "./datamodel";

/** `drop`: the call took effect, but its connection is cut instead of answered (a fault: ./tripwire.ts). */
export type Outcome = ({ ok: true; value: unknown } | { ok: false; error: string[] }) & { drop?: boolean };

/** Trailing parameters that xapi gives defaults to (older clients omit them). */
const MIN_PARAMS: Record<string, number> = {
  "session.login_with_password": 2,
  "SR.create": 8,
  "SR.introduce": 6,
  "VM.snapshot": 2,
};

/** Messages with no Async variant: the implicit accessors, session and event calls. */
function asyncAllowed(cls: ClassDef, msg: MessageDef): boolean {
  if (cls.name === "session" || cls.name === "event") return false;
  if (msg.implicit) return msg.name === "create" || msg.name === "destroy";
  return !msg.name.startsWith("get_");
}

/** How long an async task stays pending before it runs (clients can observe it pending). */
const TASK_DELAY_MS = 10;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function dispatch(st: SimState, hostRef: string, method: string, params: unknown[]): Promise<Outcome> {
  st.counters.record(method);
  const latency = st.faults.latencyFor(method);
  if (latency > 0) await sleep(latency);
  const trip = st.faults.trip.take(method);
  let outcome: Outcome;
  try {
    outcome = { ok: true, value: await call(st, hostRef, method, params, trip) };
  } catch (e) {
    if (e instanceof XapiError) outcome = { ok: false, error: e.description };
    else outcome = { ok: false, error: ["INTERNAL_ERROR", String((e as Error)?.message ?? e)] };
  }
  // A tripped synchronous call has taken effect: now the fault, instead of the answer.
  if (trip && !method.startsWith("Async.")) {
    if (trip === "kill") st.faults.trip.kill(method);
    if (trip === "restart") await st.faults.restart();
    outcome.drop = true;
  }
  if (trip === "drop") outcome.drop = true;
  return outcome;
}

type Trip = ReturnType<SimState["faults"]["trip"]["take"]>;

async function call(st: SimState, hostRef: string, method: string, params: unknown[], trip?: Trip): Promise<unknown> {
  const isAsync = method.startsWith("Async.");
  const name = isAsync ? method.slice(6) : method;
  const dot = name.indexOf(".");
  const cls = dot > 0 ? st.dm.classes.get(name.slice(0, dot)) : undefined;
  const msg = cls?.messageMap.get(name.slice(dot + 1));
  if (!cls || !msg || (isAsync && !asyncAllowed(cls, msg))) fail("MESSAGE_METHOD_UNKNOWN", method);

  const hasSession = msg.params.length > 0 && msg.params[0][1] === "session ref";
  const declared = msg.params.slice(hasSession ? 1 : 0);
  const received = Math.max(0, params.length - (hasSession ? 1 : 0));
  const min = MIN_PARAMS[name] ?? declared.length;
  if ((hasSession && params.length === 0) || received < min || received > declared.length) {
    fail("MESSAGE_PARAMETER_COUNT_MISMATCH", method, declared.length, received);
  }
  const sessionRef = hasSession ? st.sessions.check(params[0]) : "";

  const args = declared.slice(0, received).map(([pname, ptype], i) => {
    const t = st.dm.parseType(ptype);
    const v = fromWire(st.dm, params[i + (hasSession ? 1 : 0)], t, pname);
    // xapi looks references up before acting on them; the null ref is legal where a reference is optional.
    if (t.kind === "ref" && st.dm.classes.has(t.cls) && v !== "OpaqueRef:NULL" && !st.db.exists(t.cls, v)) fail("HANDLE_INVALID", t.cls, v);
    return v;
  });

  const impl: Handler | undefined = handlers.get(name) ?? generic(st, cls, msg);
  if (!impl) fail("NOT_IMPLEMENTED", name);
  const resultType = st.dm.parseType(msg.result);
  const injected = st.faults.takeFailure(name);
  const ctx: Ctx = { st, method: name, hostRef, sessionRef };

  if (!isAsync) {
    if (injected) throw new XapiError(injected[0] ?? "INTERNAL_ERROR", injected.slice(1));
    return toWire(st.dm, await impl(ctx, ...args), resultType);
  }

  const task = createTask(st, method, hostRef);
  ctx.taskRef = task;
  // Run after the reply, like xapi's async forwarding; a client sees the task pending first.
  setTimeout(async () => {
    if (!st.db.exists("task", task)) return; // destroyed before it ran
    try {
      if (st.db.field("task", task, "status") !== "pending") return; // cancelled before it ran
      const failure = injected ?? (trip === "fail-task" ? ["INTERNAL_ERROR", `injected failure of ${name}`] : undefined);
      if (failure) {
        setProgress(st, task, 0.5); // part-way, then fail
        await sleep(5);
        throw new XapiError(failure[0] ?? "INTERNAL_ERROR", failure.slice(1));
      }
      if (!(await elapse(st, task))) return; // cancelled while it ran
      const v = await impl(ctx, ...args);
      // A tripped async call: the work is done, and the client never hears of it (killed, or its task forgotten).
      if (trip === "kill") return st.faults.trip.kill(method);
      if (trip === "restart") return void (await st.faults.restart());
      completeTask(st, task, toWire(st.dm, v, resultType));
    } catch (e) {
      failTask(st, task, e instanceof XapiError ? e.description : ["INTERNAL_ERROR", String((e as Error)?.message ?? e)]);
    }
  }, TASK_DELAY_MS);
  return task;
}
