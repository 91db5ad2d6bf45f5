/**
 * Conversion between the simulator's stored values and XML-RPC values.
 * Stored form = wire form as xapi sends it: int64 as decimal strings, datetimes as "YYYYMMDDTHH:MM:SSZ" strings,
 * refs as "OpaqueRef:..." strings. Only floats and datetimes need special XML tags on the way out.
 */
// eslint-disable-next-line @typescript-eslint/no-var-requires
const CustomType: { new (raw: unknown): CustomValue } = require("xmlrpc/lib/customtype");
interface CustomValue { raw: unknown; tagName: string; serialize(xml: unknown): unknown }
import { Datamodel, XType, isConstructorField } from "../datamodel";
import { fail } from "../errors";

/** <dateTime.iso8601>20240101T12:00:00Z</dateTime.iso8601> exactly as xapi writes it. */
export class XDateTime extends CustomType {
  constructor(raw: string) { super(raw); this.tagName = "dateTime.iso8601"; }
}
/** Floats always as <double>, even when integral (the library would write 1.0 as <int>). */
export class XDouble extends CustomType {
  constructor(raw: string) { super(raw); this.tagName = "double"; }
}
/** xapi (rpclib) writes strings bare inside <value>, without a <string> tag. */
export class XBare extends CustomType {
  constructor(raw: string) { super(raw); }
  override serialize(xml: any): unknown { return xml.txt(this.raw); }
}

export function xapiDate(d: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}Z`;
}

/** Stored value -> XML-RPC serializable value for a datamodel type. */
export function toWire(dm: Datamodel, v: unknown, t: XType): unknown {
  switch (t.kind) {
    case "int": return typeof v === "number" ? String(Math.trunc(v)) : String(v ?? "0");
    case "float": return new XDouble(formatFloat(Number(v ?? 0)));
    case "bool": return !!v;
    case "datetime": return new XDateTime(v instanceof Date ? xapiDate(v) : String(v ?? "19700101T00:00:00Z"));
    case "set": return Array.isArray(v) ? v.map((x) => toWire(dm, x, t.of)) : [];
    case "map": {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries((v ?? {}) as Record<string, unknown>)) out[k] = toWire(dm, x, t.value);
      return out;
    }
    case "record": {
      const cls = dm.classes.get(dm.canonical(t.cls) ?? "");
      if (!cls || typeof v !== "object" || v === null) return toAny(v);
      const out: Record<string, unknown> = {};
      for (const f of cls.fields) out[f.name] = toWire(dm, (v as Record<string, unknown>)[f.name] ?? f.default, dm.parseType(f.type));
      return out;
    }
    case "option": return v === undefined || v === null ? "" : toWire(dm, v, t.of);
    case "any": return toAny(v);
    default: return v === undefined || v === null ? "" : String(v);
  }
}

function formatFloat(n: number): string { return Number.isFinite(n) ? String(n) : "0"; }

/** Untyped values (handler-built structs): numbers become strings as xapi's int64s, except XDouble etc. */
export function toAny(v: unknown): unknown {
  if (v === undefined || v === null) return "";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : new XDouble(formatFloat(v));
  if (v instanceof Date) return new XDateTime(xapiDate(v));
  if (Array.isArray(v)) return v.map(toAny);
  if (typeof v === "object" && !(v instanceof CustomType)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = toAny(x);
    return out;
  }
  return v;
}

/** Replace plain strings with bare-string nodes for xapi-style XML. */
export function bareStrings(v: unknown): unknown {
  if (typeof v === "string") return new XBare(v);
  if (Array.isArray(v)) return v.map(bareStrings);
  if (v && typeof v === "object" && !(v instanceof CustomType) && !(v instanceof Date) && !Buffer.isBuffer(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = bareStrings(x);
    return out;
  }
  return v;
}

/** Incoming parameter -> stored form for a datamodel type (clients send int64 as strings or ints). */
export function fromWire(dm: Datamodel, v: unknown, t: XType, field = "value"): unknown {
  switch (t.kind) {
    case "int": {
      if (typeof v === "number" && Number.isFinite(v)) return String(Math.trunc(v));
      if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return String(BigInt(v.trim()));
      return fail("FIELD_TYPE_ERROR", field);
    }
    case "float": {
      const n = typeof v === "number" ? v : parseFloat(String(v));
      return Number.isFinite(n) ? n : fail("FIELD_TYPE_ERROR", field);
    }
    case "bool":
      if (typeof v === "boolean") return v;
      if (v === "true" || v === 1 || v === "1") return true;
      if (v === "false" || v === 0 || v === "0") return false;
      return fail("FIELD_TYPE_ERROR", field);
    case "datetime": return v instanceof Date ? xapiDate(v) : String(v);
    case "set":
      if (!Array.isArray(v)) return fail("FIELD_TYPE_ERROR", field);
      return v.map((x) => fromWire(dm, x, t.of, field));
    case "map": {
      if (typeof v !== "object" || v === null || Array.isArray(v)) return fail("FIELD_TYPE_ERROR", field);
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = fromWire(dm, x, t.value, field);
      return out;
    }
    case "record": {
      // Records only arrive as the argument of Class.create: like xapi, read the constructor's own fields and
      // ignore the rest (runtime fields clients such as the Go SDK send with zero values, unknown extras).
      if (typeof v !== "object" || v === null || Array.isArray(v)) return fail("FIELD_TYPE_ERROR", field);
      const cls = dm.classes.get(dm.canonical(t.cls) ?? "");
      if (!cls) return v;
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const f = cls.fieldMap.get(k);
        if (f && isConstructorField(f)) out[k] = fromWire(dm, x, dm.parseType(f.type), k);
      }
      return out;
    }
    case "enum": {
      const s = String(v);
      const values = dm.enums[t.name];
      if (values && !values.includes(s)) {
        // xapi matches enum values case-insensitively on the way in
        const hit = values.find((x) => x.toLowerCase() === s.toLowerCase());
        return hit ?? fail("INVALID_VALUE", field, s);
      }
      return s;
    }
    case "option": return v === "" ? undefined : fromWire(dm, v, t.of, field);
    case "string": case "ref": return typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : fail("FIELD_TYPE_ERROR", field);
    default: return v;
  }
}
