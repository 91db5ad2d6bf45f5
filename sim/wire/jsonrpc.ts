/**
 * JSON-RPC at /jsonrpc as newer xapi serves it: {"jsonrpc":"2.0","method":..,"params":[..],"id":..}
 * answered with {"result": value} or {"error": {"code": 1, "message": CODE, "data": [params]}}.
 */
import type { SimState } from "../state";
import { dispatch } from "../dispatch";
import { XDateTime, XDouble, XBare } from "./values";

function plain(v: unknown): unknown {
  const raw = (x: unknown) => (x as { raw: unknown }).raw;
  if (v instanceof XDouble) return Number(raw(v));
  if (v instanceof XDateTime || v instanceof XBare) return raw(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** The JSON-RPC answer, or undefined when the connection is to be cut instead (an injected fault). */
export async function handleJsonRpc(st: SimState, hostRef: string, body: string): Promise<unknown> {
  let req: { jsonrpc?: string; method?: string; params?: unknown[]; id?: unknown };
  try { req = JSON.parse(body); } catch { return { jsonrpc: "2.0", error: { code: -32700, message: "Parse error" }, id: null }; }
  if (typeof req.method !== "string") return { jsonrpc: "2.0", error: { code: -32600, message: "Invalid Request" }, id: req.id ?? null };
  const o = await dispatch(st, hostRef, req.method, Array.isArray(req.params) ? req.params : []);
  if (o.drop) return undefined;
  if (o.ok) return { jsonrpc: "2.0", result: plain(o.value), id: req.id ?? null };
  return { jsonrpc: "2.0", error: { code: 1, message: o.error[0], data: o.error.slice(1) }, id: req.id ?? null };
}
