import { addFieldEntry, applyMapDelta, applySetDelta, callAsync, int64, fromInt64, HostRecord, mapDelta, NULL_REF, PbdRecord, PoolRecord, poolView, Ref, setDelta, SrRecord, XenApiSession } from "../xenapi";
import { xenSession } from "../context";
import { ResourceContract } from "./contract";
import { Checker, CheckFailure } from "./check";
import { changedFields, declaredKeys, diffByRules, DiffResult } from "./diff";
import { isUnknown } from "./unknown";
import { progressReporter } from "./progress";
import { assertAdoptable } from "./adopt";
import { keepSpelling, masterHost, resolveHost, thePool, uuidOf } from "./lookup";
import { initFailure } from "./init-failure";
import { creatingName, OWNER_KEY } from "./owner";

/**
 * StorageRepository. Create and delete are state machines a retry can re-enter at any step
 * (`owner` = `<project>/<stack>/StorageRepository/<name>`, CREATING = `pulumi-xen creating <owner>`):
 *
 * | step | call                              | what xapi holds afterwards                     | how a retry recognises it, and what it does next |
 * |------|-----------------------------------|------------------------------------------------|--------------------------------------------------|
 * | c1   | `SR.create` (name CREATING)       | the SR, with a PBD per host it reaches, plugged | the pool view (caught up when the create begins) finds it by name: go on at c2 |
 * | c2   | `SR.add_to_other_config(owner)`   | tagged                                         | tag missing: add it                              |
 * | c3   | other-config, tags, default SR    | as declared                                    | compared and set only where they differ          |
 * | c4   | `PBD.plug` of any unplugged PBD   | plugged everywhere it was made                 | an unplugged PBD: plug it                        |
 * | c5   | `SR.set_name_label(name)`         | the SR as declared                             | final name + owner tag: found, c2–c4 find nothing to do |
 * | d1   | `pool.set_default_SR(NULL)`       | the pool no longer points at it                | not the default: skip                            |
 * | d2   | `PBD.unplug` per plugged PBD      | unplugged                                      | an unplugged PBD: skip                           |
 * | d3   | `SR.forget` / `SR.destroy`        | gone                                           | no SR with the id: done                          |
 *
 * A failure after c1 is reported with the SR's uuid (an initialization failure), so the state holds it. xapi
 * gives SR.create no other-config, so the CREATING name marks the SR until c2 tags it; a create whose SR.create
 * task is still running when the retry looks is not recognised (xapi offers no way to tie a task to its SR).
 */

// ---------------------------------------------------------------------------------------------------------------
// Inputs (see sdk/storageRepository.ts for the documented Args)

export const SR_TYPES = ["nfs", "iso", "ext", "lvm"] as const;
export type SrType = (typeof SR_TYPES)[number];

export interface SrInputs {
  /** The SR's name label. Required. */
  name: string;
  /** The SR's name_description; default "". */
  description: string;
  /** The storage backend, one of SR_TYPES. Changing it replaces the SR. */
  type: SrType;
  /** Content type; default `iso` for an iso SR (the only one it may have), else `user`. */
  contentType: string;
  /** The backend's device-config, keys sorted; check requires the keys the type needs. */
  deviceConfig: Record<string, string>;
  /** sm-config given at creation, keys sorted ({} = none). */
  smConfig: Record<string, string>;
  /** The host (uuid, name or address) to create the SR on; "" = the pool master. */
  host: string;
  /** Whether the SR is shared; default true for nfs and for an iso SR on NFS (`location` with ":"), else false. */
  shared: boolean;
  /** other-config keys to manage, sorted ({} = none); other keys are left alone. */
  otherConfig: Record<string, string>;
  /** Tags, de-duplicated and sorted. */
  tags: string[];
  /** On delete, `SR.destroy` (erases the data) instead of `SR.forget`. Default false. */
  destroyOnDelete: boolean;
  /** Whether this is the pool's default SR; absent = not managed here (e.g. the Pool resource manages it). */
  isDefault?: boolean;
  /** uuid of an existing SR to take under management instead of creating one ("" = create). */
  adopt: string;
  /** Marks the SR this resource made (other-config `pulumi-xen:owner`): project/stack/name. Set by the SDK. */
  ownerKey: string;
}

