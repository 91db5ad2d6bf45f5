import { XenApiSession } from "../xenapi";
import { xenSession } from "../context";
import { ResourceContract } from "./contract";
import { Checker, CheckFailure } from "./check";
import { hostsExist } from "./host-check";
import { diffByRules, DiffResult } from "./diff";
import { isUnknown } from "./unknown";
import { resolveHost } from "./lookup";
import { checkSshTarget, reason, SshTarget, targetId, withTarget } from "./ssh-target";
import { Dom0Session, readFile, removeFile, writeFileAtomic } from "../dom0";
import { hashLocalDirectory, installFiles, readLocalFiles, remoteHashes, removeFiles } from "./file-set";
import { removeBytecode } from "./python-bytecode";
import { callPlugin, PLUGIN_CALL_CONVENTIONS, PluginCallConvention } from "./plugin-call";
import { PickleError, pyRepr } from "./pickle";
import { assertAdoptable } from "./adopt";

/**
 * Plugins: dom0 XenAPI plug-ins (e.g. nova's `plugins/xenserver/xenapi/etc/xapi.d/plugins`) from a local
 * directory into `/etc/xapi.d/plugins` on each target host, executable, tracked by per-file sha256; optionally a
 * required version checked through `host.call_plugin(<version plug-in>, "get_version", ...)` in the calling
 * convention of the plug-in set (nova's serialized one by default, see plugin-call.ts).
 */

// ---------------------------------------------------------------------------------------------------------------
// Inputs (see sdk/plugins.ts for the documented Args)

export interface PluginTarget {
  /** The XenAPI host (uuid, name or address), for the version check; "" when not needed. */
  host: string;
  /** How to reach the host's dom0 over SSH (where the files are written). */
  ssh: SshTarget;
}

export interface PluginsInputs {
  /** Local directory holding the plug-ins (relative to the program's directory). */
  source: string;
  /** name → sha256 of every file of `source`, computed by check. */
  files: Record<string, string>;
  /** Where the plug-ins go on each target. */
  hosts: PluginTarget[];
  /** Remote directory; default /etc/xapi.d/plugins, where xapi looks for plug-ins. */
  directory: string;
  /** "major.minor" the installed plug-ins must report (same major, at least the minor); "" = no check. */
  requiredVersion: string;
  /** The plug-in answering `get_version`. */
  versionPlugin: string;
  /** How `get_version` is called: nova's "serialized" convention (pickled params and answer), or "plain". */
  versionCallConvention: PluginCallConvention;
  /**
   * Any non-empty marker (e.g. "installed"): take plug-ins that are already installed under management instead of
   * installing them ("" = install). Create then only reads, and fails naming each file that differs.
   */
  adopt: string;
}

export interface PluginsOutputs extends PluginsInputs {
  /** Per target (`address:port`): the files this resource wrote there (what delete removes). */
  installed: Record<string, string[]>;
  /** Per target (`address:port`): the version `get_version` reported ("" without requiredVersion). */
  versions: Record<string, string>;
}

export const PLUGIN_DIR = "/etc/xapi.d/plugins";
const VERSION = /^(\d+)\.(\d+)$/;

// ---------------------------------------------------------------------------------------------------------------
// Normalization and validation (reads the local directory: runs at preview)

/**
 * check: normalization (checkInputs), then each target's `host` must exist in the pool (when given and known): an
 * unknown host fails the preview naming it; a pool that cannot be reached is reported as that.
 */
