import { HostRecord, PbdRecord, Ref, SrRecord, XenApiSession } from "../xenapi";
import { xenSession } from "../context";
import {
  Dom0Session,
  ensureKeyPair,
  filesystemId,
  mkdirp,
  pathExists,
  publicKeyId,
  symlinkTarget,
  readTextFile,
  removeFile,
  removeSymlink,
  ROOT_AUTHORIZED_KEYS,
  ensureSymlink,
} from "../dom0";
import { ResourceContract } from "./contract";
import { Checker, CheckFailure } from "./check";
import { hostsExist } from "./host-check";
import { diffByRules, DiffResult, setDelta } from "./diff";
import { isUnknown } from "./unknown";
import { refByUuid, resolveHost, resolveObject } from "./lookup";
import { assertAdoptable } from "./adopt";
import { checkSshTarget, checkSshTargets, editRemoteFile, reason, SshTarget, targetId, withTarget } from "./ssh-target";

/**
 * Host: an existing XenServer host taken under management (it is never created or destroyed), and the guide's
 * dom0 preparation: `/boot/guest` and `/images` as symlinks into the local SR, root's key pair, and the
 * `authorized_keys` entries that give the dom0s of a pool root trust for resize/migration.
 */

// ---------------------------------------------------------------------------------------------------------------
// Inputs (see sdk/host.ts for the documented Args)

export interface HostInputs {
  /** The host: uuid, name label or address. */
  host: string;
  /** How to reach its dom0 over SSH. */
  ssh: SshTarget;
  /** Name label; absent = left as it is. */
  name?: string;
  /** Description; absent = left as it is. */
  description?: string;
  /** The host's tags (a set); absent = left as they are. */
  tags?: string[];
  /** other-config keys managed here; other keys are left alone. */
  otherConfig: Record<string, string>;
  /** The local SR (uuid or name) for /boot/guest and /images; "" = the host's SR tagged i18n-key=local-storage. */
  localSr: string;
  /** Make /boot/guest a symlink to `<local SR>/os-guest-kernels` (AMI kernels and ramdisks). */
  bootGuest: boolean;
  /** Make /images a symlink to `<local SR>/images` (resize/migration). */
  images: boolean;
  /** Make sure root has a key pair (/root/.ssh/id_rsa); its public key is an output. */
  rootKeyPair: boolean;
  /** Public keys (one OpenSSH line each) added to root's authorized_keys on this dom0. */
  trustedPublicKeys: string[];
  /** Other dom0s whose root authorized_keys get this host's root public key (root trust without a cycle). */
  authorizeOn: SshTarget[];
  /**
   * The host's uuid, to take the host and its dom0 preparation under management as they are ("" = converge):
   * create then only reads, and fails naming each field that differs from the program.
   */
  adopt: string;
}

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

export interface HostOutputs extends HostInputs {
  uuid: string;
  /** The host's management address, as xapi reports it. */
  address: string;
  /** Root's public key on this dom0 ("" without rootKeyPair). */
  publicKey: string;
  /** uuid of the local SR used for /boot/guest and /images ("" when neither is prepared). */
  localSrUuid: string;
  added: HostAdded;
}

export const BOOT_GUEST = "/boot/guest";
export const IMAGES = "/images";
export const SR_MOUNT = "/var/run/sr-mount";
export const ROOT_KEY = "/root/.ssh/id_rsa";

// ---------------------------------------------------------------------------------------------------------------
// Normalization and validation (pure: runs at preview)

/**
 * check: normalization (checkInputs), then the host must exist in the pool (when known): an unknown host fails the
 * preview naming it, as an unknown SR or network does; a pool that cannot be reached is reported as that.
 */