export interface SrOutputs extends SrInputs {
  /** The SR's uuid (also the resource id). */
  uuid: string;
  /** The SR's physical_size, in bytes, as xapi reports it. */
  physicalSize: number;
  /** uuids of the hosts whose PBD for this SR is plugged. */
  attachedHosts: string[];
}

/** device-config keys each SR type needs, as the storage manager drivers require them. */
const REQUIRED_DEVICE_CONFIG: Record<SrType, string[]> = {
  nfs: ["server", "serverpath"],
  iso: ["location"],
  ext: ["device"],
  lvm: ["device"],
};

// ---------------------------------------------------------------------------------------------------------------
// Normalization and validation (pure: runs at preview)

export function check(_olds: Record<string, unknown>, news: Record<string, unknown>): { inputs: SrInputs; failures: CheckFailure[] } {
  const c = new Checker();
  const type = c.oneOf(news, "type", SR_TYPES);
  const deviceConfig = c.stringMap(news, "deviceConfig");
  const knownType = !isUnknown(type) && SR_TYPES.includes(type);
  if (knownType && !isUnknown(deviceConfig)) {
    for (const key of REQUIRED_DEVICE_CONFIG[type]) {
      if (!(key in deviceConfig)) c.fail("deviceConfig", `deviceConfig.${key} is required for a ${type} SR`);
    }
  }
  const remoteIso = type === "iso" && typeof deviceConfig.location === "string" && deviceConfig.location.includes(":");
  const defaultShared = type === "nfs" || remoteIso;
  const shared = c.optionalBoolean(news, "shared", defaultShared);
  if ((type === "ext" || type === "lvm") && shared === true) {
    c.fail("shared", `a ${type} SR is local storage on one host and cannot be shared`);
  }
  const contentType = c.optionalString(news, "contentType", type === "iso" ? "iso" : "user");
  if (type === "iso" && contentType !== "iso" && !isUnknown(contentType)) {
    c.fail("contentType", `an iso SR has content type "iso", not "${contentType}"`);
  }
  const inputs: SrInputs = {
    name: c.requiredString(news, "name"),
    description: c.optionalString(news, "description", ""),
    type,
    contentType,
    deviceConfig,
    smConfig: c.stringMap(news, "smConfig"),
    host: c.optionalString(news, "host", ""),
    shared,
    otherConfig: c.stringMap(news, "otherConfig"),
    tags: c.stringSet(news, "tags"),
    destroyOnDelete: c.optionalBoolean(news, "destroyOnDelete", false),
    adopt: c.optionalString(news, "adopt", ""),
    ownerKey: c.optionalString(news, "ownerKey", ""),
  };
  if (news.isDefault !== undefined && news.isDefault !== null) inputs.isDefault = c.optionalBoolean(news, "isDefault", false);
  return { inputs, failures: c.failures };
}

// ---------------------------------------------------------------------------------------------------------------
// Diff rules: what XenAPI can change on a live SR, and what needs a new one

const UPDATABLE = ["name", "description", "otherConfig", "tags", "destroyOnDelete", "isDefault"] as const;
const REPLACING = ["type", "contentType", "deviceConfig", "smConfig", "host", "shared"] as const;

export function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): DiffResult {
  return diffByRules(olds, news, {
    update: UPDATABLE,
    replace: REPLACING,
    // A local SR lives on a device: the new one can only be made once the old one has let go of it.
    deleteBeforeReplace: (o) => o.type === "ext" || o.type === "lvm",
  });
}

