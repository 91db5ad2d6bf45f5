import { applyMapDelta, applySetDelta, callAsync, createTransport, isNullRef, isXenApiError, mapDelta, masterUrlFrom, PoolRecord, Ref, setDelta, XenApiSession, XenApiTransportError } from "../xenapi";
import { connectionSettings, xenSession } from "../context";
import { ResourceContract } from "./contract";
import { Checker, CheckFailure } from "./check";
import { changedFields, declaredKeys, diffByRules, DiffResult } from "./diff";
import { keepSpelling, resolveObject, thePool } from "./lookup";
import { assertAdoptable } from "./adopt";

// ---------------------------------------------------------------------------------------------------------------
// Inputs (see sdk/pool.ts). A pool always exists (every host is the master of at least its own pool): this
// resource manages the pool of the connection's master; deleting it releases it and changes nothing in xapi.

export interface PoolInputs {
  /** The pool's name label. Required. */
  name: string;
  /** The pool's name_description; default "". */
  description: string;
  /** SR (name or uuid) for new VM disks and for nova's `sr_matching_filter = default-sr:true`; "" = not managed. */
  defaultSr: string;
  /** other-config keys to manage, sorted ({} = none); other keys are left alone. */
  otherConfig: Record<string, string>;
  /** Tags, de-duplicated and sorted. */
  tags: string[];
  /** xapi URLs (or addresses) of hosts that must be members; joined with the pool's credentials. */
  members: string[];
  /** Eject a host when it is removed from `members`. Default false: removing it only stops managing it. */
  ejectRemovedMembers: boolean;
  /** uuid of the pool, to take it under management only if it already is as declared ("" = apply the program). */
  adopt: string;
}

export interface PoolOutputs extends PoolInputs {
  /** The pool's uuid (also the resource id). */
  uuid: string;
  /** uuid of the master host. */
  master: string;
  /** uuid of each declared member, by the address it was declared with. */
  memberUuids: Record<string, string>;
}

export function check(_olds: Record<string, unknown>, news: Record<string, unknown>): { inputs: PoolInputs; failures: CheckFailure[] } {
  const c = new Checker();
  const inputs: PoolInputs = {
    name: c.requiredString(news, "name"),
    description: c.optionalString(news, "description", ""),
    defaultSr: c.optionalString(news, "defaultSr", ""),
    otherConfig: c.stringMap(news, "otherConfig"),
    tags: c.stringSet(news, "tags"),
    members: c.stringSet(news, "members"),
    ejectRemovedMembers: c.optionalBoolean(news, "ejectRemovedMembers", false),
    adopt: c.optionalString(news, "adopt", ""),
  };
  return { inputs, failures: c.failures };
}

const UPDATABLE = ["name", "description", "defaultSr", "otherConfig", "tags", "members", "ejectRemovedMembers"] as const;

export function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): DiffResult {
  return diffByRules(olds, news, { update: UPDATABLE, replace: [] });
}

export async function create(inputs: PoolInputs): Promise<{ id: string; outs: PoolOutputs }> {
  const session = xenSession();
  const pool = await thePool<PoolRecord>(session);
  if (inputs.adopt) {
    if (pool.record.uuid !== inputs.adopt) throw new Error(`adopt: the connection reaches pool ${pool.record.uuid}, not ${inputs.adopt}`);
    const { current, outs } = await currentState(session, pool.record, inputs);
    const compared = UPDATABLE.filter((f) => f !== "ejectRemovedMembers" && !(f === "defaultSr" && !inputs.defaultSr));
    assertAdoptable(`pool "${inputs.name}"`, inputs.adopt, inputs as unknown as Record<string, unknown>, current as unknown as Record<string, unknown>, compared);
    return { id: outs.uuid, outs: { ...outs, ...inputs } };
  }
  const outs = await apply(session, pool.ref, pool.record, inputs, undefined);
  return { id: outs.uuid, outs };
}

export async function read(id: string, props: PoolOutputs): Promise<{ id: string; props?: PoolOutputs; inputs?: PoolInputs }> {
  const session = xenSession();
  const pool = await thePool<PoolRecord>(session);
  if (pool.record.uuid !== id) return { id: "" }; // the connection now reaches another pool
  const { current, outs } = await currentState(session, pool.record, props);
  return { id, props: outs, inputs: current };
}

