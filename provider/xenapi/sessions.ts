import { ConnectionSettings } from "./connection";
import { XenApiSession } from "./session";

/**
 * One XenAPI session per pool (URL + user) per process, shared by every resource, logged out when the process
 * ends. xapi keeps a bounded number of sessions per user and evicts the oldest, so a leaked session can log out
 * another tool: every session made here is logged out on exit.
 */
const sessions = new Map<string, XenApiSession>();
let exitHooksInstalled = false;

/** Counts of RPCs by method made by this process (read by benchmarks). */
export const rpcCounts = new Map<string, number>();

export function sharedSession(settings: ConnectionSettings): XenApiSession {
  const key = `${settings.url}|${settings.username}`;
  let session = sessions.get(key);
  if (!session) {
    session = new XenApiSession(settings.url, settings, {
      tls: settings.tls,
      timeoutMs: settings.timeoutMs,
      onCall: (method) => rpcCounts.set(method, (rpcCounts.get(method) ?? 0) + 1),
    });
    sessions.set(key, session);
    installExitHooks();
  }
  return session;
}

/** Logs out every shared session. Safe to call more than once. */
export async function closeAllSessions(): Promise<void> {
  const all = [...sessions.values()];
  sessions.clear();
  await Promise.all(all.map((s) => s.logout()));
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  // The engine stops the provider process with a signal; log out before going.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      void closeAllSessions().finally(() => process.exit(0));
    });
  }
  process.once("beforeExit", () => void closeAllSessions());
}
