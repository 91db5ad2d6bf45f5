import { TlsVerification } from "./tls";

/** Where and how to reach a pool's xapi. The password is only ever held in memory. */
export interface ConnectionSettings {
  /** xapi's URL (`xen:url`), always with its scheme: https:// unless given otherwise (http:// needs `xen:allowHttp`). */
  url: string;
  /** XenAPI user (`xen:username`); default root. */
  username: string;
  /** XenAPI password (`xen:password`, secret). Required. */
  password: string;
  /** How the server's certificate is checked (`xen:tlsFingerprint`, `xen:tlsCaPem`, `xen:insecure`). */
  tls: TlsVerification;
  /** Per-call timeout in ms. */
  timeoutMs?: number;
}

/** Reads a setting by its stack-config key (`xen:url` ...); undefined when unset. */
export type SettingSource = (key: string) => string | undefined;

const ENV_FOR_KEY: Record<string, string> = {
  "xen:url": "XEN_URL",
  "xen:username": "XEN_USERNAME",
  "xen:password": "XEN_PASSWORD",
  "xen:tlsFingerprint": "XEN_TLS_FINGERPRINT",
  "xen:tlsCaPem": "XEN_TLS_CA_PEM",
  "xen:insecure": "XEN_INSECURE",
  "xen:allowHttp": "XEN_ALLOW_HTTP",
  "xen:timeoutSeconds": "XEN_TIMEOUT_SECONDS",
  "xen:sshPrivateKey": "XEN_SSH_PRIVATE_KEY",
  "xen:sshUser": "XEN_SSH_USER",
};

/** Stack config first, then the environment. */
export function settingSource(config: SettingSource, env: NodeJS.ProcessEnv = process.env): SettingSource {
  return (key) => {
    const fromConfig = config(key);
    if (fromConfig !== undefined && fromConfig !== "") return fromConfig;
    const name = ENV_FOR_KEY[key];
    const fromEnv = name ? env[name] : undefined;
    return fromEnv === "" ? undefined : fromEnv;
  };
}

/**
 * Builds the connection from settings, failing with the name of the missing or wrong setting.
 * A URL without a scheme means https; plain http needs `xen:allowHttp`, since it sends the password in clear.
 */
export function resolveConnection(get: SettingSource): ConnectionSettings {
  const rawUrl = get("xen:url");
  if (!rawUrl) throw new Error("xen:url is not set (stack config `xen:url` or environment XEN_URL): the pool master's address");
  const url = /^[a-z]+:\/\//i.test(rawUrl) ? rawUrl : `https://${rawUrl}`;
  const scheme = new URL(url).protocol;
  if (scheme === "http:" && !isTrue(get("xen:allowHttp"))) {
    throw new Error(`xen:url ${url} is plain http, which sends the password unencrypted; set xen:allowHttp=true to allow it`);
  }
  if (scheme !== "http:" && scheme !== "https:") throw new Error(`xen:url ${url}: the scheme must be https:// or http://`);
  const password = get("xen:password");
  if (password === undefined) throw new Error("xen:password is not set (stack config secret `xen:password` or XEN_PASSWORD)");
  const fingerprint = get("xen:tlsFingerprint");
  const timeoutSeconds = get("xen:timeoutSeconds");
  return {
    url,
    username: get("xen:username") ?? "root",
    password,
    tls: {
      fingerprints: fingerprint ? fingerprint.split(/[\s,]+/).filter(Boolean) : undefined,
      caPem: get("xen:tlsCaPem"),
      insecure: isTrue(get("xen:insecure")),
    },
    timeoutMs: timeoutSeconds ? Number(timeoutSeconds) * 1000 : undefined,
  };
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && /^(true|1|yes)$/i.test(value);
}