// ---------------------------------------------------------------------------------------------------------------
// XenAPI calls

/** The classes an SR operation reads, loaded in one batch. */
const SR_CLASSES = ["SR", "PBD", "host"];

export async function create(inputs: SrInputs): Promise<{ id: string; outs: SrOutputs }> {
  const session = xenSession();
  // The pool as it is now, whatever changed before (a killed run's leftovers included).
  await poolView(session).current();
  await poolView(session).prepare(SR_CLASSES);
  if (inputs.adopt) return adopt(session, inputs);
  const found = await findOwnedSr(session, inputs.ownerKey, inputs.name);
  const ref = found ?? (await startSr(session, inputs));
  try {
    await finishSr(session, ref, inputs);
  } catch (err) {
    const outs = await outputsOf(session, ref, inputs).catch(() => undefined);
    const uuid = outs?.uuid ?? (await session.call<string>("SR.get_uuid", ref));
    throw initFailure(uuid, { ...inputs, ...outs, uuid }, new Error(`SR "${inputs.name}" (uuid ${uuid}) was made but not finished: ${(err as Error).message}`));
  }
  const outs = await outputsOf(session, ref, inputs);
  return { id: outs.uuid, outs };
}

/**
 * An SR an interrupted create made for `owner`: by its CREATING name, else by its final name and owner tag. From
 * the pool view, which the create caught up when it began.
 */
async function findOwnedSr(session: XenApiSession, owner: string, finalName: string): Promise<Ref | undefined> {
  if (!owner) return undefined;
  const view = poolView(session);
  const [creating] = await view.byName<SrRecord>("SR", creatingName(owner), () => true, { caughtUp: true });
  if (creating) return creating.ref;
  const [done] = await view.byName<SrRecord>("SR", finalName, (r) => r.other_config?.[OWNER_KEY] === owner, { caughtUp: true });
  return done?.ref;
}

/** Step 1: SR.create, named CREATING (SR.create takes no other-config: the name is the mark until step 2). */
async function startSr(session: XenApiSession, inputs: SrInputs): Promise<Ref> {
  const host = inputs.host ? (await resolveHost(session, "host", inputs.host)).ref : await masterHost(session);
  return callAsync<Ref>(session, "SR.create", [
    host,
    inputs.deviceConfig,
    int64(0),
    inputs.ownerKey ? creatingName(inputs.ownerKey) : inputs.name,
    inputs.description,
    inputs.type,
    inputs.contentType,
    inputs.shared,
    inputs.smConfig,
  ], { onProgress: progressReporter(`SR ${inputs.name}: creating`) });
}

/** Steps 2–6 on an SR from step 1 (fresh, or found again): each only where it is still to do. */
async function finishSr(session: XenApiSession, ref: Ref, inputs: SrInputs): Promise<void> {
  const record = await srRecord(session, ref);
  // Add only: an SR carrying another owner's mark is refused (MAP_DUPLICATE_KEY), never taken over.
  if (inputs.ownerKey && record.other_config[OWNER_KEY] !== inputs.ownerKey) await addFieldEntry(session, "SR", ref, "other_config", OWNER_KEY, inputs.ownerKey);
  // Only the declared keys: the others in the SR's other-config are xapi's, the backend's or another tool's.
  const otherConfig = mapDelta(record.other_config, inputs.otherConfig, Object.keys(inputs.otherConfig));
  await applyMapDelta(session, "SR", ref, "other_config", otherConfig, record.other_config);
  await applySetDelta(session, "SR", ref, "tags", setDelta(record.tags, inputs.tags));
  if (inputs.isDefault) await setDefault(session, ref, true);
  // SR.create plugs a PBD on every host it reaches; one an interrupted create left unplugged is plugged now.
  for (const pbd of await pbdsOf(session, record)) {
    if (!pbd.record.currently_attached) await callAsync(session, "PBD.plug", [pbd.ref]);
  }
  if (record.name_label !== inputs.name) await session.call("SR.set_name_label", ref, inputs.name);
}

