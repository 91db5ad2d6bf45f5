/**
 * What a Host resource added (`HostAdded`, kept in its state), and undoing exactly that: on delete, and after a
 * failed create or update for what that call added. Whatever was there before the resource stays.
 */
import { Ref, XenApiSession } from "../../xenapi";
import { SshTarget, withTarget } from "../ssh-target";
import { removeKeyPair, readRootPublicKey } from "./key-pair";
import { undoSymlink } from "./symlinks";
import { removeRootAuthorizedKey, undoPeers } from "./trust";
import { undoXapiFields } from "./xapi-fields";
import type { HostInputs, HostOutputs } from "./index";

/** What the resource added, so that delete removes exactly that. */
export interface HostAdded {
  /** Symlinks it made: link -> target. */
  symlinks: Array<{ link: string; target: string }>;
  /** Directories it made (removed on delete when still empty). */
  dirs: string[];
  /** The private key path when it generated root's key pair ("" when one was there). */
  keyPair: string;
  /** Key ids (`type base64`) it added to this dom0's authorized_keys. */
  authorizedKeys: string[];
  /** Targets (`address:port`) whose authorized_keys got this host's public key from it. */
  authorizedOn: string[];
  /** other-config keys it added (absent before). */
  otherConfigKeys: string[];
  /** Tags it added. */
  tags: string[];
}

/** Nothing added (an adopted host's record, and the start of a create). */
export const NOTHING_ADDED: HostAdded = { symlinks: [], dirs: [], keyPair: "", authorizedKeys: [], authorizedOn: [], otherConfigKeys: [], tags: [] };

/**
 * Takes back what was added on the dom0s: this host's key on the peers first, then on its own dom0 the symlinks,
 * the directories (while empty), the trusted keys and the key pair.
 */
export async function undoDom0(props: Pick<HostOutputs, "ssh" | "authorizeOn" | "publicKey">, added: HostAdded, peers?: SshTarget[]): Promise<void> {
  await undoPeers(props.publicKey, added.authorizedOn, peers ?? props.authorizeOn);
  const touched = added.symlinks.length + added.dirs.length + added.authorizedKeys.length > 0 || added.keyPair;
  if (!touched) return;
  await withTarget(props.ssh, async (s) => {
    const work = { ...added, symlinks: [...added.symlinks], dirs: [...added.dirs] };
    for (const made of added.symlinks) await undoSymlink(s, made, work);
    for (const dir of work.dirs) await s.run(["rmdir", "--", dir]);
    for (const id of added.authorizedKeys) await removeRootAuthorizedKey(s, props.ssh, id);
    if (added.keyPair) await removeKeyPair(s, added.keyPair);
  });
}

/** After a failed create or update: undo what this call added beyond `before`. */
export async function undoNew(session: XenApiSession, ref: Ref, olds: HostOutputs | undefined, news: HostInputs, before: HostAdded, added: HostAdded) {
  const fresh: HostAdded = {
    symlinks: added.symlinks.filter((m) => !before.symlinks.some((b) => b.link === m.link && b.target === m.target)),
    dirs: added.dirs.filter((d) => !before.dirs.includes(d)),
    keyPair: before.keyPair ? "" : added.keyPair,
    authorizedKeys: added.authorizedKeys.filter((k) => !before.authorizedKeys.includes(k)),
    authorizedOn: added.authorizedOn.filter((k) => !before.authorizedOn.includes(k)),
    otherConfigKeys: added.otherConfigKeys.filter((k) => !before.otherConfigKeys.includes(k)),
    tags: added.tags.filter((t) => !before.tags.includes(t)),
  };
  await undoXapiFields(session, ref, fresh);
  let publicKey = olds?.publicKey ?? "";
  if (fresh.authorizedOn.length > 0) {
    publicKey = await withTarget(news.ssh, readRootPublicKey);
  }
  await undoDom0({ ssh: news.ssh, authorizeOn: news.authorizeOn, publicKey }, fresh);
}