export async function check(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<{ inputs: HostInputs; failures: CheckFailure[] }> {
  const result = checkInputs(olds, news);
  if (result.failures.length === 0) result.failures.push(...(await hostsExist(xenSession(), [["host", result.inputs.host]])));
  return result;
}

/** The pure part of check: inputs normalized, and what can be said without the pool. */
export function checkInputs(_olds: Record<string, unknown>, news: Record<string, unknown>): { inputs: HostInputs; failures: CheckFailure[] } {
  const c = new Checker();
  const inputs: HostInputs = {
    host: c.requiredString(news, "host"),
    ssh: checkSshTarget(c, news.ssh, "ssh"),
    otherConfig: c.stringMap(news, "otherConfig"),
    localSr: c.optionalString(news, "localSr", ""),
    bootGuest: c.optionalBoolean(news, "bootGuest", true),
    images: c.optionalBoolean(news, "images", true),
    rootKeyPair: c.optionalBoolean(news, "rootKeyPair", true),
    trustedPublicKeys: checkPublicKeys(c, news.trustedPublicKeys, "trustedPublicKeys"),
    authorizeOn: checkSshTargets(c, news.authorizeOn, "authorizeOn"),
    adopt: c.optionalString(news, "adopt", ""),
  };
  if (news.name !== undefined && news.name !== null) inputs.name = c.requiredString(news, "name");
  if (news.description !== undefined && news.description !== null) inputs.description = c.optionalString(news, "description", "");
  if (news.tags !== undefined && news.tags !== null) inputs.tags = c.stringSet(news, "tags");
  if (inputs.authorizeOn.length > 0 && inputs.rootKeyPair === false) {
    c.fail("authorizeOn", "authorizeOn hands out this host's root public key, so it needs rootKeyPair (true by default)");
  }
  if (!isUnknown(inputs.authorizeOn) && !isUnknown(inputs.ssh) && inputs.authorizeOn.some((t) => targetId(t) === targetId(inputs.ssh))) {
    c.fail("authorizeOn", `authorizeOn lists this host's own dom0 (${targetId(inputs.ssh)})`);
  }
  return { inputs, failures: c.failures };
}

/** One OpenSSH public key line each; trimmed, de-duplicated by key, sorted. */
function checkPublicKeys(c: Checker, value: unknown, property: string): string[] {
  const lines = c.stringSet({ [property]: value }, property);
  if (isUnknown(lines)) return lines;
  const byId = new Map<string, string>();
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    const id = publicKeyId(line);
    if (!id || line.includes("\n")) {
      c.fail(property, `${property}[${i}] is not one OpenSSH public key line (type, base64 key, optional comment)`);
      continue;
    }
    if (!byId.has(id)) byId.set(id, line);
  }
  return [...byId.values()].sort();
}

// ---------------------------------------------------------------------------------------------------------------
// Diff rules: everything updates in place but the host itself (`adopt` only matters to create: never a change)

const UPDATABLE = [
  "ssh",
  "name",
  "description",
  "tags",
  "otherConfig",
  "localSr",
  "bootGuest",
  "images",
  "rootKeyPair",
  "trustedPublicKeys",
  "authorizeOn",
] as const;
const REPLACING = ["host"] as const;

export function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): DiffResult {
  return diffByRules(olds, news, { update: UPDATABLE, replace: REPLACING });
}

// ---------------------------------------------------------------------------------------------------------------
// XenAPI and SSH

const NOTHING_ADDED: HostAdded = { symlinks: [], dirs: [], keyPair: "", authorizedKeys: [], authorizedOn: [], otherConfigKeys: [], tags: [] };

export async function create(inputs: HostInputs): Promise<{ id: string; outs: HostOutputs }> {
  if (inputs.adopt) return adopt(inputs);
  const outs = await converge(undefined, inputs);
  return { id: outs.uuid, outs };
}

export async function update(_id: string, olds: HostOutputs, news: HostInputs): Promise<{ outs: HostOutputs }> {
  return { outs: await converge(olds, news) };
}

export async function remove(_id: string, props: HostOutputs): Promise<void> {
  const session = xenSession();
  const ref = await refByUuid(session, "host", props.uuid);
  if (ref) await undoXapi(session, ref, props.added);
  await undoDom0(props, props.added);
}

