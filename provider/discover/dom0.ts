/**
 * discover's dom0 side (`--dom0 host=address[:port]@SHA256:fingerprint`): connects to a host's dom0 with the pinned
 * host key, runs read-only commands (readlink, test, cat), and describes the host and its dom0 preparation as the
 * `Host` Args that adopt them unchanged: a step reads as done only when it is there as the Host resource makes it.
 */
import { listAuthorizedKeyLines, normalizeFingerprint, pathExists, symlinkTarget, withDom0 } from "../dom0";
import { BOOT_GUEST, IMAGES, ROOT_KEY, SR_MOUNT } from "../resources/host";
import type { DiscoveredHost } from "./walk";

/** One `--dom0` option: which host (name label, uuid or address) and how to reach its dom0. */
export interface Dom0Option {
  /** The host it is for, as the option names it: its name label, uuid or xapi address (see hostFor). */
  host: string;
  /** The dom0's SSH address (an IPv6 one without its brackets). */
  address: string;
  /** The dom0's SSH port, 1-65535; 22 when the option gives none. */
  port: number;
  /** The pinned host key fingerprint, normalized to `SHA256:<43 base64 characters>` (no `=` padding). */
  hostKeyFingerprint: string;
}

export const DOM0_OPTION_FORM = "host-name=address[:port]@SHA256:fingerprint";

/** Parses `host-name=address[:port]@SHA256:fingerprint`, failing with the expected form. */
export function parseDom0Option(value: string): Dom0Option {
  const bad = (why: string) => new Error(`--dom0 ${JSON.stringify(value)}: ${why}; the form is ${DOM0_OPTION_FORM}`);
  const eq = value.indexOf("=");
  const at = value.lastIndexOf("@");
  if (eq <= 0 || at < eq + 2) throw bad("it needs a host, an address and the pinned host key fingerprint");
  const host = value.slice(0, eq).trim();
  let address = value.slice(eq + 1, at).trim();
  let port = 22;
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(address);
  if (m) {
    address = m[1].replace(/^\[|\]$/g, "");
    port = Number(m[2]);
    if (port < 1 || port > 65535) throw bad(`port ${port} is out of range`);
  }
  if (!address || /[\s/]/.test(address)) throw bad(`${JSON.stringify(address)} is not an address`);
  let hostKeyFingerprint: string;
  try {
    hostKeyFingerprint = normalizeFingerprint(value.slice(at + 1), address);
  } catch (e) {
    throw bad((e as Error).message);
  }
  return { host, address, port, hostKeyFingerprint };
}

/** The host an option names: by name label, uuid or address; exactly one. */
export function hostFor(option: Dom0Option, hosts: DiscoveredHost[]): DiscoveredHost {
  const found = hosts.filter((h) => h.name === option.host || h.uuid === option.host || h.address === option.host);
  if (found.length === 1) return found[0];
  const known = hosts.map((h) => `${h.name} (${h.uuid})`).join(", ");
  if (found.length === 0) throw new Error(`--dom0 ${option.host}: the pool has no such host; its hosts are ${known}`);
  throw new Error(`--dom0 ${option.host}: ${found.length} hosts match; name one by uuid (${known})`);
}

/**
 * Reads one dom0 and returns the `Host` Args that adopt the host and its dom0 exactly as they are:
 * - `bootGuest` / `images`: true only when `/boot/guest` → `<SR mount>/os-guest-kernels` and `/images` →
 *   `<SR mount>/images` point into one of this host's local SRs (named with `localSr` when it is not the default
 *   "Local storage"); else false, which leaves whatever is there alone;
 * - `rootKeyPair`: true only when /root/.ssh/id_rsa and id_rsa.pub exist;
 * - `trustedPublicKeys`: every key line of root's authorized_keys, as found (so refresh shows one removed by hand),
 *   read through the dom0 layer's authorized_keys editor (`listAuthorizedKeyLines`: `#` lines skipped);
 * - `authorizeOn`: empty (peers' trust shows as their keys in each host's trustedPublicKeys).
 */
export async function discoverDom0(host: DiscoveredHost, option: Dom0Option, ssh: { privateKey: string; username: string }): Promise<Record<string, unknown>> {
  const target = { address: option.address, port: option.port, hostKeyFingerprint: option.hostKeyFingerprint };
  const found = await withDom0({ host: option.address, port: option.port, username: ssh.username, privateKey: ssh.privateKey, hostKeyFingerprint: option.hostKeyFingerprint }, async (s) => ({
    bootGuest: await symlinkTarget(s, BOOT_GUEST),
    images: await symlinkTarget(s, IMAGES),
    rootKeyPair: (await pathExists(s, ROOT_KEY)) && (await pathExists(s, `${ROOT_KEY}.pub`)),
    trustedPublicKeys: await listAuthorizedKeyLines(s),
  })).catch((e: unknown) => {
    throw new Error(`--dom0 ${option.host}: reading the dom0 at ${option.address}:${option.port} failed: ${e instanceof Error ? e.message : String(e)}`);
  });
  const local = new Set(host.localSrs.map((sr) => sr.uuid));
  const srOf = (link: string | undefined, dir: string) => {
    const m = link === undefined ? null : new RegExp(`^${SR_MOUNT}/([^/]+)/${dir}$`).exec(link);
    return m && local.has(m[1]) ? m[1] : undefined;
  };
  const bootSr = srOf(found.bootGuest, "os-guest-kernels");
  const imagesSr = srOf(found.images, "images");
  const sr = bootSr ?? imagesSr;
  const defaults = host.localSrs.filter((x) => x.localStorage);
  const isDefault = defaults.length === 1 && defaults[0].uuid === sr;
  return {
    adopt: host.uuid,
    host: host.uuid,
    ssh: target,
    ...(host.name ? { name: host.name } : {}),
    description: host.description,
    tags: host.tags,
    otherConfig: host.otherConfig,
    ...(sr && !isDefault ? { localSr: sr } : {}),
    bootGuest: sr !== undefined && bootSr === sr,
    images: sr !== undefined && imagesSr === sr,
    rootKeyPair: found.rootKeyPair,
    trustedPublicKeys: found.trustedPublicKeys,
    authorizeOn: [],
  };
}
