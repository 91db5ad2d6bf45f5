import {
  beginOperation,
  ConnectionSettings,
  resolveConnection,
  settingSource,
  SettingSource,
  sharedSession,
  XenApiSession,
} from "./xenapi";
import { boundHeapGrowth } from "./heap";

/**
 * Per-process provider state: the stack config handed to `configure`, and the one shared XenAPI session per pool.
 * Lives in this module so that every resource kind's serialized provider (each `require`s this package) shares it.
 */
let stackConfig: SettingSource = () => undefined;

/** Called from each dynamic provider's `configure` with the stack's config (`xen:url`, `xen:password` ...). */
export function configure(config: { get(key: string): string | undefined }): void {
  stackConfig = (key) => config.get(key);
  beginOperation(); // the pool view catches up before its next read: this operation sees the pool as it is now
  boundHeapGrowth();
}

export function connectionSettings(): ConnectionSettings {
  return resolveConnection(settingSource(stackConfig));
}

export function xenSession(): XenApiSession {
  return sharedSession(connectionSettings());
}

/** SSH credentials for dom0s and the nova-compute VM. The private key is only ever held in memory. */
export interface SshSettings {
  /** SSH user (`xen:sshUser`); default root. A target's own `user` overrides it. */
  username: string;
  /** The private key text (`xen:sshPrivateKey`, secret): the key dom0s accept. Required. */
  privateKey: string;
}

/** `xen:sshPrivateKey` (secret; env XEN_SSH_PRIVATE_KEY) and `xen:sshUser` (default root; env XEN_SSH_USER). */
export function sshSettings(): SshSettings {
  const get = settingSource(stackConfig);
  const privateKey = get("xen:sshPrivateKey");
  if (!privateKey) {
    throw new Error("xen:sshPrivateKey is not set (stack config secret `xen:sshPrivateKey` or XEN_SSH_PRIVATE_KEY): the key dom0s accept for root");
  }
  return { username: get("xen:sshUser") ?? "root", privateKey };
}

/** The pool's XenAPI password from stack config (`xen:password`), for nova's connection_password when not given. */
export function xenPassword(): string | undefined {
  return settingSource(stackConfig)("xen:password");
}
