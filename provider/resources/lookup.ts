import { isConnectionProblem, isXenApiError, Ref, XenApiSession, HostRecord } from "../xenapi";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
  if (UUID.test(wanted)) {
    const ref = await refByUuid(session, cls, wanted);
    if (ref) {
      const record = await session.call<R>(`${cls}.get_record`, ref);
      if (accept(record)) return { ref, record };
    }
  }
  const refs = await session.call<Ref[]>(`${cls}.get_by_name_label`, wanted);
  const matches: Array<{ ref: Ref; record: R }> = [];
  for (const ref of refs) {
    const record = await session.call<R>(`${cls}.get_record`, ref);
    if (accept(record)) matches.push({ ref, record });
  }
  if (matches.length === 0) throw new Error(`${field}: no ${cls} with uuid or name "${wanted}"`);
  if (matches.length > 1) throw new Error(`${field}: "${wanted}" names ${matches.length} ${cls} objects; use the uuid`);
  return matches[0];
}

/** Finds a host by uuid, name label or address; fails naming the field and what was looked for. */
export async function resolveHost(session: XenApiSession, field: string, wanted: string): Promise<{ ref: Ref; record: HostRecord }> {
  const hosts = await session.call<Record<Ref, HostRecord>>("host.get_all_records");
  const matches = Object.entries(hosts).filter(
    ([, h]) => h.uuid === wanted || h.name_label === wanted || h.address === wanted || h.hostname === wanted,
  );
  if (matches.length === 0) throw new Error(`${field}: no host with uuid, name or address "${wanted}" in the pool`);
  if (matches.length > 1) throw new Error(`${field}: "${wanted}" names ${matches.length} hosts; use the host's uuid`);
  const [ref, record] = matches[0];
  return { ref, record };
}

/** The pool's ref and record (a pool has exactly one). */
export async function thePool<R = Record<string, unknown>>(session: XenApiSession): Promise<{ ref: Ref; record: R }> {
  const [ref] = await session.call<Ref[]>("pool.get_all");
  return { ref, record: await session.call<R>("pool.get_record", ref) };
}

/** The pool master's host ref. */
export async function masterHost(session: XenApiSession): Promise<Ref> {
  const pools = await session.call<Ref[]>("pool.get_all");
  return session.call<Ref>("pool.get_master", pools[0]);
}

/** Ref of the object with `uuid`, or undefined when xapi no longer has it. */
export async function refByUuid(session: XenApiSession, cls: string, uuid: string): Promise<Ref | undefined> {
  try {
    return await session.call<Ref>(`${cls}.get_by_uuid`, uuid);
  } catch (err) {
    if (isXenApiError(err, "UUID_INVALID") || isXenApiError(err, "HANDLE_INVALID")) return undefined;
    throw err;
  }
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