export async function read(id: string, props: HostOutputs): Promise<{ id: string; props?: HostOutputs; inputs?: HostInputs }> {
  const session = xenSession();
  const ref = await refByUuid(session, "host", id);
  if (!ref) return { id: "" };
  const record = await session.call<HostRecord>("host.get_record", ref);
  const { current, publicKey } = await currentState(record, props, props.localSrUuid, props.publicKey ?? "");
  return { id, props: { ...props, ...current, address: record.address, publicKey }, inputs: current };
}

/**
 * Takes the host `inputs.adopt` and its dom0 as they are: the program must describe them exactly (symlinks into
 * the local SR, root's key pair, trusted keys and peers that already hold this host's key, name, tags and
 * other-config), else nothing happens and the error names each differing field. Nothing is written, in xapi or on
 * any dom0, and nothing found is recorded as added, so a later delete leaves all of it in place.
 */
async function adopt(inputs: HostInputs): Promise<{ id: string; outs: HostOutputs }> {
  const session = xenSession();
  if (!(await refByUuid(session, "host", inputs.adopt))) throw new Error(`adopt: there is no host with uuid ${inputs.adopt}`);
  const { ref, record } = await resolveHost(session, "host", inputs.host);
  if (record.uuid !== inputs.adopt) {
    throw new Error(`adopt: host "${inputs.host}" is ${record.uuid} (${record.name_label}), not ${inputs.adopt}: adopt must be the uuid of the host the program names`);
  }
  const localSrUuid = inputs.bootGuest || inputs.images ? await findLocalSr(session, ref, record, inputs.localSr) : "";
  const { current, publicKey } = await currentState(record, inputs, localSrUuid, "");
  const compared = [...REPLACING, ...UPDATABLE];
  assertAdoptable(`host "${record.name_label}"`, inputs.adopt, inputs as unknown as Record<string, unknown>, current as unknown as Record<string, unknown>, compared);
  const outs: HostOutputs = { ...inputs, uuid: record.uuid, address: record.address, publicKey, localSrUuid, added: structuredClone(NOTHING_ADDED) };
  return { id: record.uuid, outs };
}

/**
 * The host and its dom0 as they are, in the terms (and spelling) of `declared` (what `read` reports, and what
 * adoption compares): a preparation step reads as done only when it is there as this resource makes it, with
 * `/boot/guest` and `/images` pointing into `localSrUuid`'s mount. Only reads, over XenAPI and SSH.
 */
async function currentState(
  record: HostRecord,
  declared: HostInputs,
  localSrUuid: string,
  knownPublicKey: string,
): Promise<{ current: HostInputs; publicKey: string }> {
  const current: HostInputs = {
    host: declared.host,
    ssh: declared.ssh,
    otherConfig: pick(record.other_config, Object.keys(declared.otherConfig ?? {})),
    localSr: declared.localSr ?? "",
    bootGuest: declared.bootGuest,
    images: declared.images,
    rootKeyPair: declared.rootKeyPair,
    trustedPublicKeys: [],
    authorizeOn: [],
    adopt: declared.adopt ?? "",
  };
  if (declared.name !== undefined) current.name = record.name_label;
  if (declared.description !== undefined) current.description = record.name_description;
  if (declared.tags !== undefined) current.tags = [...record.tags].sort();
  let publicKey = knownPublicKey;
  await withTarget(declared.ssh, async (s) => {
    const mount = `${SR_MOUNT}/${localSrUuid}`;
    if (declared.bootGuest) current.bootGuest = (await symlinkTarget(s, BOOT_GUEST)) === `${mount}/os-guest-kernels`;
    if (declared.images) current.images = (await symlinkTarget(s, IMAGES)) === `${mount}/images`;
    if (declared.rootKeyPair) {
      const pub = await readTextFile(s, `${ROOT_KEY}.pub`);
      current.rootKeyPair = pub !== undefined && (await pathExists(s, ROOT_KEY));
      publicKey = pub?.trim() ?? "";
    }
    const present = new Set(authorizedKeyIds((await readTextFile(s, ROOT_AUTHORIZED_KEYS)) ?? ""));
    current.trustedPublicKeys = (declared.trustedPublicKeys ?? []).filter((k) => present.has(publicKeyId(k)!));
  });
  const myKey = publicKey ? publicKeyId(publicKey) : undefined;
  for (const peer of declared.authorizeOn ?? []) {
    const has = myKey !== undefined && (await withTarget(peer, async (s) => authorizedKeyIds((await readTextFile(s, ROOT_AUTHORIZED_KEYS)) ?? "").includes(myKey)));
    if (has) current.authorizeOn.push(peer);
  }
  return { current, publicKey };
}

