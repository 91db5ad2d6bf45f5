/** task.*: create, cancel (pending only), destroy; reads and the set_* fallbacks are generic. */
import { on } from "../registry";
import { fail } from "../errors";
import type { Ctx } from "../state";
import { createTask } from "../tasks";
import { xapiDate } from "../wire/values";

on("task.create", (ctx: Ctx, label: string, description: string) => createTask(ctx.st, label, ctx.hostRef, description));
on("task.destroy", (ctx: Ctx, task: string) => ctx.st.db.destroy("task", task));
on("task.cancel", (ctx: Ctx, task: string) => {
  const db = ctx.st.db;
  if (db.field("task", task, "status") !== "pending") fail("OPERATION_NOT_ALLOWED", "task is not pending");
  db.update("task", task, { status: "cancelled", error_info: ["TASK_CANCELLED", task], finished: xapiDate(), allowed_operations: [], progress: 1 });
});
