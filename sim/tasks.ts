/** Tasks: what Async.* calls return; their record tracks progress, status, result and error_info. */
// eslint-disable-next-line @typescript-eslint/no-var-requires
const serializer = require("xmlrpc/lib/serializer");
import type { SimState } from "./state";
import { xapiDate, bareStrings } from "./wire/values";

export function createTask(st: SimState, label: string, hostRef: string, description = ""): string {
  return st.db.create("task", {
    name_label: label, name_description: description, status: "pending", progress: 0, created: xapiDate(),
    finished: "19700101T00:00:00Z", resident_on: hostRef, type: "<none/>", result: "", error_info: [],
    allowed_operations: ["cancel"], subtask_of: "OpaqueRef:NULL",
  });
}

/** xapi stores the XML-RPC <value> of the result in task.result ("" for void); clients strip the tags. */
export function resultXml(wireValue: unknown): string {
  if (wireValue === "" || wireValue === undefined) return "";
  const xml: string = serializer.serializeMethodResponse(bareStrings(wireValue));
  const start = xml.indexOf("<param>") + "<param>".length;
  return xml.slice(start, xml.lastIndexOf("</param>"));
}

export function setProgress(st: SimState, task: string, progress: number): void {
  if (st.db.exists("task", task)) st.db.set("task", task, "progress", progress);
}

export function completeTask(st: SimState, task: string, wireValue: unknown): void {
  if (!st.db.exists("task", task) || st.db.field("task", task, "status") !== "pending") return;
  st.db.update("task", task, { progress: 1, result: resultXml(wireValue), finished: xapiDate(), allowed_operations: [], status: "success" });
}

export function failTask(st: SimState, task: string, errorInfo: string[]): void {
  if (!st.db.exists("task", task) || st.db.field("task", task, "status") !== "pending") return;
  st.db.update("task", task, { progress: 1, error_info: errorInfo, finished: xapiDate(), allowed_operations: [], status: "failure" });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Lets a task take st.taskSeconds before its work runs, its progress rising in tenths of a second from 0 towards 1
 * (completeTask sets 1). False when the task was cancelled or destroyed meanwhile: its work must not run.
 */
export async function elapse(st: SimState, task: string): Promise<boolean> {
  const steps = Math.ceil(st.taskSeconds * 10);
  for (let i = 1; i <= steps; i++) {
    await sleep((st.taskSeconds * 1000) / steps);
    if (!st.db.exists("task", task) || st.db.field("task", task, "status") !== "pending") return false;
    if (i < steps) setProgress(st, task, Math.round((i / steps) * 1000) / 1000);
  }
  return true;
}