/**
 * Brings the host to `news` from `olds` (undefined on create), recording what it adds. If a step fails, what this
 * call added is undone before the error is thrown, so nothing unrecorded is left behind.
 */
async function converge(olds: HostOutputs | undefined, news: HostInputs): Promise<HostOutputs> {
  const session = xenSession();
  const { ref, record } = await resolveHost(session, "host", news.host);
  const before = olds?.added ?? NOTHING_ADDED;
  const added: HostAdded = structuredClone(before);
  let publicKey = "";
  let localSrUuid = olds?.localSrUuid ?? "";
  try {
    await convergeXapi(session, ref, record, olds, news, added);
    const needSr = news.bootGuest || news.images;
    localSrUuid = needSr ? await findLocalSr(session, ref, record, news.localSr) : "";
    await withTarget(news.ssh, async (s) => {
      // Symlinks into the local SR: drop the ones that are no longer wanted (or point at another SR) first.
      const wanted: Array<{ link: string; dir: string }> = [];
      const mount = `${SR_MOUNT}/${localSrUuid}`;
      if (news.bootGuest) wanted.push({ link: BOOT_GUEST, dir: `${mount}/os-guest-kernels` });
      if (news.images) wanted.push({ link: IMAGES, dir: `${mount}/images` });
      if (wanted.length > 0) await checkSrMount(s, mount, localSrUuid, news.localSr);
      for (const made of [...added.symlinks]) {
        if (!wanted.some((w) => w.link === made.link && w.dir === made.target)) await undoSymlink(s, made, added);
      }
      for (const w of wanted) {
        if (!(await pathExists(s, w.dir))) {
          await mkdirp(s, w.dir);
          added.dirs.push(w.dir);
        }
        if ((await filesystemId(s, w.dir)) !== (await filesystemId(s, mount))) {
          throw new Error(`${w.link}: ${w.dir} is not on the local SR's filesystem (${mount})`);
        }
        if ((await ensureSymlink(s, w.link, w.dir)) === "created") added.symlinks.push({ link: w.link, target: w.dir });
      }
      // Root's key pair.
      if (news.rootKeyPair) {
        const k = await ensureKeyPair(s, { privateKeyPath: ROOT_KEY, comment: `root@${record.hostname || record.name_label}` });
        if (k.created) added.keyPair = ROOT_KEY;
        publicKey = k.publicKey;
      } else if (added.keyPair) {
        await removeKeyPair(s, added.keyPair);
        added.keyPair = "";
      }
      // Trusted keys on this dom0.
      const wantedIds = news.trustedPublicKeys.map((k) => publicKeyId(k)!);
      for (const id of added.authorizedKeys.filter((id) => !wantedIds.includes(id))) {
        await removeAuthorizedKeyLine(s, news.ssh, id);
        added.authorizedKeys = added.authorizedKeys.filter((k) => k !== id);
      }
      for (const key of news.trustedPublicKeys) {
        if (await addAuthorizedKeyLine(s, news.ssh, key)) added.authorizedKeys.push(publicKeyId(key)!);
      }
    });
    // This host's key on its peers.
    const myId = publicKey ? publicKeyId(publicKey) : undefined;
    const oldId = olds?.publicKey ? publicKeyId(olds.publicKey) : undefined;
    for (const peerId of [...added.authorizedOn]) {
      const peer = news.authorizeOn.find((t) => targetId(t) === peerId) ?? olds?.authorizeOn.find((t) => targetId(t) === peerId);
      const keep = news.authorizeOn.some((t) => targetId(t) === peerId) && oldId === myId;
      if (keep || !peer) continue;
      if (oldId) await withTarget(peer, (s) => removeAuthorizedKeyLine(s, peer, oldId));
      added.authorizedOn = added.authorizedOn.filter((p) => p !== peerId);
    }
    for (const peer of news.authorizeOn) {
      if (!publicKey) break;
      const ok = await withTarget(peer, (s) => addAuthorizedKeyLine(s, peer, publicKey)).catch((e: unknown) => {
        throw new Error(`authorizeOn ${targetId(peer)}: ${reason(e)}`);
      });
      if (ok) added.authorizedOn.push(targetId(peer));
    }
  } catch (err) {
    await undoNew(session, ref, olds, news, before, added).catch(() => undefined);
    throw err;
  }
  return {
    ...news,
    uuid: record.uuid,
    address: record.address,
    publicKey,
    localSrUuid: news.bootGuest || news.images ? localSrUuid : "",
    added: { ...added, dirs: [...new Set(added.dirs)].sort(), authorizedKeys: [...new Set(added.authorizedKeys)].sort(), authorizedOn: [...new Set(added.authorizedOn)].sort() },
  };
}