export async function check(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<{ inputs: PluginsInputs; failures: CheckFailure[] }> {
  const result = checkInputs(olds, news);
  // By the program's own list (inputs.hosts is sorted), so that hosts[i] points at what the program wrote.
  const hosts = (Array.isArray(news.hosts) ? news.hosts : []) as Array<{ host?: unknown } | null>;
  const named = hosts.flatMap((h, i) => (typeof h?.host === "string" && h.host !== "" && !isUnknown(h.host) ? [[`hosts[${i}].host`, h.host] as [string, string]] : []));
  if (result.failures.length === 0 && named.length > 0) result.failures.push(...(await hostsExist(xenSession(), named)));
  return result;
}

/** The pure part of check: inputs normalized (the source directory hashed), and what can be said without the pool. */
export function checkInputs(_olds: Record<string, unknown>, news: Record<string, unknown>): { inputs: PluginsInputs; failures: CheckFailure[] } {
  const c = new Checker();
  const source = c.requiredString(news, "source");
  const inputs: PluginsInputs = {
    source,
    files: source ? hashLocalDirectory(c, source, "source") : {},
    hosts: checkTargets(c, news.hosts),
    directory: c.optionalString(news, "directory", PLUGIN_DIR),
    requiredVersion: c.optionalString(news, "requiredVersion", ""),
    versionPlugin: c.optionalString(news, "versionPlugin", "nova_plugin_version"),
    versionCallConvention:
      news.versionCallConvention === undefined || news.versionCallConvention === null
        ? "serialized"
        : c.oneOf(news, "versionCallConvention", PLUGIN_CALL_CONVENTIONS),
    adopt: c.optionalString(news, "adopt", ""),
  };
  if (!isUnknown(inputs.directory) && !/^\/[^\0]*[^/]$/.test(inputs.directory)) {
    c.fail("directory", `directory must be an absolute path, got ${JSON.stringify(inputs.directory)}`);
  }
  if (inputs.requiredVersion && !isUnknown(inputs.requiredVersion)) {
    if (!VERSION.test(inputs.requiredVersion)) {
      c.fail("requiredVersion", `requiredVersion must be "major.minor" (e.g. "2.0"), got ${JSON.stringify(inputs.requiredVersion)}`);
    }
    if (!isUnknown(inputs.hosts) && inputs.hosts.some((h) => !h.host)) {
      c.fail("hosts", "requiredVersion is checked through XenAPI's host.call_plugin: give each target its host (uuid, name or address)");
    }
  }
  if (!isUnknown(inputs.versionPlugin) && !/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(inputs.versionPlugin)) {
    c.fail("versionPlugin", `versionPlugin must be a plug-in name, got ${JSON.stringify(inputs.versionPlugin)}`);
  }
  return { inputs, failures: c.failures };
}

function checkTargets(c: Checker, value: unknown): PluginTarget[] {
  if (isUnknown(value) && !Array.isArray(value)) return value as PluginTarget[];
  if (!Array.isArray(value) || value.length === 0) {
    c.fail("hosts", "hosts must list at least one target { host?, ssh: { address, port?, hostKeyFingerprint } }");
    return [];
  }
  const targets = value.map((v, i) => {
    const o = (typeof v === "object" && v !== null ? v : {}) as Record<string, unknown>;
    return { host: c.optionalString(o, "host", ""), ssh: checkSshTarget(c, o.ssh, `hosts[${i}].ssh`) };
  });
  if (targets.some(isUnknown)) return targets;
  const byId = new Map<string, PluginTarget>();
  for (const t of targets) {
    if (byId.has(targetId(t.ssh))) c.fail("hosts", `hosts lists ${targetId(t.ssh)} twice`);
    byId.set(targetId(t.ssh), t);
  }
  return [...byId.values()].sort((a, b) => targetId(a.ssh).localeCompare(targetId(b.ssh)));
}

// ---------------------------------------------------------------------------------------------------------------
// Diff rules: the file set and its contents, the targets and the version all update in place (`adopt` only
// matters to create: never a change)

const UPDATABLE = ["source", "files", "hosts", "directory", "requiredVersion", "versionPlugin", "versionCallConvention"] as const;

export function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): DiffResult {
  return diffByRules(olds, news, { update: UPDATABLE, replace: [] });
}

// ---------------------------------------------------------------------------------------------------------------
// SSH and XenAPI

export async function create(inputs: PluginsInputs): Promise<{ id: string; outs: PluginsOutputs }> {
  const outs = inputs.adopt ? await adopt(inputs) : await converge(undefined, inputs);
  const id = `plugins:${inputs.hosts.map((h) => targetId(h.ssh)).join(",")}:${inputs.directory}`;
  return { id, outs };
}

/**
 * Takes plug-ins that are already installed under management: every declared file must be on every target with
 * the declared sha256, else nothing happens and the error names each target's differing file. Nothing is written.
 * As with Pulumi's import, the resource then owns the files: they are recorded as installed, so delete removes
 * them. The version is not asked for here (`host.call_plugin` is a XenAPI call that runs code in dom0); the files
 * are byte for byte the declared ones, and the next update that installs checks it.
 */
