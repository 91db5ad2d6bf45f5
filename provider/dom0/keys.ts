/**
 * SSH keys on a dom0: root's key pair (made with the dom0's own `ssh-keygen`, so the private key never leaves it)
 * and `authorized_keys` entries, added and removed by key (type and base64 blob), leaving every other line as it
 * was. Used for the guide's root trust between dom0s (resize/migration).
 */
import { Dom0Error } from "./errors";
import { mkdirp, readTextFile, writeFileAtomic } from "./files";
import { Dom0Session } from "./session";

export const ROOT_AUTHORIZED_KEYS = "/root/.ssh/authorized_keys";

/** The `type base64` part of a public key line, which identifies the key (options and comment aside). */
export function publicKeyId(line: string): string | undefined {
  const fields = line.trim().split(/\s+/);
  // A line may start with options (`from="...",no-pty ssh-ed25519 AAAA...`): find the key type.
  for (let i = 0; i + 1 < fields.length; i++) {
    const isType = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp\d+|sk-[a-z0-9@.-]+)$/.test(fields[i]);
    if (isType && /^AAAA[A-Za-z0-9+/=]+$/.test(fields[i + 1])) {
      return `${fields[i]} ${fields[i + 1]}`;
    }
  }
  return undefined;
}

function requireKey(session: Dom0Session, publicKey: string): string {
  const id = publicKeyId(publicKey);
  if (!id || publicKey.includes("\n")) {
    throw new Dom0Error("BAD_ARGUMENT", `dom0 ${session.target}: not one OpenSSH public key line`, session.target);
  }
  return id;
}

const ENSURE_KEY_SCRIPT = `key=$1 type=$2 comment=$3
if [ -e "$key" ] || [ -L "$key" ]; then
  [ -f "$key" ] || { echo "$key is not a regular file" >&2; exit 4; }
  if [ ! -f "$key.pub" ]; then ssh-keygen -y -f "$key" > "$key.pub.tmp" && mv -f -- "$key.pub.tmp" "$key.pub" || exit 5; fi
  echo existing
else
  mkdir -p -- "$(dirname -- "$key")" && chmod 700 -- "$(dirname -- "$key")" || exit 5
  rm -f -- "$key.pub"
  ssh-keygen -q -t "$type" -N '' -C "$comment" -f "$key" </dev/null >/dev/null || exit 5
  echo created
fi
cat -- "$key.pub"`;

/**
 * Makes sure a key pair exists at `privateKeyPath` (default `/root/.ssh/id_rsa`, where nova's resize looks),
 * generating it on the dom0 if missing. Returns the public key line and whether it was created.
 */
export async function ensureKeyPair(
  session: Dom0Session,
  options: { privateKeyPath?: string; type?: "rsa" | "ed25519" | "ecdsa"; comment?: string } = {},
): Promise<{ publicKey: string; created: boolean; privateKeyPath: string }> {
  const privateKeyPath = options.privateKeyPath ?? "/root/.ssh/id_rsa";
  const r = await session.runChecked(
    ["sh", "-c", ENSURE_KEY_SCRIPT, "sh", privateKeyPath, options.type ?? "rsa", options.comment ?? "root@dom0"],
    { what: `ensure key pair ${privateKeyPath}` },
  );
  const [state, ...rest] = r.stdout.split("\n");
  const publicKey = rest.join("\n").trim();
  return { publicKey, created: state === "created", privateKeyPath };
}

/** Adds `publicKey` to an authorized_keys file unless a line with the same key is there. True when it was added. */
export async function addAuthorizedKey(
  session: Dom0Session,
  publicKey: string,
  file = ROOT_AUTHORIZED_KEYS,
): Promise<boolean> {
  const id = requireKey(session, publicKey);
  const dir = file.slice(0, file.lastIndexOf("/")) || "/";
  await mkdirp(session, dir, file === ROOT_AUTHORIZED_KEYS ? 0o700 : undefined);
  const current = (await readTextFile(session, file)) ?? "";
  const lines = current.split("\n");
  if (lines.some((l) => publicKeyId(l) === id)) return false;
  const base = current === "" || current.endsWith("\n") ? current : current + "\n";
  await writeFileAtomic(session, file, base + publicKey.trim() + "\n", { mode: 0o600 });
  return true;
}

/** Removes every line holding `publicKey`'s key from an authorized_keys file. True when a line was removed. */
export async function removeAuthorizedKey(
  session: Dom0Session,
  publicKey: string,
  file = ROOT_AUTHORIZED_KEYS,
): Promise<boolean> {
  const id = requireKey(session, publicKey);
  const current = await readTextFile(session, file);
  if (current === undefined) return false;
  const lines = current.split("\n");
  const kept = lines.filter((l) => publicKeyId(l) !== id);
  if (kept.length === lines.length) return false;
  await writeFileAtomic(session, file, kept.join("\n"), { mode: 0o600 });
  return true;
}

/** The keys (`type base64`) listed in an authorized_keys file; empty when it is missing. */
export async function listAuthorizedKeys(session: Dom0Session, file = ROOT_AUTHORIZED_KEYS): Promise<string[]> {
  const current = (await readTextFile(session, file)) ?? "";
  return current.split("\n").map(publicKeyId).filter((k): k is string => k !== undefined);
}