async function convergeXapi(session: XenApiSession, ref: Ref, record: HostRecord, olds: HostOutputs | undefined, news: HostInputs, added: HostAdded) {
  if (news.name !== undefined && record.name_label !== news.name) await session.call("host.set_name_label", ref, news.name);
  if (news.description !== undefined && record.name_description !== news.description) {
    await session.call("host.set_name_description", ref, news.description);
  }
  // A key no longer managed is removed only if this resource added it; a key that was there before stays.
  for (const key of Object.keys(olds?.otherConfig ?? {}).filter((k) => !(k in news.otherConfig))) {
    if (!added.otherConfigKeys.includes(key)) continue;
    await session.call("host.remove_from_other_config", ref, key);
    added.otherConfigKeys = added.otherConfigKeys.filter((k) => k !== key);
  }
  for (const [key, value] of Object.entries(news.otherConfig)) {
    if (record.other_config[key] === value) continue;
    if (!(key in record.other_config) && !added.otherConfigKeys.includes(key)) added.otherConfigKeys.push(key);
    await session.call("host.remove_from_other_config", ref, key); // add_to_* fails on an existing key
    await session.call("host.add_to_other_config", ref, key, value);
  }
  if (news.tags !== undefined) {
    const t = setDelta(record.tags, news.tags);
    for (const tag of t.remove) {
      await session.call("host.remove_tags", ref, tag);
      added.tags = added.tags.filter((x) => x !== tag);
    }
    for (const tag of t.add) {
      await session.call("host.add_tags", ref, tag);
      added.tags.push(tag);
    }
  } else if (olds?.tags !== undefined) {
    // tags are no longer managed: take back the ones this resource added
    for (const tag of added.tags) await session.call("host.remove_tags", ref, tag);
    added.tags = [];
  }
}