async function adopt(inputs: PluginsInputs): Promise<PluginsOutputs> {
  const names = Object.keys(inputs.files);
  const seen = await hashesOnTargets(inputs);
  const declared: Record<string, string> = {};
  const actual: Record<string, string> = {};
  for (const [i, t] of inputs.hosts.entries()) {
    for (const name of names) {
      const field = `files on ${targetId(t.ssh)}: ${inputs.directory}/${name}`;
      declared[field] = `sha256 ${inputs.files[name]}`;
      actual[field] = seen[i][name] ? `sha256 ${seen[i][name]}` : "(absent)";
    }
  }
  assertAdoptable(`Plugins from ${inputs.source}`, inputs.adopt, declared, actual, Object.keys(declared));
  const installed: Record<string, string[]> = {};
  if (names.length > 0) for (const t of inputs.hosts) installed[targetId(t.ssh)] = [...names].sort();
  return { ...inputs, installed, versions: {} };
}

/** Per target, in `declared.hosts` order: name → sha256 of the declared files there (missing ones left out). */
async function hashesOnTargets(declared: PluginsInputs): Promise<Array<Record<string, string>>> {
  const names = Object.keys(declared.files);
  const seen: Array<Record<string, string>> = [];
  for (const t of declared.hosts) seen.push(await withTarget(t.ssh, (s) => remoteHashes(s, declared.directory, names)));
  return seen;
}

export async function update(_id: string, olds: PluginsOutputs, news: PluginsInputs): Promise<{ outs: PluginsOutputs }> {
  return { outs: await converge(olds, news) };
}

export async function remove(_id: string, props: PluginsOutputs): Promise<void> {
  for (const t of props.hosts) {
    const names = props.installed[targetId(t.ssh)] ?? [];
    if (names.length > 0) await withTarget(t.ssh, (s) => removeFiles(s, props.directory, names));
  }
}

export async function read(id: string, props: PluginsOutputs): Promise<{ id: string; props?: PluginsOutputs; inputs?: PluginsInputs }> {
  const names = Object.keys(props.files);
  const files: Record<string, string> = {};
  const seen = await hashesOnTargets(props);
  // A file reads as declared only when every target has it with that content; else as the first differing copy.
  for (const name of names) {
    const differing = seen.find((h) => h[name] !== props.files[name]);
    if (!differing) files[name] = props.files[name];
    else if (differing[name] !== undefined) files[name] = differing[name];
  }
  const inputs: PluginsInputs = {
    source: props.source,
    files,
    hosts: props.hosts,
    directory: props.directory,
    requiredVersion: props.requiredVersion,
    versionPlugin: props.versionPlugin,
    versionCallConvention: props.versionCallConvention ?? "serialized",
    adopt: props.adopt ?? "",
  };
  return { id, props: { ...props, files }, inputs };
}

/**
 * Installs `news` from `olds` (undefined on create): removes what is no longer wanted (files dropped from the set,
 * targets dropped), writes what differs, then checks the version. If anything fails (a version mismatch
 * included), every file this call removed or wrote is put back as it was, so a failed update leaves the hosts
 * with the plug-ins the state describes.
 */
