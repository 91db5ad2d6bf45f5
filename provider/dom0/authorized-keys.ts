/**
 * `authorized_keys` as text (pure: no I/O, no dom0): which keys a file or line holds, and the file with a key line
 * added or a key removed, leaving every other line (options, comments, blank lines) as it was. The one editor of
 * that text: `authorized-keys-file.ts` reads and writes a dom0's file through it.
 *
 * A key is identified by its `type base64` part (`publicKeyId`), whatever options precede it or comment follows it.
 * A `#` line is a comment, as sshd reads the file, even when it holds a key: it neither authorizes that key here
 * nor is removed with it.
 * A file this editor creates starts with `CREATED_MARKER`, and is removed again (`withoutKey` answers `null`) when
 * its last key is, so that a dom0 is left as it was; a file that was there before never gets the marker.
 */

/**
 * First line of an authorized_keys file that pulumi-xen created: such a file is removed again when its last key
 * is, so that a dom0 is left as it was. A file that was there before never gets it and is never removed.
 */
export const CREATED_MARKER = "# created by pulumi-xen (removed with its last key)";

/**
 * The `type base64` part of a public key line, which identifies the key (options and comment aside); undefined
 * when the line holds no key. The fields are searched for a key type followed by a base64 blob, so a line that
 * starts with options (`from="...",no-pty ssh-ed25519 AAAA...`) has one, and so does a commented-out key line
 * (`# ssh-rsa AAAA...`): what sshd would use is `authorizedKeyId`.
 */
export function publicKeyId(line: string): string | undefined {
  const fields = line.trim().split(/\s+/);
  for (let i = 0; i + 1 < fields.length; i++) {
    const isType = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp\d+|sk-[a-z0-9@.-]+)$/.test(fields[i]);
    if (isType && /^AAAA[A-Za-z0-9+/=]+$/.test(fields[i + 1])) {
      return `${fields[i]} ${fields[i + 1]}`;
    }
  }
  return undefined;
}

/** The key a line authorizes, as sshd reads it: none for a `#` line (leading blanks aside), even one holding a key. */
export function authorizedKeyId(line: string): string | undefined {
  return line.trimStart().startsWith("#") ? undefined : publicKeyId(line);
}

/** The keys a file authorizes, in file order (duplicates kept; commented-out key lines do not count). */
export function authorizedKeyIds(text: string): string[] {
  return text.split("\n").map(authorizedKeyId).filter((k): k is string => k !== undefined);
}

/**
 * The key lines of a file as the Host resource's check normalizes `trustedPublicKeys`: trimmed, `#` lines skipped,
 * the first line of each key kept, sorted.
 */
export function authorizedKeyLines(text: string): string[] {
  const byId = new Map<string, string>();
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const id = authorizedKeyId(line);
    if (id && !byId.has(id)) byId.set(id, line);
  }
  return [...byId.values()].sort();
}

/**
 * The file with `line` (trimmed) added at its end, or the same text when a line authorizes its key (a commented-out
 * line of the key does not: the key is added below it). A missing
 * file (`undefined`) becomes a new one that starts with `CREATED_MARKER`; an existing one, even empty, never gets it.
 */
export function withKeyLine(text: string | undefined, line: string): string {
  const id = publicKeyId(line);
  if (text === undefined) return `${CREATED_MARKER}\n${line.trim()}\n`;
  if (authorizedKeyIds(text).includes(id!)) return text;
  return (text === "" || text.endsWith("\n") ? text : text + "\n") + line.trim() + "\n";
}

/**
 * The file without the lines that authorize key `id` (every one of them; a commented-out line of the key is the
 * operator's and stays), or the same text when it has none. `null` (remove
 * the file) when the file is missing, or when it starts with `CREATED_MARKER` and nothing but the marker and blank
 * lines is left.
 */
export function withoutKey(text: string | undefined, id: string): string | null {
  if (text === undefined) return null;
  const lines = text.split("\n");
  const kept = lines.filter((l) => authorizedKeyId(l) !== id);
  if (kept.length === lines.length) return text;
  const result = kept.join("\n");
  if (lines[0] === CREATED_MARKER && authorizedKeyIds(result).length === 0 && result.trim() === CREATED_MARKER) return null;
  return result;
}
