/** host.* and pool.* behaviour: call_plugin through the dom0 hook, enable/disable, server time. */
import { on } from "../registry";
import { fail, XapiError } from "../errors";
import type { Ctx } from "../state";
import { xapiDate } from "../wire/values";
import { renderCall, parseResponse } from "../wire/xmlrpc";

const PLUGIN_DIR = "/etc/xapi.d/plugins";

/**
 * xapi's plug-in convention: run /etc/xapi.d/plugins/<name> with the XML-RPC methodCall `fn(session, args)`
 * as argv[1], and read an XML-RPC methodResponse from stdout: {Status: Success, Value} gives the value,
 * {Status: Failure, ErrorDescription} raises that error, a fault or garbage is XENAPI_PLUGIN_FAILURE.
 */
on("host.call_plugin", async (ctx: Ctx, host: string, plugin: string, fn: string, args: Record<string, string>) => {
  const hostUuid = String(ctx.st.db.field("host", host, "uuid"));
  const dom0 = ctx.st.dom0()?.(hostUuid);
  if (!dom0 || !plugin || plugin.includes("/") || plugin === "." || plugin === "..") fail("XENAPI_MISSING_PLUGIN", plugin);
  const file = `${PLUGIN_DIR}/${plugin}`;
  // xapi only runs files present in the plug-in directory.
  const probe = await dom0.exec(["test", "-f", file]);
  if (probe.code !== 0) fail("XENAPI_MISSING_PLUGIN", plugin);
  const call = renderCall(fn, [ctx.sessionRef, args]);
  const r = await dom0.exec([file, call]);
  if (r.code !== 0) fail("XENAPI_PLUGIN_FAILURE", "non-zero exit", r.stdout, r.stderr);
  let parsed: Awaited<ReturnType<typeof parseResponse>>;
  try { parsed = await parseResponse(r.stdout); } catch (e) { fail("XENAPI_PLUGIN_FAILURE", "failed to parse plugin output", r.stdout, String((e as Error).message)); }
  if (parsed.fault) fail("XENAPI_PLUGIN_FAILURE", "fault", String(parsed.fault.faultCode), String(parsed.fault.faultString));
  const v = parsed.value as Record<string, unknown> | string;
  if (v && typeof v === "object" && "Status" in v) {
    if (v.Status === "Success") return String(v.Value ?? "");
    const desc = (v.ErrorDescription as unknown[] | undefined) ?? ["XENAPI_PLUGIN_FAILURE"];
    throw new XapiError(String(desc[0]), desc.slice(1));
  }
  if (typeof v === "string") return v;
  fail("XENAPI_PLUGIN_FAILURE", "unexpected XMLRPC result", r.stdout);
});

on("host.get_servertime", () => xapiDate());
on("host.get_server_localtime", () => xapiDate());
on("host.disable", (ctx: Ctx, host: string) => ctx.st.db.set("host", host, "enabled", false));
on("host.enable", (ctx: Ctx, host: string) => ctx.st.db.set("host", host, "enabled", true));
on("host.compute_free_memory", (ctx: Ctx, host: string) => hostFreeMemory(ctx, host).toString());
on("host.get_management_interface", (ctx: Ctx, host: string) =>
  ctx.st.db.find("PIF", (p) => p.host === host && p.management === true)[0] ?? "OpaqueRef:NULL");

/** Memory left on a host after its resident domains (dom0 included). */
export function hostFreeMemory(ctx: Ctx, host: string): bigint {
  const db = ctx.st.db;
  const total = BigInt(db.field("host_metrics", db.field("host", host, "metrics") as string, "memory_total") as string);
  let used = BigInt(db.field("host", host, "memory_overhead") as string);
  for (const vm of db.field("host", host, "resident_VMs") as string[]) {
    if (db.field("VM", vm, "is_control_domain")) used += BigInt(db.field("VM", vm, "memory_static_max") as string);
    else used += BigInt(db.field("VM", vm, "memory_dynamic_max") as string) + BigInt(db.field("VM", vm, "memory_overhead") as string);
  }
  return total - used;
}

on("pool.sync_database", () => undefined);
