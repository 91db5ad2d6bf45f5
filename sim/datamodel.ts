/** The XenAPI datamodel (trimmed copy of xapi's xenapi.json in sim/data) and type helpers. */
import * as path from "path";
import * as fs from "fs";

export interface FieldDef { name: string; type: string; qualifier: string; default: unknown }

/**
 * A field the implicit constructor (Class.create) reads from its record argument. xapi derives the constructor's
 * parameters from the field qualifiers: every field except DynamicRO ("RO/runtime"), i.e. RW and StaticRO
 * ("RO/constructor"). Other members of the record (runtime fields, unknown names) are ignored.
 */
export function isConstructorField(f: FieldDef): boolean { return f.qualifier !== "RO/runtime"; }
export interface MessageDef { name: string; implicit: boolean; result: string; params: Array<[string, string]> }
export interface ClassDef { name: string; fields: FieldDef[]; messages: MessageDef[];
  fieldMap: Map<string, FieldDef>; messageMap: Map<string, MessageDef> }

export type XType =
  | { kind: "string" | "int" | "float" | "bool" | "datetime" | "any" }
  | { kind: "enum"; name: string }
  | { kind: "ref"; cls: string }
  | { kind: "set"; of: XType }
  | { kind: "map"; key: XType; value: XType }
  | { kind: "record"; cls: string }
  | { kind: "option"; of: XType };

function loadJson(): { classes: Array<Omit<ClassDef, "fieldMap" | "messageMap">>; enums: Record<string, string[]> } {
  // data/ sits next to the sources; compiled code runs from dist/sim, so look in both places.
  const candidates = [path.join(__dirname, "data", "datamodel.json"), path.join(__dirname, "..", "..", "sim", "data", "datamodel.json")];
  for (const c of candidates) if (fs.existsSync(c)) return JSON.parse(fs.readFileSync(c, "utf8"));
  throw new Error("sim: datamodel.json not found next to " + __dirname);
}

export class Datamodel {
  readonly classes = new Map<string, ClassDef>();
  readonly enums: Record<string, string[]>;
  private lower = new Map<string, string>();
  private typeCache = new Map<string, XType>();

  constructor() {
    const raw = loadJson();
    this.enums = raw.enums;
    for (const c of raw.classes) {
      const def: ClassDef = { ...c, fieldMap: new Map(c.fields.map((f) => [f.name, f])), messageMap: new Map(c.messages.map((m) => [m.name, m])) };
      this.classes.set(c.name, def);
      this.lower.set(c.name.toLowerCase(), c.name);
    }
  }

  /** Canonical class name, accepting any case ("vm" -> "VM"); undefined if unknown. */
  canonical(name: string): string | undefined { return this.classes.has(name) ? name : this.lower.get(name.toLowerCase()); }

  cls(name: string): ClassDef {
    const c = this.classes.get(this.canonical(name) ?? "");
    if (!c) throw new Error("sim: unknown class " + name);
    return c;
  }

  parseType(t: string): XType {
    let r = this.typeCache.get(t);
    if (!r) { r = this.parse(t.trim()); this.typeCache.set(t, r); }
    return r;
  }

  private parse(t: string): XType {
    if (t.endsWith(" set")) return { kind: "set", of: this.parseType(t.slice(0, -4)) };
    if (t.endsWith(" option")) return { kind: "option", of: this.parseType(t.slice(0, -7)) };
    if (t.endsWith(" map") && t.startsWith("(")) {
      const inner = t.slice(1, t.lastIndexOf(")"));
      // split at the top-level "->"
      let depth = 0;
      for (let i = 0; i < inner.length - 1; i++) {
        if (inner[i] === "(") depth++; else if (inner[i] === ")") depth--;
        else if (depth === 0 && inner.startsWith("->", i)) return { kind: "map", key: this.parseType(inner.slice(0, i)), value: this.parseType(inner.slice(i + 2)) };
      }
    }
    if (t.endsWith(" ref")) return { kind: "ref", cls: t.slice(0, -4) };
    if (t.endsWith(" record")) return { kind: "record", cls: t.slice(0, -7) };
    if (t.startsWith("enum ")) return { kind: "enum", name: t.slice(5) };
    if (t === "string" || t === "int" || t === "float" || t === "bool" || t === "datetime") return { kind: t };
    return { kind: "any" };
  }
}

let shared: Datamodel | undefined;
/** The datamodel is immutable, so all simulators in a process share one copy. */
export function datamodel(): Datamodel { return (shared ??= new Datamodel()); }
