/**
 * nova.conf editing: set, read and remove one option of one section in an oslo.config ini file, in place, keeping
 * every comment, blank line, the order and all other options byte for byte. Pure functions first (unit-tested),
 * then the remote part shared by FirewallDriver and NovaComputeConfig: apply a set of options over SSH under the
 * per-file lock, recording the value each had before so that delete restores it exactly.
 *
 * The syntax is oslo.config's: `[section]` headers, `key = value` or `key: value` at column 0, comments starting
 * with `#` or `;`, continuation lines indented under an option. A key that appears twice in a section takes the
 * last value (as oslo does); setting it keeps the first line, rewritten, and drops the duplicates.
 */
import { Dom0Session, readTextFile } from "../dom0";
import { editRemoteFile, SshTarget, targetId, withTarget } from "./ssh-target";

type Line =
  | { kind: "section"; name: string; text: string }
  | { kind: "option"; key: string; prefix: string; value: string; text: string }
  | { kind: "continuation"; text: string }
  | { kind: "other"; text: string }; // comments, blank lines, anything else

const SECTION = /^\s*\[([^\]]+)\]\s*$/;
const OPTION = /^([^\s=:#;[][^=:]*?)(\s*[=:]\s*)(.*)$/;

function parse(text: string): Line[] {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop(); // the final newline ends the last line
  const out: Line[] = [];
  for (const raw of lines) {
    const t = raw.replace(/\r$/, "");
    const s = SECTION.exec(t);
    const o = OPTION.exec(t);
    const prev = out[out.length - 1];
    if (s && !/^\s*[#;]/.test(t)) out.push({ kind: "section", name: s[1].trim(), text: raw });
    else if (/^\s+\S/.test(t) && prev && (prev.kind === "option" || prev.kind === "continuation")) out.push({ kind: "continuation", text: raw });
    else if (o && !/^\s/.test(t)) out.push({ kind: "option", key: o[1].trim(), prefix: o[1] + o[2], value: o[3].trimEnd(), text: raw });
    else out.push({ kind: "other", text: raw });
  }
  return out;
}

function render(lines: Line[], trailingNewline: boolean): string {
  if (lines.length === 0) return "";
  return lines.map((l) => l.text).join("\n") + (trailingNewline ? "\n" : "");
}

/** Index ranges [start, end) of the lines of `section` (headers excluded); every block with that name. */
function sectionBlocks(lines: Line[], section: string): Array<{ header: number; start: number; end: number }> {
  const blocks: Array<{ header: number; start: number; end: number }> = [];
  lines.forEach((l, i) => {
    if (l.kind !== "section") return;
    let end = i + 1;
    while (end < lines.length && lines[end].kind !== "section") end++;
    if (l.name === section) blocks.push({ header: i, start: i + 1, end });
  });
  return blocks;
}

/** The option's value (oslo: the last occurrence wins; surrounding quotes are kept as written), or undefined. */
export function getOption(text: string | undefined, section: string, key: string): string | undefined {
  if (text === undefined) return undefined;
  const lines = parse(text);
  let value: string | undefined;
  for (const b of sectionBlocks(lines, section)) {
    for (let i = b.start; i < b.end; i++) {
      const l = lines[i];
      if (l.kind === "option" && l.key === key) value = l.value;
    }
  }
  return value;
}

/** Whether the file has a `[section]` header. */
export function hasSection(text: string | undefined, section: string): boolean {
  return text !== undefined && sectionBlocks(parse(text), section).length > 0;
}

/** Indexes of the option's lines and their continuation lines, in order. */
function optionLines(lines: Line[], section: string, key: string): number[][] {
  const found: number[][] = [];
  for (const b of sectionBlocks(lines, section)) {
    for (let i = b.start; i < b.end; i++) {
      const l = lines[i];
      if (l.kind !== "option" || l.key !== key) continue;
      const group = [i];
      while (i + 1 < b.end && lines[i + 1].kind === "continuation") group.push(++i);
      found.push(group);
    }
  }
  return found;
}

/**
 * The file with `key = value` in `[section]`: an existing line is rewritten in place (its spelling of the key and
 * separator kept), else a line is added after the section's last option, else the section is appended.
 */
export function setOption(text: string | undefined, section: string, key: string, value: string): string {
  if (/[\r\n]/.test(value) || /[\r\n]/.test(key) || /[\r\n\]]/.test(section)) throw new Error(`nova.conf: ${section}.${key}: a value must be one line`);
  if (text === undefined || text === "") return `[${section}]\n${key} = ${value}\n`;
  const trailing = text.endsWith("\n");
  const lines = parse(text);
  const groups = optionLines(lines, section, key);
  if (groups.length > 0) {
    const [first, ...rest] = groups;
    const line = lines[first[0]] as Extract<Line, { kind: "option" }>;
    if (groups.length === 1 && first.length === 1 && line.value === value) return text;
    const cr = line.text.endsWith("\r") ? "\r" : "";
    lines[first[0]] = { ...line, value, text: `${line.prefix}${value}${cr}` };
    const drop = new Set([...first.slice(1), ...rest.flat()]);
    return render(lines.filter((_, i) => !drop.has(i)), trailing);
  }
  const blocks = sectionBlocks(lines, section);
  const newLine: Line = { kind: "option", key, prefix: `${key} = `, value, text: `${key} = ${value}` };
  if (blocks.length > 0) {
    const b = blocks[blocks.length - 1];
    let at = b.start;
    for (let i = b.start; i < b.end; i++) if (lines[i].kind === "option" || lines[i].kind === "continuation") at = i + 1;
    lines.splice(at, 0, newLine);
    return render(lines, trailing);
  }
  const sep = lines[lines.length - 1].text.trim() === "" ? "" : "\n";
  return `${text}${trailing ? "" : "\n"}${sep}[${section}]\n${key} = ${value}\n`;
}

/**
 * The file without `key` in `[section]`. With `dropEmptySection` (the section was added for this option), a
 * section left with nothing in it goes too, with the blank line `setOption` put before it.
 */
export function removeOption(text: string, section: string, key: string, dropEmptySection = false): string {
  const trailing = text.endsWith("\n");
  let lines = parse(text);
  const drop = new Set(optionLines(lines, section, key).flat());
  if (drop.size === 0 && !dropEmptySection) return text;
  lines = lines.filter((_, i) => !drop.has(i));
  if (dropEmptySection) {
    for (const b of sectionBlocks(lines, section).reverse()) {
      const body = lines.slice(b.start, b.end);
      if (body.some((l) => l.text.trim() !== "")) continue;
      let from = b.header;
      if (from > 0 && lines[from - 1].text.trim() === "") from--;
      lines.splice(from, b.end - from);
    }
  }
  return render(lines, trailing && lines.length > 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Remote: managed options with exact restore

/** One nova.conf option a resource sets. */
export interface ManagedOption {
  /** The `[section]` it belongs in, e.g. `DEFAULT` or `xenserver` (added when missing). */
  section: string;
  /** The option's name, e.g. `compute_driver`. */
  key: string;
  /** The value to write (one line). */
  value: string;
}

/** What a resource changed in a nova.conf, so that delete puts it back. */
export interface ConfRecord {
  /** `section/key` → the value found before this resource first set it (null: the option was absent). */
  previous: Record<string, string | null>;
  /** Sections this resource added (removed again when left empty). */
  createdSections: string[];
  /** Whether this resource created the file (removed again when left empty). */
  createdFile: boolean;
}

export const NO_RECORD: ConfRecord = { previous: {}, createdSections: [], createdFile: false };

export function optionId(section: string, key: string): string {
  return `${section}/${key}`;
}

function splitId(id: string): { section: string; key: string } {
  const at = id.lastIndexOf("/");
  return { section: id.slice(0, at), key: id.slice(at + 1) };
}

/** Puts an option back as `record` found it: its old value, or absent (and its section if it was added). */
function restoreOne(text: string, id: string, record: ConfRecord): string {
  const { section, key } = splitId(id);
  const old = record.previous[id];
  if (old !== null && old !== undefined) return setOption(text, section, key, old);
  return removeOption(text, section, key, record.createdSections.includes(section));
}

/**
 * Applies `wanted` and restores the options in `record` that are no longer wanted, in one locked edit of the
 * remote file. Returns the updated record and whether the file changed.
 */
export async function applyOptions(
  session: Dom0Session,
  ssh: SshTarget,
  path: string,
  wanted: ManagedOption[],
  record: ConfRecord = NO_RECORD,
): Promise<{ record: ConfRecord; changed: boolean }> {
  const next: ConfRecord = structuredClone(record);
  const wantedIds = new Set(wanted.map((o) => optionId(o.section, o.key)));
  const r = await editRemoteFile(
    session,
    targetId(ssh),
    path,
    (current) => {
      if (current === undefined) next.createdFile = next.createdFile || Object.keys(next.previous).length === 0;
      let text = current ?? "";
      for (const id of Object.keys(next.previous).filter((id) => !wantedIds.has(id))) {
        text = restoreOne(text, id, next);
        delete next.previous[id];
      }
      for (const o of wanted) {
        const id = optionId(o.section, o.key);
        if (!(id in next.previous)) next.previous[id] = getOption(text, o.section, o.key) ?? null;
        if (!hasSection(text, o.section) && !next.createdSections.includes(o.section)) next.createdSections.push(o.section);
        text = setOption(text, o.section, o.key, o.value);
      }
      return text;
    },
    { mode: 0o640 },
  );
  next.createdSections.sort();
  return { record: next, changed: r.changed };
}

/** Restores every option of `record` (delete). Removes the file if this resource created it and it is left empty. */
export async function restoreOptions(ssh: SshTarget, path: string, record: ConfRecord): Promise<void> {
  await withTarget(ssh, (s) =>
    editRemoteFile(s, targetId(ssh), path, (current) => {
      if (current === undefined) return null;
      let text = current;
      for (const id of Object.keys(record.previous)) text = restoreOne(text, id, record);
      return record.createdFile && text.trim() === "" ? null : text;
    }),
  );
}

/** The current values of the options (undefined when absent or the file is missing). */
export async function readOptions(session: Dom0Session, path: string, ids: Array<{ section: string; key: string }>): Promise<Array<string | undefined>> {
  const text = await readTextFile(session, path);
  return ids.map((o) => getOption(text, o.section, o.key));
}
