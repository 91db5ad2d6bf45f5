/**
 * Typed XenAPI records with their wire names, and the int64 boundary: xapi sends 64-bit integers as strings;
 * they become numbers here (exact up to 2^53 bytes = 8 PiB) and go back as strings.
 */
export type Ref = string;
export const NULL_REF = "OpaqueRef:NULL";
export type StringMap = Record<string, string>;

export interface PoolRecord {
  uuid: string;
  name_label: string;
  name_description: string;
  master: Ref;
  default_SR: Ref;
  other_config: StringMap;
  tags: string[];
}

export interface HostRecord {
  uuid: string;
  name_label: string;
  name_description: string;
  address: string;
  hostname: string;
  PBDs: Ref[];
  other_config: StringMap;
  tags: string[];
}

export interface SrRecord {
  uuid: string;
  name_label: string;
  name_description: string;
  type: string;
  content_type: string;
  shared: boolean;
  PBDs: Ref[];
  VDIs: Ref[];
  physical_size: string;
  physical_utilisation: string;
  other_config: StringMap;
  sm_config: StringMap;
  tags: string[];
}

export interface PbdRecord {
  uuid: string;
  host: Ref;
  SR: Ref;
  device_config: StringMap;
  currently_attached: boolean;
  other_config: StringMap;
}

/** A 64-bit integer for the wire. */
export function int64(value: number | bigint): string {
  if (typeof value === "number" && !Number.isSafeInteger(value)) throw new RangeError(`${value} is not an integer`);
  return String(value);
}

/** A 64-bit integer from the wire (string, or int from older servers). */
export function fromInt64(value: unknown): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`XenAPI int64 ${String(value)} is out of the exact number range`);
  return n;
}

export function isNullRef(ref: string | undefined): boolean {
  return !ref || ref === NULL_REF;
}
