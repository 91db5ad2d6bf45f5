import { errorKind, XenApiSession } from "../xenapi";
import { CheckFailure, failure } from "./check";
import { isUnknown } from "./unknown";
import { resolveHost } from "./lookup";

/**
 * For check(): each [property, host] must name one host of the pool (uuid, name or address). A host that does not
 * resolve is the input's failure; an unreachable pool, a refused certificate or login, or a failing xapi call is
 * thrown as what it is, never blamed on the input.
 */
export async function hostsExist(session: XenApiSession, hosts: Array<[string, string]>): Promise<CheckFailure[]> {
  const failures: CheckFailure[] = [];
  for (const [property, host] of hosts) {
    if (typeof host !== "string" || host === "" || isUnknown(host)) continue;
    try {
      await resolveHost(session, property, host);
    } catch (err) {
      if (errorKind(err) !== undefined) throw err;
      failures.push(failure(property, (err as Error).message));
    }
  }
  return failures;
}
