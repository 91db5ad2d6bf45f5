/**
 * Root trust through authorized_keys, edited with the dom0 layer's one authorized_keys editor
 * (../../dom0/authorized-keys-file.ts, under the per-file lock keyed by the target's `address:port`):
 * - `trustedPublicKeys`: keys added to this dom0's root authorized_keys (recorded by key id in `added.authorizedKeys`);
 * - `authorizeOn`: this host's root public key added to the peers' (recorded by `address:port` in `added.authorizedOn`).
 * Only what this resource added is removed again.
 */
import { addAuthorizedKey, Dom0Session, listAuthorizedKeys, publicKeyId, removeAuthorizedKey } from "../../dom0";
import { reason, SshTarget, targetId, withTarget } from "../ssh-target";
import type { HostInputs, HostOutputs } from "./index";
import type { HostAdded } from "./undo";

/** Adds the public key line `line` to root's authorized_keys on `t`. True when it was added (absent before). */
export function addRootAuthorizedKey(s: Dom0Session, t: SshTarget, line: string): Promise<boolean> {
  return addAuthorizedKey(s, line, { lockKey: targetId(t) });
}

/** Removes key `id` (`type base64`) from root's authorized_keys on `t`. True when a line was removed. */
export function removeRootAuthorizedKey(s: Dom0Session, t: SshTarget, id: string): Promise<boolean> {
  return removeAuthorizedKey(s, id, { lockKey: targetId(t) });
}

/** Trusted keys on this dom0: takes back the ones this resource added that are no longer wanted, then adds each wanted one. */
export async function convergeTrustedKeys(s: Dom0Session, news: HostInputs, added: HostAdded): Promise<void> {
  const wantedIds = news.trustedPublicKeys.map((k) => publicKeyId(k)!);
  for (const id of added.authorizedKeys.filter((id) => !wantedIds.includes(id))) {
    await removeRootAuthorizedKey(s, news.ssh, id);
    added.authorizedKeys = added.authorizedKeys.filter((k) => k !== id);
  }
  for (const key of news.trustedPublicKeys) {
    if (await addRootAuthorizedKey(s, news.ssh, key)) added.authorizedKeys.push(publicKeyId(key)!);
  }
}

/**
 * This host's key on its peers: takes it back from the peers this resource added it to that are no longer wanted
 * (or all of them when the key changed), then adds `publicKey` on each wanted peer.
 */
export async function convergePeers(olds: HostOutputs | undefined, news: HostInputs, publicKey: string, added: HostAdded): Promise<void> {
  const myId = publicKey ? publicKeyId(publicKey) : undefined;
  const oldId = olds?.publicKey ? publicKeyId(olds.publicKey) : undefined;
  for (const peerId of [...added.authorizedOn]) {
    const peer = news.authorizeOn.find((t) => targetId(t) === peerId) ?? olds?.authorizeOn.find((t) => targetId(t) === peerId);
    const keep = news.authorizeOn.some((t) => targetId(t) === peerId) && oldId === myId;
    if (keep || !peer) continue;
    if (oldId) await withTarget(peer, (s) => removeRootAuthorizedKey(s, peer, oldId));
    added.authorizedOn = added.authorizedOn.filter((p) => p !== peerId);
  }
  for (const peer of news.authorizeOn) {
    if (!publicKey) break;
    const ok = await withTarget(peer, (s) => addRootAuthorizedKey(s, peer, publicKey)).catch((e: unknown) => {
      throw new Error(`authorizeOn ${targetId(peer)}: ${reason(e)}`);
    });
    if (ok) added.authorizedOn.push(targetId(peer));
  }
}

/** The declared trusted keys that root's authorized_keys on this dom0 holds. Only reads. */
export async function currentTrustedKeys(s: Dom0Session, declared: string[]): Promise<string[]> {
  const present = new Set(await listAuthorizedKeys(s));
  return declared.filter((k) => present.has(publicKeyId(k)!));
}

/** The declared peers whose root authorized_keys holds `publicKey` (none without a key). Only reads, over SSH. */
export async function currentPeers(declared: SshTarget[], publicKey: string): Promise<SshTarget[]> {
  const myKey = publicKey ? publicKeyId(publicKey) : undefined;
  const found: SshTarget[] = [];
  for (const peer of declared) {
    const has = myKey !== undefined && (await withTarget(peer, async (s) => (await listAuthorizedKeys(s)).includes(myKey)));
    if (has) found.push(peer);
  }
  return found;
}

/** Takes this host's key (`publicKey`) back from the peers in `authorizedOn`, found among `peers` by `address:port`. */
export async function undoPeers(publicKey: string, authorizedOn: string[], peers: SshTarget[]): Promise<void> {
  const myId = publicKey ? publicKeyId(publicKey) : undefined;
  for (const peerId of authorizedOn) {
    const peer = peers.find((t) => targetId(t) === peerId);
    if (peer && myId) await withTarget(peer, (s) => removeRootAuthorizedKey(s, peer, myId));
  }
}
