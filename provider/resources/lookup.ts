import { HostRecord, isConnectionProblem, PoolRecord, poolView, Ref, XenApiSession } from "../xenapi";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/*
 * Lookups read the pool view (provider/xenapi/pool-view.ts): loaded once per class, kept current with event.from,
 * caught up after this process's own writes and before saying that nothing matches.
 */

/**
 * Finds one object of `cls` by uuid or name label (optionally filtered), failing with a message that names the
 * input field and what was looked for.
 */
export async function resolveObject<R>(
  session: XenApiSession,
  cls: string,
  field: string,
  wanted: string,
  accept: (record: R) => boolean = () => true,
): Promise<{ ref: Ref; record: R }> {
  const view = poolView(session);
  if (UUID.test(wanted)) {
    const found = await view.byUuid<R>(cls, wanted);
    if (found && accept(found.record)) return found;
  }
  const matches = await view.byName<R>(cls, wanted, accept);
  if (matches.length === 0) throw new Error(`${field}: no ${cls} with uuid or name "${wanted}"`);
  if (matches.length > 1) throw new Error(`${field}: "${wanted}" names ${matches.length} ${cls} objects; use the uuid`);
  return matches[0];
}

/** Finds a host by uuid, name label or address; fails naming the field and what was looked for. */
export async function resolveHost(session: XenApiSession, field: string, wanted: string): Promise<{ ref: Ref; record: HostRecord }> {
  const matches = await poolView(session).find<HostRecord>(
    "host",
    (h) => h.uuid === wanted || h.name_label === wanted || h.address === wanted || h.hostname === wanted,
  );
  if (matches.length === 0) throw new Error(`${field}: no host with uuid, name or address "${wanted}" in the pool`);
  if (matches.length > 1) throw new Error(`${field}: "${wanted}" names ${matches.length} hosts; use the host's uuid`);
  return matches[0];
}

/** The pool's ref and record (a pool has exactly one). */
export async function thePool<R = PoolRecord>(session: XenApiSession): Promise<{ ref: Ref; record: R }> {
  const [found] = await poolView(session).find<R>("pool", () => true);
  if (!found) throw new Error("xapi answered with no pool object");
  return found;
}

/** The pool master's host ref. */
export async function masterHost(session: XenApiSession): Promise<Ref> {
  return (await thePool<PoolRecord>(session)).record.master;
}

/** Ref of the object with `uuid`, or undefined when xapi no longer has it. */
export async function refByUuid(session: XenApiSession, cls: string, uuid: string): Promise<Ref | undefined> {
  return (await poolView(session).byUuid(cls, uuid))?.ref;
}

/** The record of `ref` from the pool view; fails when xapi no longer has the object (deleted meanwhile). */
export async function recordOf<R>(session: XenApiSession, cls: string, ref: Ref): Promise<R> {
  const record = await poolView(session).get<R>(cls, ref);
  if (!record) throw new Error(`a ${cls} this operation was using was deleted meanwhile (by another client): run again`);
  return record;
}

/** The uuid of `ref` (from the view), for reporting a reference field as the object actually in use. */
export function uuidOf(session: XenApiSession, cls: string): (ref: Ref) => Promise<string> {
  return async (ref) => (await recordOf<{ uuid: string }>(session, cls, ref)).uuid;
}

/**
 * What `read` should report for a reference field: the program's own spelling (a name) while it still resolves
 * to the object actually in use, else the actual object's uuid. Keeps refresh from showing spurious diffs.
 */
export async function keepSpelling(
  declared: string,
  actualRef: Ref,
  resolve: (wanted: string) => Promise<{ ref: Ref }>,
  uuidOf: (ref: Ref) => Promise<string>,
): Promise<string> {
  if (declared) {
    try {
      if ((await resolve(declared)).ref === actualRef) return declared;
    } catch (err) {
      if (isConnectionProblem(err)) throw err;
      // the declared name no longer resolves: report what is really there
    }
  }
  return uuidOf(actualRef);
}
