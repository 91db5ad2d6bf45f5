import {
  ConnectionSettings,
  resolveConnection,
  settingSource,
  SettingSource,
  sharedSession,
  XenApiSession,
} from "./xenapi";

/**
 * Per-process provider state: the stack config handed to `configure`, and the one shared XenAPI session per pool.
 * Lives in this module so that every resource kind's serialized provider (each `require`s this package) shares it.
 */
let stackConfig: SettingSource = () => undefined;

/** Called from each dynamic provider's `configure` with the stack's config (`xen:url`, `xen:password` ...). */
export function configure(config: { get(key: string): string | undefined }): void {
  stackConfig = (key) => config.get(key);
}

export function connectionSettings(): ConnectionSettings {
  return resolveConnection(settingSource(stackConfig));
}

export function xenSession(): XenApiSession {
  return sharedSession(connectionSettings());
}