/** The pool as it is, in the terms (and spelling) of `props`. */
async function currentState(session: XenApiSession, record: PoolRecord, props: PoolInputs & Partial<PoolOutputs>): Promise<{ current: PoolInputs; outs: PoolOutputs }> {
  const pool = { record };
  const members: string[] = [];
  const memberUuids: Record<string, string> = {};
  for (const member of props.members ?? []) {
    const found = await memberOf(session, member);
    if (found) {
      members.push(member);
      memberUuids[member] = found.uuid;
    }
  }
  const defaultSr = isNullRef(pool.record.default_SR)
    ? ""
    : props.defaultSr
      ? await keepSpelling(props.defaultSr, pool.record.default_SR, (w) => resolveObject(session, "SR", "defaultSr", w), (r) => session.call<string>("SR.get_uuid", r))
      : "";
  const current: PoolInputs = {
    name: pool.record.name_label,
    description: pool.record.name_description,
    defaultSr,
    otherConfig: declaredKeys(pool.record.other_config, props.otherConfig),
    tags: [...(pool.record.tags ?? [])].sort(),
    members: members.sort(),
    ejectRemovedMembers: props.ejectRemovedMembers ?? false,
    adopt: props.adopt ?? "",
  };
  return { current, outs: { ...current, uuid: record.uuid, master: await session.call<string>("host.get_uuid", record.master), memberUuids } };
}

export async function update(_id: string, olds: PoolOutputs, news: PoolInputs): Promise<{ outs: PoolOutputs }> {
  const session = xenSession();
  const pool = await thePool<PoolRecord>(session);
  return { outs: await apply(session, pool.ref, pool.record, news, olds) };
}

/** Releasing a pool changes nothing in xapi: a pool cannot be destroyed, and members stay. */
export async function remove(): Promise<void> {}

// ---------------------------------------------------------------------------------------------------------------

async function apply(session: XenApiSession, ref: Ref, record: PoolRecord, desired: PoolInputs, previous: PoolOutputs | undefined): Promise<PoolOutputs> {
  const changed = previous
    ? changedFields(previous as unknown as Record<string, unknown>, desired as unknown as Record<string, unknown>, UPDATABLE)
    : [...UPDATABLE];
  if (changed.includes("name") && record.name_label !== desired.name) await session.call("pool.set_name_label", ref, desired.name);
  if (changed.includes("description") && record.name_description !== desired.description) {
    await session.call("pool.set_name_description", ref, desired.description);
  }
  if (changed.includes("defaultSr") && desired.defaultSr) {
    const sr = (await resolveObject(session, "SR", "defaultSr", desired.defaultSr)).ref;
    if (sr !== record.default_SR) await session.call("pool.set_default_SR", ref, sr);
  }
  const other = mapDelta(previous?.otherConfig ?? declaredKeys(record.other_config, desired.otherConfig), desired.otherConfig);
  await applyMapDelta(session, "pool", ref, "other_config", other, record.other_config);
  await applySetDelta(session, "pool", ref, "tags", setDelta(previous?.tags ?? record.tags ?? [], desired.tags));

  const memberUuids: Record<string, string> = {};
  for (const member of desired.members) memberUuids[member] = await ensureMember(session, member);
  if (desired.ejectRemovedMembers) {
    for (const dropped of (previous?.members ?? []).filter((m) => !desired.members.includes(m))) {
      const found = await memberOf(session, dropped);
      if (found) await callAsync(session, "pool.eject", [await session.call<Ref>("host.get_by_uuid", found.uuid)]);
    }
  }
  const fresh = await session.call<PoolRecord>("pool.get_record", ref);
  return { ...desired, uuid: fresh.uuid, master: await session.call<string>("host.get_uuid", fresh.master), memberUuids };
}

/** What the xapi at a member's address says about itself. */
type MemberProbe =
  | { kind: "member"; uuid: string } // answers HOST_IS_SLAVE naming our master
  | { kind: "foreign-member"; master: string } // a member of another pool
  | { kind: "standalone"; session: XenApiSession; host: Ref; uuid: string }; // master of a pool of its own: can join