async function converge(olds: PluginsOutputs | undefined, news: PluginsInputs): Promise<PluginsOutputs> {
  const installed: Record<string, string[]> = structuredClone(olds?.installed ?? {});
  const record = (id: string, name: string) => (installed[id] = [...new Set([...(installed[id] ?? []), name])].sort());
  // Per target: the content each touched path had before this call (undefined: nothing was there).
  const saved = new Map<string, { ssh: SshTarget; files: Map<string, Buffer | undefined> }>();
  const save = async (s: Dom0Session, ssh: SshTarget, paths: string[]) => {
    const entry = saved.get(targetId(ssh)) ?? { ssh, files: new Map() };
    saved.set(targetId(ssh), entry);
    for (const p of paths) if (!entry.files.has(p)) entry.files.set(p, await readFile(s, p));
  };
  // Every local file is read and verified (a regular file, not a link, with the checked hash) before anything
  // changes anywhere: a refusal writes nothing.
  readLocalFiles(news.source, news.files);
  try {
    // Targets dropped, or whose directory moved: take back what this resource wrote there.
    for (const t of olds?.hosts ?? []) {
      const id = targetId(t.ssh);
      const kept = news.hosts.some((h) => targetId(h.ssh) === id) && news.directory === olds!.directory;
      if (kept || !installed[id]?.length) continue;
      await withTarget(t.ssh, async (s) => {
        await save(s, t.ssh, installed[id].map((n) => `${olds!.directory}/${n}`));
        await removeFiles(s, olds!.directory, installed[id]);
      });
      delete installed[id];
    }
    for (const t of news.hosts) {
      const id = targetId(t.ssh);
      await withTarget(t.ssh, async (s) => {
        const dropped = (installed[id] ?? []).filter((name) => !(name in news.files));
        const current = await remoteHashes(s, news.directory, Object.keys(news.files));
        const changing = Object.keys(news.files).filter((n) => current[n] !== news.files[n]);
        await save(s, t.ssh, [...dropped, ...changing].map((n) => `${news.directory}/${n}`));
        await removeFiles(s, news.directory, dropped);
        installed[id] = (installed[id] ?? []).filter((name) => name in news.files);
        await installFiles(s, news.source, news.directory, news.files, 0o755, (name) => record(id, name));
      }).catch((e: unknown) => {
        throw new Error(`Plugins: installing into ${news.directory} on ${id} failed: ${reason(e)}`);
      });
    }
    const versions = news.requiredVersion ? await checkVersions(xenSession(), news) : {};
    for (const id of Object.keys(installed)) if (installed[id].length === 0) delete installed[id];
    return { ...news, installed, versions };
  } catch (err) {
    for (const { ssh, files } of saved.values()) {
      await withTarget(ssh, async (s) => {
        for (const [p, content] of files) {
          if (content === undefined) {
            await removeFile(s, p);
            // The version check may have run it: Python's byte-code of a file that was not there goes too.
            const at = p.lastIndexOf("/");
            await removeBytecode(s, p.slice(0, at), [p.slice(at + 1)]);
          } else await writeFileAtomic(s, p, content, { mode: 0o755 });
        }
      }).catch(() => undefined);
    }
    throw err;
  }
}

/**
 * Asks each target host's version plug-in for its version, in the declared calling convention; the answer must be
 * "major.minor" with the same major and at least the minor, else an error naming, per host, the plug-in, the host
 * (name and uuid), what was expected and what came back (decoded).
 */
async function checkVersions(session: XenApiSession, news: PluginsInputs): Promise<Record<string, string>> {
  const [, wantMajor, wantMinor] = VERSION.exec(news.requiredVersion)!.map(Number);
  const expected = `a version compatible with requiredVersion ${news.requiredVersion} (major ${wantMajor}, minor at least ${wantMinor})`;
  const versions: Record<string, string> = {};
  const problems: string[] = [];
  for (const t of news.hosts) {
    const { ref, record } = await resolveHost(session, "hosts.host", t.host);
    const where = `host ${record.name_label} (uuid ${record.uuid}): plug-in ${news.versionPlugin} get_version (${news.versionCallConvention} convention)`;
    let got: string;
    try {
      const answer = await callPlugin(session, { ref, uuid: record.uuid }, news.versionPlugin, "get_version", news.versionCallConvention);
      if (typeof answer.value !== "string") {
        problems.push(`${where} answered ${pyRepr(answer.value)}, not a version string; expected ${expected}`);
        continue;
      }
      got = answer.value.trim();
    } catch (e) {
      problems.push(`${where} failed: ${reason(e)}${conventionHint(e, news.versionCallConvention)}; expected ${expected}`);
      continue;
    }
    versions[targetId(t.ssh)] = got;
    const m = /^(\d+)\.(\d+)/.exec(got);
    if (!m || Number(m[1]) !== wantMajor || Number(m[2]) < wantMinor) {
      problems.push(`${where} answered ${pyRepr(got)}; expected ${expected}`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`Plugins: plug-in version check failed:\n  ${problems.join("\n  ")}\nInstall plug-ins from the nova release that matches.`);
  }
  return versions;
}

/** When a failure looks like the other calling convention, says which input to set. */
function conventionHint(e: unknown, convention: PluginCallConvention): string {
  const text = reason(e);
  if (convention === "serialized" && e instanceof PickleError) {
    return ` (the answer is not a pickle: if this plug-in answers plain strings, declare versionCallConvention: "plain")`;
  }
  if (convention === "plain" && /KeyError/.test(text) && /params/.test(text)) {
    return ` (the plug-in wants nova's pickled "params" argument: declare versionCallConvention: "serialized")`;
  }
  return "";
}

/** This module as the one implementation both surfaces (dynamic provider, plugin) dispatch to. */
export const contract = { check, diff, create, read, update, remove, updatable: UPDATABLE, replacing: [], stableOutputs: [] } satisfies ResourceContract<PluginsInputs, PluginsOutputs>;