export async function read(id: string, props: SrOutputs): Promise<{ id: string; props?: SrOutputs; inputs?: SrInputs }> {
  const session = xenSession();
  await poolView(session).prepare(SR_CLASSES);
  const ref = (await poolView(session).byUuid<SrRecord>("SR", id))?.ref;
  if (!ref) return { id: "" };
  const { current, outs } = await currentState(session, ref, props);
  return { id, props: outs, inputs: current };
}

/** Takes the existing SR `inputs.adopt` under management, if it is exactly as declared; changes nothing. */
async function adopt(session: XenApiSession, inputs: SrInputs): Promise<{ id: string; outs: SrOutputs }> {
  const ref = (await poolView(session).byUuid<SrRecord>("SR", inputs.adopt, { caughtUp: true }))?.ref;
  if (!ref) throw new Error(`adopt: there is no SR with uuid ${inputs.adopt}`);
  const { current, outs } = await currentState(session, ref, inputs);
  const compared = [...UPDATABLE, ...REPLACING].filter((f) => f !== "destroyOnDelete");
  assertAdoptable(`SR "${inputs.name}"`, inputs.adopt, inputs as unknown as Record<string, unknown>, current as unknown as Record<string, unknown>, compared);
  return { id: outs.uuid, outs: { ...outs, ...inputs } };
}

/** The SR as it is, described in the terms (and spelling) of what the program declared (`props`). */
async function currentState(session: XenApiSession, ref: Ref, props: SrInputs): Promise<{ current: SrInputs; outs: SrOutputs }> {
  const record = await srRecord(session, ref);
  const pbds = await pbdsOf(session, record);
  const hostField = await currentHostField(session, props.host, pbds);
  const firstPbd = pbds[0]?.record;
  const current: SrInputs = {
    name: record.name_label,
    description: record.name_description,
    type: record.type as SrType,
    contentType: record.content_type,
    // Only the keys the program manages: xapi and the storage backend add keys of their own.
    deviceConfig: declaredKeys(firstPbd?.device_config ?? {}, props.deviceConfig),
    smConfig: declaredKeys(record.sm_config, props.smConfig),
    host: hostField,
    shared: record.shared,
    otherConfig: declaredKeys(record.other_config, props.otherConfig),
    tags: [...record.tags].sort(),
    destroyOnDelete: props.destroyOnDelete ?? false,
    adopt: props.adopt ?? "",
    ownerKey: props.ownerKey ?? "",
  };
  if (props.isDefault !== undefined) current.isDefault = (await thePool<PoolRecord>(session)).record.default_SR === ref;
  return { current, outs: await outputsOf(session, ref, current, record, pbds) };
}

export async function update(id: string, olds: SrOutputs, news: SrInputs): Promise<{ outs: SrOutputs }> {
  const session = xenSession();
  await poolView(session).current();
  const found = await poolView(session).byUuid<SrRecord>("SR", id, { caughtUp: true });
  if (!found) throw new Error(`SR ${id} is gone (forgotten behind Pulumi's back): run pulumi refresh`);
  const ref = found.ref;
  for (const field of changedFields(olds as unknown as Record<string, unknown>, news as unknown as Record<string, unknown>, UPDATABLE)) {
    switch (field) {
      case "name":
        await session.call("SR.set_name_label", ref, news.name);
        break;
      case "description":
        await session.call("SR.set_name_description", ref, news.description);
        break;
      case "otherConfig":
        // Keys declared before and dropped are removed; `known` skips what the SR already has as declared.
        await applyMapDelta(session, "SR", ref, "other_config", mapDelta(olds.otherConfig, news.otherConfig), found.record.other_config);
        break;
      case "tags":
        await applySetDelta(session, "SR", ref, "tags", setDelta(olds.tags, news.tags));
        break;
      case "isDefault":
        if (news.isDefault !== undefined) await setDefault(session, ref, news.isDefault);
        break;
      case "destroyOnDelete":
        break; // bookkeeping only: read at delete time
    }
  }
  return { outs: await outputsOf(session, ref, news) };
}