/** Makes the host at `member` a member of this pool (pool.join on that host), and returns its uuid. */
async function ensureMember(session: XenApiSession, member: string): Promise<string> {
  const probe = await probeMember(session, member);
  if (probe.kind === "member") return probe.uuid;
  if (probe.kind === "foreign-member") throw new Error(`members: ${member} is a member of another pool (its master is ${probe.master})`);
  try {
    const hosts = await probe.session.call<Ref[]>("host.get_all");
    if (hosts.length > 1) throw new Error(`members: ${member} is the master of another pool of ${hosts.length} hosts; eject them first`);
    const settings = connectionSettings();
    // pool.join runs on the joining host, which contacts the master with the pool's own credentials.
    await callAsync(probe.session, "pool.join", [new URL(session.url).host, settings.username, settings.password], { timeoutMs: 600_000 });
    await probe.session.logout();
    await untilMember(session, member);
    return probe.uuid;
  } finally {
    await probe.session.logout();
  }
}

/**
 * After pool.join the host restarts its xapi and comes back as a member. Wait for that (a restart resets the
 * connections open at the time: those count as "not yet"), so what follows sees the pool as it now is.
 */
async function untilMember(session: XenApiSession, member: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 100; ; wait = Math.min(wait * 2, 5000)) {
    const probe = await probeMember(session, member).catch((err) => (err instanceof XenApiTransportError ? undefined : Promise.reject(err)));
    if (probe?.kind === "standalone") await probe.session.logout();
    if (probe?.kind === "member") return;
    if (Date.now() > deadline) throw new Error(`members: ${member} joined but did not come back as a member within ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, wait));
  }
}

async function probeMember(session: XenApiSession, member: string): Promise<MemberProbe> {
  const settings = connectionSettings();
  const url = /^[a-z]+:\/\//i.test(member) ? member : `${new URL(settings.url).protocol}//${member}`;
  const memberSession = new XenApiSession(url, settings, { tls: settings.tls, timeoutMs: settings.timeoutMs }, false);
  let host: Ref;
  try {
    host = await memberSession.thisHost();
  } catch (err) {
    await memberSession.logout();
    if (!isXenApiError(err, "HOST_IS_SLAVE")) throw err;
    const master = new URL(masterUrlFrom(session.url, err));
    if (master.host !== new URL(session.url).host) return { kind: "foreign-member", master: err.params[0] };
    return { kind: "member", uuid: await memberUuidOf(url) };
  }
  const uuid = await memberSession.call<string>("host.get_uuid", host);
  const [theirPool] = await memberSession.call<Ref[]>("pool.get_all");
  const [ourPool] = await session.call<Ref[]>("pool.get_all");
  if ((await memberSession.call<string>("pool.get_uuid", theirPool)) === (await session.call<string>("pool.get_uuid", ourPool))) {
    await memberSession.logout();
    return { kind: "member", uuid }; // our own master, listed among the members
  }
  return { kind: "standalone", session: memberSession, host, uuid };
}

/**
 * Who a member is: members refuse normal logins (HOST_IS_SLAVE), so ask it through xapi's local login, which
 * every host accepts for itself, and log that session out again.
 */
async function memberUuidOf(url: string): Promise<string> {
  const settings = connectionSettings();
  const transport = createTransport(url, { tls: settings.tls, timeoutMs: settings.timeoutMs });
  try {
    const local = (await transport.call("session.slave_local_login_with_password", [settings.username, settings.password])) as string;
    try {
      const host = (await transport.call("session.get_this_host", [local, local])) as string;
      return (await transport.call("host.get_uuid", [local, host])) as string;
    } finally {
      await transport.call("session.local_logout", [local]).catch(() => undefined);
    }
  } finally {
    transport.close();
  }
}

/** Whether `member` is (still) in this pool, and its uuid; never joins. An unreachable host is an error, not "gone". */
async function memberOf(session: XenApiSession, member: string): Promise<{ uuid: string } | undefined> {
  const probe = await probeMember(session, member);
  if (probe?.kind === "standalone") await probe.session.logout();
  return probe?.kind === "member" ? { uuid: probe.uuid } : undefined;
}

/** This module as the one implementation both surfaces (dynamic provider, plugin) dispatch to. */
export const contract = { check, diff, create, read, update, remove, updatable: UPDATABLE, replacing: [], stableOutputs: ["uuid"] } satisfies ResourceContract<PoolInputs, PoolOutputs>;
