/** Byte sizes as users write them: a number of bytes, or "4GiB", "512 MiB", "10GB" (SI), "1.5GiB". */
const UNITS: Record<string, number> = {
  b: 1,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  tb: 1000 ** 4,
};

/** Parses a size to bytes; throws an Error whose message says what is wrong (the caller adds the field). */
export function parseSize(value: unknown): number {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${value} is not a whole, non-negative number of bytes`);
    return value;
  }
  if (typeof value !== "string") throw new Error(`expected bytes or a string like "4GiB", got ${typeof value}`);
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
  const unit = match ? (match[2] || "b").toLowerCase() : "";
  if (!match || !(unit in UNITS)) {
    throw new Error(`"${value}" is not a size; use bytes or a number with B, KiB, MiB, GiB, TiB (or KB, MB, GB, TB)`);
  }
  const bytes = Number(match[1]) * UNITS[unit];
  if (!Number.isSafeInteger(bytes)) throw new Error(`"${value}" is not a whole number of bytes`);
  return bytes;
}

/** "4GiB" style, for messages. */
export function formatSize(bytes: number): string {
  for (const [unit, factor] of [["TiB", 1024 ** 4], ["GiB", 1024 ** 3], ["MiB", 1024 ** 2], ["KiB", 1024]] as const) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return `${bytes}B`;
}