/** The local SR's uuid: the one named, or the host's SR with other-config i18n-key=local-storage. */
async function findLocalSr(session: XenApiSession, hostRef: Ref, host: HostRecord, wanted: string): Promise<string> {
  const pbds = await Promise.all(host.PBDs.map((p) => session.call<PbdRecord>("PBD.get_record", p)));
  const srRefs = new Set(pbds.map((p) => p.SR));
  if (wanted) {
    const { ref, record } = await resolveObject<SrRecord>(session, "SR", "localSr", wanted);
    if (!srRefs.has(ref)) throw new Error(`localSr: SR "${wanted}" has no PBD on host ${host.name_label}, so it is not local to it`);
    return record.uuid;
  }
  const local: SrRecord[] = [];
  for (const sr of srRefs) {
    const record = await session.call<SrRecord>("SR.get_record", sr);
    if (record.other_config["i18n-key"] === "local-storage" && !record.shared) local.push(record);
  }
  void hostRef;
  if (local.length === 0) {
    throw new Error(
      `localSr: host ${host.name_label} has no SR with other-config i18n-key=local-storage; name the local SR with localSr ` +
        "(or set bootGuest and images to false)",
    );
  }
  if (local.length > 1) throw new Error(`localSr: host ${host.name_label} has ${local.length} local-storage SRs; name one with localSr`);
  return local[0].uuid;
}

