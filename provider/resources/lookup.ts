import { isXenApiError, Ref, XenApiSession, HostRecord } from "../xenapi";

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
