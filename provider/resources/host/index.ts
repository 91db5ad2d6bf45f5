/**
 * Host: an existing XenServer host taken under management (it is never created or destroyed), and the guide's
 * dom0 preparation: `/boot/guest` and `/images` as symlinks into the local SR, root's key pair, and the
 * `authorized_keys` entries that give the dom0s of a pool root trust for resize/migration.
 *
 * This module is the resource (inputs, check, diff, create / read / update / delete, and the contract); each job
 * has a file of its own:
 * - `xapi-fields.ts`  the host's name, description, other-config keys and tags
 * - `local-sr.ts`     which SR is the local one (XenAPI) and its mount in dom0
 * - `symlinks.ts`     /boot/guest and /images into the local SR
 * - `key-pair.ts`     root's key pair (/root/.ssh/id_rsa)
 * - `trust.ts`        trusted keys in this dom0's authorized_keys, and this host's key on its peers'
 * - `undo.ts`         what the resource added (`HostAdded`) and undoing exactly that
 */
import { HostRecord } from "../../xenapi";
import { xenSession } from "../../context";
import { publicKeyId } from "../../dom0";
import { ResourceContract } from "../contract";
import { Checker, CheckFailure } from "../check";
import { hostsExist } from "../host-check";
import { diffByRules, DiffResult } from "../diff";
import { isUnknown } from "../unknown";
import { refByUuid, resolveHost } from "../lookup";
import { assertAdoptable } from "../adopt";
import { checkSshTarget, checkSshTargets, SshTarget, targetId, withTarget } from "../ssh-target";
import { convergeXapiFields, currentXapiFields, undoXapiFields } from "./xapi-fields";
import { findLocalSr } from "./local-sr";
import { convergeSymlinks, currentSymlinks } from "./symlinks";
import { convergeKeyPair, currentKeyPair } from "./key-pair";
import { convergePeers, convergeTrustedKeys, currentPeers, currentTrustedKeys } from "./trust";
import { HostAdded, NOTHING_ADDED, undoDom0, undoNew } from "./undo";

// The module's surface as it was when Host was one file (importers: discover, plugin import, tests).
export { NOTHING_ADDED } from "./undo";
export type { HostAdded } from "./undo";
export { BOOT_GUEST, IMAGES } from "./symlinks";
export { SR_MOUNT } from "./local-sr";
export { ROOT_KEY } from "./key-pair";
export { authorizedKeyIds, CREATED_MARKER, withKeyLine, withoutKey } from "../../dom0";

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

export interface HostOutputs extends HostInputs {
  /** The host's uuid (also the resource's id). */
  uuid: string;
  /** The host's management address, as xapi reports it. */
  address: string;
  /** Root's public key on this dom0 ("" without rootKeyPair). */
  publicKey: string;
  /** uuid of the local SR used for /boot/guest and /images ("" when neither is prepared). */
  localSrUuid: string;
  /** What this resource added (and so what delete takes back); nothing for an adopted host. */
  added: HostAdded;
}

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
  if (ref) await undoXapiFields(session, ref, props.added);
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
  const fields = currentXapiFields(record, declared);
  const current: HostInputs = {
    host: declared.host,
    ssh: declared.ssh,
    otherConfig: fields.otherConfig,
    localSr: declared.localSr ?? "",
    bootGuest: declared.bootGuest,
    images: declared.images,
    rootKeyPair: declared.rootKeyPair,
    trustedPublicKeys: [],
    authorizeOn: [],
    adopt: declared.adopt ?? "",
  };
  if ("name" in fields) current.name = fields.name;
  if ("description" in fields) current.description = fields.description;
  if ("tags" in fields) current.tags = fields.tags;
  let publicKey = knownPublicKey;
  await withTarget(declared.ssh, async (s) => {
    Object.assign(current, await currentSymlinks(s, declared, localSrUuid));
    if (declared.rootKeyPair) {
      const k = await currentKeyPair(s);
      current.rootKeyPair = k.rootKeyPair;
      publicKey = k.publicKey;
    }
    current.trustedPublicKeys = await currentTrustedKeys(s, declared.trustedPublicKeys ?? []);
  });
  current.authorizeOn = await currentPeers(declared.authorizeOn ?? [], publicKey);
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
    await convergeXapiFields(session, ref, record, olds, news, added);
    const needSr = news.bootGuest || news.images;
    localSrUuid = needSr ? await findLocalSr(session, ref, record, news.localSr) : "";
    await withTarget(news.ssh, async (s) => {
      await convergeSymlinks(s, news, localSrUuid, added);
      publicKey = await convergeKeyPair(s, news.rootKeyPair, record, added);
      await convergeTrustedKeys(s, news, added);
    });
    await convergePeers(olds, news, publicKey, added);
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

/** This module as the one implementation both surfaces (dynamic provider, plugin) dispatch to. */
export const contract = { check, diff, create, read, update, remove, updatable: UPDATABLE, replacing: REPLACING, stableOutputs: ["uuid", "address"] } satisfies ResourceContract<HostInputs, HostOutputs>;
