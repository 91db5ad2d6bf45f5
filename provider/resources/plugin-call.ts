/**
 * Calling a dom0 XenAPI plug-in through `host.call_plugin` in the convention the plug-in set uses:
 *
 * - "serialized": nova's `call_plugin_serialized` (nova/virt/xenapi/client/session.py, Icehouse 2014.1 and later).
 *   The arguments travel pickled in one `params` argument, `{"args": (...), "kwargs": {...}}` at protocol 0 (Python
 *   2's default, which nova uses), beside `host_uuid` (nova passes the host's uuid with every call); the plug-in's
 *   helper (`utils.register_plugin_calls`) unpickles them, calls the function, and answers `pickle.dumps(result)`,
 *   which is decoded here by the restricted reader of `pickle.ts` (plain values only).
 * - "plain": the bare xapi convention: the arguments as the string map, the answer is the string returned.
 */
import { XenApiSession } from "../xenapi";
import { pickle0, PickleError, PyTuple, PyValue, unpickle } from "./pickle";

export const PLUGIN_CALL_CONVENTIONS = ["serialized", "plain"] as const;
export type PluginCallConvention = (typeof PLUGIN_CALL_CONVENTIONS)[number];

export interface PluginAnswer {
  /** The answer decoded (for "plain", the string itself). */
  value: PyValue;
  /** What host.call_plugin returned, undecoded. */
  raw: string;
}

/** The `params` argument of nova's convention for a call with these positional and keyword arguments. */
export function serializedParams(args: PyValue[] = [], kwargs: Record<string, PyValue> = {}): string {
  return pickle0(new Map<PyValue, PyValue>([["args", new PyTuple(args)], ["kwargs", new Map(Object.entries(kwargs))]]));
}

/**
 * `host.call_plugin(host, plugin, fn, ...)` in `convention`, with no arguments for the function itself. A
 * XenAPI failure (the plug-in's own included) rejects as the session reports it; a serialized answer that is not a
 * pickle of plain values rejects with a `PickleError`.
 */
export async function callPlugin(
  session: XenApiSession,
  host: { ref: string; uuid: string },
  plugin: string,
  fn: string,
  convention: PluginCallConvention,
): Promise<PluginAnswer> {
  if (convention === "plain") {
    const raw = String(await session.call<string>("host.call_plugin", host.ref, plugin, fn, {}));
    return { value: raw, raw };
  }
  const raw = String(await session.call<string>("host.call_plugin", host.ref, plugin, fn, { params: serializedParams(), host_uuid: host.uuid }));
  try {
    return { value: unpickle(raw), raw };
  } catch (e) {
    if (!(e instanceof PickleError)) throw e;
    const shown = raw.length > 200 ? `${JSON.stringify(raw.slice(0, 200))}...` : JSON.stringify(raw);
    throw new PickleError(`the answer ${shown} is not a pickle of plain values: ${e.message}`);
  }
}
