/**
 * A key pair on a dom0 (root's, for the guide's root trust between dom0s: resize/migration), made with the dom0's
 * own `ssh-keygen`, so the private key never leaves it. Its public key goes into other dom0s' authorized_keys
 * through `authorized-keys-file.ts`.
 */
import { Dom0Session } from "./session";

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
