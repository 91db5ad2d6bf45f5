/** Handlers for messages with behaviour, keyed "Class.message". Arguments arrive in stored form, session excluded. */
import type { Ctx } from "./state";

export type Handler = (ctx: Ctx, ...args: any[]) => unknown | Promise<unknown>;
export const handlers = new Map<string, Handler>();

export function on(method: string, fn: Handler): void { handlers.set(method, fn); }