/** The SR must be mounted, on a filesystem of its own: /boot/guest and /images must not fill dom0's root. */
async function checkSrMount(s: Dom0Session, mount: string, srUuid: string, declared: string): Promise<void> {
  const what = declared ? `localSr "${declared}" (${srUuid})` : `the local SR ${srUuid}`;
  if (!(await pathExists(s, mount))) throw new Error(`localSr: ${what} is not mounted at ${mount} on ${s.target}`);
  if ((await filesystemId(s, mount)) === (await filesystemId(s, "/"))) {
    throw new Error(
      `localSr: ${mount} on ${s.target} is on dom0's root filesystem, not on the SR's own; /boot/guest and /images ` +
        `must point into ${what}, not fill dom0's small root (is the SR an ext (file-based) SR, and plugged?)`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// authorized_keys: one line per key, added and removed under the per-file lock

/**
 * First line of an authorized_keys file that pulumi-xen created: such a file is removed again when its last key
 * is, so that a dom0 is left as it was. A file that was there before never gets it and is never removed.
 */
export const CREATED_MARKER = "# created by pulumi-xen (removed with its last key)";

export function authorizedKeyIds(text: string): string[] {
  return text.split("\n").map(publicKeyId).filter((k): k is string => k !== undefined);
}

/** The file with `line` added, or the same text when the key is there. */
export function withKeyLine(text: string | undefined, line: string): string {
  const id = publicKeyId(line);
  if (text === undefined) return `${CREATED_MARKER}\n${line.trim()}\n`;
  if (authorizedKeyIds(text).includes(id!)) return text;
  return (text === "" || text.endsWith("\n") ? text : text + "\n") + line.trim() + "\n";
}

/** The file without the lines of key `id`; `null` when it was created by pulumi-xen and no key is left. */
export function withoutKey(text: string | undefined, id: string): string | null {
  if (text === undefined) return null;
  const lines = text.split("\n");
  const kept = lines.filter((l) => publicKeyId(l) !== id);
  if (kept.length === lines.length) return text;
  const result = kept.join("\n");
  if (lines[0] === CREATED_MARKER && authorizedKeyIds(result).length === 0 && result.trim() === CREATED_MARKER) return null;
  return result;
}

async function addAuthorizedKeyLine(s: Dom0Session, t: SshTarget, line: string): Promise<boolean> {
  if (!(await pathExists(s, "/root/.ssh"))) await mkdirp(s, "/root/.ssh", 0o700);
  const r = await editRemoteFile(s, targetId(t), ROOT_AUTHORIZED_KEYS, (cur) => withKeyLine(cur, line), { mode: 0o600 });
  return r.changed;
}

async function removeAuthorizedKeyLine(s: Dom0Session, t: SshTarget, id: string): Promise<boolean> {
  const r = await editRemoteFile(s, targetId(t), ROOT_AUTHORIZED_KEYS, (cur) => (cur === undefined ? null : withoutKey(cur, id)));
  return r.changed;
}

// ---------------------------------------------------------------------------------------------------------------
// Undoing exactly what was added

async function undoSymlink(s: Dom0Session, made: { link: string; target: string }, added: HostAdded): Promise<void> {
  await removeSymlink(s, made.link, made.target);
  added.symlinks = added.symlinks.filter((m) => m.link !== made.link);
  if (added.dirs.includes(made.target)) {
    // Only while empty: kernels or images left there are the operator's to keep.
    await s.run(["rmdir", "--", made.target]);
    added.dirs = added.dirs.filter((d) => d !== made.target);
  }
}

async function removeKeyPair(s: Dom0Session, privateKeyPath: string): Promise<void> {
  await removeFile(s, privateKeyPath);
  await removeFile(s, `${privateKeyPath}.pub`);
}

async function undoXapi(session: XenApiSession, ref: Ref, added: HostAdded): Promise<void> {
  for (const key of added.otherConfigKeys) await session.call("host.remove_from_other_config", ref, key);
  for (const tag of added.tags) await session.call("host.remove_tags", ref, tag);
}

async function undoDom0(props: Pick<HostOutputs, "ssh" | "authorizeOn" | "publicKey">, added: HostAdded, peers?: SshTarget[]): Promise<void> {
  const myId = props.publicKey ? publicKeyId(props.publicKey) : undefined;
  for (const peerId of added.authorizedOn) {
    const peer = (peers ?? props.authorizeOn).find((t) => targetId(t) === peerId);
    if (peer && myId) await withTarget(peer, (s) => removeAuthorizedKeyLine(s, peer, myId));
  }
  const touched = added.symlinks.length + added.dirs.length + added.authorizedKeys.length > 0 || added.keyPair;
  if (!touched) return;
  await withTarget(props.ssh, async (s) => {
    const work = { ...added, symlinks: [...added.symlinks], dirs: [...added.dirs] };
    for (const made of added.symlinks) await undoSymlink(s, made, work);
    for (const dir of work.dirs) await s.run(["rmdir", "--", dir]);
    for (const id of added.authorizedKeys) await removeAuthorizedKeyLine(s, props.ssh, id);
    if (added.keyPair) await removeKeyPair(s, added.keyPair);
  });
}

/** After a failed create or update: undo what this call added beyond `before`. */
async function undoNew(session: XenApiSession, ref: Ref, olds: HostOutputs | undefined, news: HostInputs, before: HostAdded, added: HostAdded) {
  const fresh: HostAdded = {
    symlinks: added.symlinks.filter((m) => !before.symlinks.some((b) => b.link === m.link && b.target === m.target)),
    dirs: added.dirs.filter((d) => !before.dirs.includes(d)),
    keyPair: before.keyPair ? "" : added.keyPair,
    authorizedKeys: added.authorizedKeys.filter((k) => !before.authorizedKeys.includes(k)),
    authorizedOn: added.authorizedOn.filter((k) => !before.authorizedOn.includes(k)),
    otherConfigKeys: added.otherConfigKeys.filter((k) => !before.otherConfigKeys.includes(k)),
    tags: added.tags.filter((t) => !before.tags.includes(t)),
  };
  await undoXapi(session, ref, fresh);
  let publicKey = olds?.publicKey ?? "";
  if (fresh.authorizedOn.length > 0) {
    publicKey = (await withTarget(news.ssh, (s) => readTextFile(s, `${ROOT_KEY}.pub`)))?.trim() ?? "";
  }
  await undoDom0({ ssh: news.ssh, authorizeOn: news.authorizeOn, publicKey }, fresh);
}


function pick(map: Record<string, string>, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys.sort()) if (key in map) out[key] = map[key];
  return out;
}

/** This module as the one implementation both surfaces (dynamic provider, plugin) dispatch to. */
export const contract = { check, diff, create, read, update, remove, updatable: UPDATABLE, replacing: REPLACING, stableOutputs: ["uuid", "address"] } satisfies ResourceContract<HostInputs, HostOutputs>;
