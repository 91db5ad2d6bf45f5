/**
 * Root's key pair on the host's dom0 (/root/.ssh/id_rsa, where nova's resize looks), generated there when missing
 * so the private key never leaves it; its public key is the Host's `publicKey` output and what `authorizeOn` hands
 * out. Removed on delete only when this resource generated it (`added.keyPair`).
 */
import { HostRecord } from "../../xenapi";
import { Dom0Session, ensureKeyPair, pathExists, readTextFile, removeFile } from "../../dom0";
import type { HostAdded } from "./undo";

export const ROOT_KEY = "/root/.ssh/id_rsa";

/**
 * With `wanted`, makes sure root has a key pair (recording it in `added` when generated) and returns its public
 * key; without, removes the pair this resource generated, if any, and returns "".
 */
export async function convergeKeyPair(s: Dom0Session, wanted: boolean, record: HostRecord, added: HostAdded): Promise<string> {
  if (wanted) {
    const k = await ensureKeyPair(s, { privateKeyPath: ROOT_KEY, comment: `root@${record.hostname || record.name_label}` });
    if (k.created) added.keyPair = ROOT_KEY;
    return k.publicKey;
  }
  if (added.keyPair) {
    await removeKeyPair(s, added.keyPair);
    added.keyPair = "";
  }
  return "";
}

/** Root's public key line as it is (trimmed; "" when there is none). Only reads. */
export async function readRootPublicKey(s: Dom0Session): Promise<string> {
  return (await readTextFile(s, `${ROOT_KEY}.pub`))?.trim() ?? "";
}

/** Whether root has a key pair (both files), and its public key ("" when there is none). Only reads. */
export async function currentKeyPair(s: Dom0Session): Promise<{ rootKeyPair: boolean; publicKey: string }> {
  const pub = await readTextFile(s, `${ROOT_KEY}.pub`);
  return { rootKeyPair: pub !== undefined && (await pathExists(s, ROOT_KEY)), publicKey: pub?.trim() ?? "" };
}

/** Removes a key pair (private and public key files). */
export async function removeKeyPair(s: Dom0Session, privateKeyPath: string): Promise<void> {
  await removeFile(s, privateKeyPath);
  await removeFile(s, `${privateKeyPath}.pub`);
}
