import { XenApiError } from "./errors";
import { XenApiSession } from "./session";

export interface AsyncCallOptions {
  /** Called with progress 0..1 while the task runs. */
  onProgress?: (progress: number) => void;
  /** Give up (and cancel the task) after this many ms. */
  timeoutMs?: number;
}

interface TaskRecord {
  status: "pending" | "success" | "failure" | "cancelling" | "cancelled";
  progress: number | string;
  result: string;
  error_info: string[];
}

const FIRST_POLL_MS = 50;
const MAX_POLL_MS = 1000;

/**
 * Runs `Async.<method>` and waits for its task: polls with a growing interval (cheap on short tasks, few RPCs on
 * long ones), reports progress, returns the decoded result, and always destroys the task so none is left behind.
 */
export async function callAsync<T = string>(
  session: XenApiSession,
  method: string,
  args: unknown[],
  options: AsyncCallOptions = {},
): Promise<T> {
  const task = await session.call<string>(`Async.${method}`, ...args);
  const deadline = options.timeoutMs ? Date.now() + options.timeoutMs : Infinity;
  try {
    for (let wait = FIRST_POLL_MS; ; wait = Math.min(wait * 2, MAX_POLL_MS)) {
      const record = await session.call<TaskRecord>("task.get_record", task);
      if (record.status === "success") return decodeTaskResult(record.result) as T;
      if (record.status === "failure" || record.status === "cancelled") {
        const info = record.error_info?.length ? record.error_info : ["TASK_CANCELLED", task];
        throw XenApiError.fromDescription(method, info);
      }
      options.onProgress?.(Number(record.progress));
      if (Date.now() > deadline) {
        await session.call("task.cancel", task).catch(() => undefined);
        throw new Error(`${method} did not finish within ${options.timeoutMs} ms (task cancelled)`);
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  } finally {
    await session.call("task.destroy", task).catch(() => undefined);
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