/** Steps d1–d3 of the state machine at the top. */
export async function remove(id: string, props: SrOutputs): Promise<void> {
  const session = xenSession();
  await poolView(session).current();
  await poolView(session).prepare(SR_CLASSES);
  const found = await poolView(session).byUuid<SrRecord>("SR", id, { caughtUp: true });
  if (!found) return; // already gone: deleting is idempotent
  const { ref, record } = found;
  await setDefault(session, ref, false); // the pool must not keep pointing at a forgotten SR
  for (const pbd of await pbdsOf(session, record)) {
    if (pbd.record.currently_attached) await callAsync(session, "PBD.unplug", [pbd.ref]);
  }
  // Forget keeps the data on the storage; destroy erases it and is only done when the program asked for it.
  await callAsync(session, props.destroyOnDelete ? "SR.destroy" : "SR.forget", [ref]);
}

// ---------------------------------------------------------------------------------------------------------------
// helpers

async function outputsOf(
  session: XenApiSession,
  ref: Ref,
  inputs: SrInputs,
  known?: SrRecord,
  knownPbds?: Array<{ ref: Ref; record: PbdRecord }>,
): Promise<SrOutputs> {
  const record = known ?? (await srRecord(session, ref));
  const pbds = knownPbds ?? (await pbdsOf(session, record));
  const attachedHosts: string[] = [];
  for (const pbd of pbds.filter((p) => p.record.currently_attached)) {
    const host = await poolView(session).get<HostRecord>("host", pbd.record.host);
    if (host) attachedHosts.push(host.uuid);
  }
  return { ...inputs, uuid: record.uuid, physicalSize: fromInt64(record.physical_size), attachedHosts: attachedHosts.sort() };
}

async function pbdsOf(session: XenApiSession, sr: SrRecord): Promise<Array<{ ref: Ref; record: PbdRecord }>> {
  const out: Array<{ ref: Ref; record: PbdRecord }> = [];
  for (const ref of sr.PBDs) {
    const record = await poolView(session).get<PbdRecord>("PBD", ref);
    if (record) out.push({ ref, record });
  }
  return out;
}

/** The SR's record from the pool view (caught up after this process's writes). */
async function srRecord(session: XenApiSession, ref: Ref): Promise<SrRecord> {
  const record = await poolView(session).get<SrRecord>("SR", ref);
  if (!record) throw new Error(`the SR (${ref}) is gone`);
  return record;
}

/** The SR's host in the program's spelling (name or uuid) while it still names the host the SR is on. */
async function currentHostField(session: XenApiSession, declared: string, pbds: Array<{ record: PbdRecord }>): Promise<string> {
  if (!declared || pbds.length !== 1) return declared;
  return keepSpelling(declared, pbds[0].record.host, (w) => resolveHost(session, "host", w), uuidOf(session, "host"));
}

/** Makes `ref` the pool's default SR, or (false) stops it being the default if it is. */
async function setDefault(session: XenApiSession, ref: Ref, makeDefault: boolean): Promise<void> {
  const pool = await thePool<PoolRecord>(session);
  if (makeDefault && pool.record.default_SR !== ref) await session.call("pool.set_default_SR", pool.ref, ref);
  if (!makeDefault && pool.record.default_SR === ref) await session.call("pool.set_default_SR", pool.ref, NULL_REF);
}

/** This module as the one implementation both surfaces (dynamic provider, plugin) dispatch to. */
export const contract = { check, diff, create, read, update, remove, updatable: UPDATABLE, replacing: REPLACING, stableOutputs: ["uuid"] } satisfies ResourceContract<SrInputs, SrOutputs>;
