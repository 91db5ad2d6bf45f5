/**
 * Secrets on the wire: with `acceptSecrets`, the engine sends a secret value as
 * `{ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value }`. The resources work on plain
 * values; the plugin remembers which top-level properties carried a secret (anywhere inside) and marks the same
 * properties secret in what it returns, so a secret never reaches the state in clear.
 */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

type Props = Record<string, unknown>;

function isSecret(value: unknown): value is { value: unknown } {
  return !!value && typeof value === "object" && (value as Props)[SIG_KEY] === SECRET_SIG;
}

function reveal(value: unknown, found: { secret: boolean }): unknown {
  if (isSecret(value)) {
    found.secret = true;
    return reveal(value.value, found);
  }
  if (Array.isArray(value)) return value.map((v) => reveal(v, found));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v, found)]));
  return value;
}

/** Plain properties, and the names of the top-level properties that held a secret. */
export function unwrapSecrets(props: Props | undefined): { plain: Props; secretKeys: Set<string> } {
  const plain: Props = {};
  const secretKeys = new Set<string>();
  for (const [key, value] of Object.entries(props ?? {})) {
    const found = { secret: false };
    plain[key] = reveal(value, found);
    if (found.secret) secretKeys.add(key);
  }
  return { plain, secretKeys };
}

/** `props` with each property named in `secretKeys` wrapped as a secret. */
export function wrapSecrets(props: Props | undefined, secretKeys: Iterable<string>): Props | undefined {
  if (!props) return props;
  const out: Props = { ...props };
  for (const key of secretKeys) {
    if (key in out && out[key] !== undefined && !isSecret(out[key])) out[key] = { [SIG_KEY]: SECRET_SIG, value: out[key] };
  }
  return out;
}
