import { isXenApiError, XenApiError } from "./errors";
import { XenApiSession } from "./session";

export interface AsyncCallOptions {
  /** Called with progress 0..1 while the task runs. */
  onProgress?: (progress: number) => void;
  /** Give up (and cancel the task) after this many ms. */
  timeoutMs?: number;
}

/** The fields of a xapi task record that waitForTask reads. */
export interface TaskRecord {
  /** Where the task is: "pending" while it runs; it is over at "success", "failure" or "cancelled". */
  status: "pending" | "success" | "failure" | "cancelling" | "cancelled";
  /** How far it is, 0..1 (as a number or as its text; waitForTask reads it with Number()). */
  progress: number | string;
  /** On success, the result as an XML-RPC `<value>` fragment (see decodeTaskResult); "" when there is none. */
  result: string;
  /** On failure, the XenAPI error code and its parameters; empty otherwise (and possibly for a cancelled task). */
  error_info: string[];
}

interface EventBatch {
  events: Array<{ ref?: string; operation?: string; snapshot?: TaskRecord }>;
  token: string;
}

/** Longest single event.from wait, in s (xapi answers when the task changes or this runs out). */
const EVENT_WAIT_S = 30;
/**
 * Polling (pools whose event.from cannot be used): first interval and cap, in ms. With events, the same growing
 * pause follows each progress change, so a task that reports progress often costs at most about one call a second.
 */
const FIRST_POLL_MS = 50;
const MAX_POLL_MS = 1000;

/**
 * Runs `Async.<method>` and waits for its task (waitForTask), returns the decoded result, and always destroys the
 * task so none is left behind.
 */
export async function callAsync<T = string>(
  session: XenApiSession,
  method: string,
  args: unknown[],
  options: AsyncCallOptions = {},
): Promise<T> {
  const task = await session.call<string>(`Async.${method}`, ...args);
  try {
    const record = await waitForTask(session, task, method, options);
    return decodeTaskResult(record.result) as T;
  } finally {
    await session.call("task.destroy", task).catch(() => undefined);
  }
}

/**
 * Waits for `task` to succeed and returns its final record; a failed or cancelled task throws its error (with the
 * objects in it named). No sleeping and no wasted polls: the first look is `event.from` on the task alone with an
 * empty token (its current record, and a token), so a task already done costs one call; after that each
 * `event.from` blocks in xapi until the task changes (progress or completion), so a long task costs one call per
 * change (at most about one a second) rather than one per poll interval. Where event.from is refused, it polls `task.get_record` with a growing
 * interval instead.
 */
export async function waitForTask(
  session: XenApiSession,
  task: string,
  method: string,
  options: AsyncCallOptions = {},
): Promise<TaskRecord> {
  const deadline = options.timeoutMs ? Date.now() + options.timeoutMs : Infinity;
  // Ask xapi to answer well within our own per-call timeout.
  const longestWaitS = Math.min(EVENT_WAIT_S, session.callTimeoutMs / 2000);
  let token: string | undefined = "";
  let pollWait = FIRST_POLL_MS;
  for (;;) {
    let record: TaskRecord | undefined;
    const firstLook = token === "";
    if (token !== undefined) {
      // xapi wants a float: a non-integral number goes on the wire as <double>.
      const waitS = token === "" ? 0.1 : Math.max(0.1, Math.min(longestWaitS, (deadline - Date.now()) / 1000)) + 0.01;
      try {
        const batch: EventBatch = await session.call<EventBatch>("event.from", [`task/${task}`], token, waitS);
        const mine = batch.events.filter((e) => e.ref === task);
        const last = mine[mine.length - 1];
        if (last?.operation === "del") throw new XenApiError("HANDLE_INVALID", ["task", task], method);
        record = last?.snapshot;
        // The first look must show the task; if it does not, this pool's events are of no use here.
        token = record === undefined && token === "" ? undefined : batch.token;
      } catch (err) {
        if (!isXenApiError(err) || err.code === "HANDLE_INVALID") throw err;
        token = undefined; // event.from refused (old pool, RBAC): poll instead
      }
    }
    if (token === undefined && record === undefined) {
      record = await session.call<TaskRecord>("task.get_record", task);
    }
    if (record) {
      if (record.status === "success") return record;
      if (record.status === "failure" || record.status === "cancelled") {
        const info = record.error_info?.length ? record.error_info : ["TASK_CANCELLED", task];
        throw await session.describe(XenApiError.fromDescription(method, info));
      }
      options.onProgress?.(Number(record.progress));
    }
    if (Date.now() > deadline) {
      await session.call("task.cancel", task).catch(() => undefined);
      throw new Error(`${method} did not finish within ${options.timeoutMs} ms (task cancelled)`);
    }
    // Polling waits between looks; with events, a progress change is followed by a pause, so that the next
    // event.from sums up what changed meanwhile (the first look and a quiet timeout go straight back to waiting).
    const progressed = token !== undefined && record !== undefined && !firstLook;
    if (token === undefined || progressed) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(pollWait, Math.max(0, deadline - Date.now()))));
      pollWait = Math.min(pollWait * 2, MAX_POLL_MS);
    }
  }
}

/** xapi stores an async call's result as an XML-RPC `<value>` fragment, e.g. `<value>OpaqueRef:…</value>`. */
export function decodeTaskResult(result: string): string {
  const match = /^\s*<value>(?:<string>)?([\s\S]*?)(?:<\/string>)?<\/value>\s*$/.exec(result ?? "");
  const text = match ? match[1] : (result ?? "");
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}
