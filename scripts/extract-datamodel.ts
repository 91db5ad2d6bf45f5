/**
 * Trims xapi's published datamodel (xenapi.json) and SM error table down to what the simulator needs
 * and writes them as data into sim/data/. Run after `tsc`:
 *   node dist/scripts/extract-datamodel.js /work/shared/xenapi sim/data
 * Defaults are converted here from xapi's OCaml-ish notation ('{}', '""', 'Null', '0.', enum names)
 * into the simulator's stored wire form (ints as strings, datetimes as "YYYYMMDDTHH:MM:SSZ").
 */
import * as fs from "fs";
import * as path from "path";

interface SrcField { name: string; type: string; qualifier: string; default?: string; lifecycle: { state: string } }
interface SrcMessage { name: string; params: Array<{ name: string; type: string }>; result: string[]; implicit: boolean; lifecycle: { state: string } }
interface SrcClass { name: string; fields: SrcField[]; messages: SrcMessage[]; enums: Array<{ name: string; values: Array<{ name: string }> }> }

function zeroOf(type: string, enums: Map<string, string[]>): unknown {
  if (type.endsWith(" set")) return [];
  if (type.endsWith(" map")) return {};
  if (type.endsWith(" ref")) return "OpaqueRef:NULL";
  if (type.startsWith("enum ")) return (enums.get(type.slice(5)) ?? [""])[0];
  switch (type) {
    case "string": return "";
    case "int": return "0";
    case "float": return 0;
    case "bool": return false;
    case "datetime": return "19700101T00:00:00Z";
    default: return "";
  }
}

function unquote(s: string): string {
  s = s.trim();
  return s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}

// Parses a datamodel default ("{}", "{\"a\" -> \"b\"}", "{0}", "Null", "0.", "\"()\"", enum value ...).
function parseDefault(def: string, type: string, enums: Map<string, string[]>): unknown {
  if (type.endsWith(" set")) {
    const inner = def.trim().replace(/^\{|\}$/g, "").trim();
    return inner === "" ? [] : inner.split(",").map((x) => unquote(x));
  }
  if (type.endsWith(" map")) {
    const inner = def.trim().replace(/^\{|\}$/g, "").trim();
    const out: Record<string, string> = {};
    if (inner !== "") for (const kv of inner.split(",")) { const [k, v] = kv.split("->"); out[unquote(k)] = unquote(v); }
    return out;
  }
  if (type.endsWith(" ref")) return def === "Null" || def === "" ? "OpaqueRef:NULL" : unquote(def);
  switch (type) {
    case "int": return String(parseInt(def, 10));
    case "float": return parseFloat(def);
    case "bool": return def === "true";
    case "string": return unquote(def);
    case "datetime": return unquote(def);
    default: return type.startsWith("enum ") ? unquote(def) : zeroOf(type, enums);
  }
}

function main(): void {
  const [src = "/work/shared/xenapi", out = "sim/data"] = process.argv.slice(2);
  const classes = JSON.parse(fs.readFileSync(path.join(src, "xenapi.json"), "utf8")) as SrcClass[];
  const enums = new Map<string, string[]>();
  for (const c of classes) for (const e of c.enums) enums.set(e.name, e.values.map((v) => v.name));
  const trimmed = classes.map((c) => ({
    name: c.name,
    // Removed fields/messages are not served by xapi any more.
    fields: c.fields.filter((f) => f.lifecycle.state !== "Removed_s").map((f) => ({
      name: f.name, type: f.type, qualifier: f.qualifier,
      default: f.default === undefined ? zeroOf(f.type, enums) : parseDefault(f.default, f.type, enums),
    })),
    messages: c.messages.filter((m) => m.lifecycle.state !== "Removed_s").map((m) => ({
      name: m.name, implicit: m.implicit, result: m.result[0],
      params: m.params.map((p) => [p.name, p.type]),
    })),
  }));
  const enumObj: Record<string, string[]> = {};
  for (const [k, v] of [...enums.entries()].sort()) enumObj[k] = v;
  fs.mkdirSync(out, { recursive: true });
  // One class per line keeps diffs readable without pretty-printing 1 MB of JSON.
  const body = "{\"classes\":[\n" + trimmed.map((c) => JSON.stringify(c)).join(",\n") + "\n],\n\"enums\":" + JSON.stringify(enumObj) + "}\n";
  fs.writeFileSync(path.join(out, "datamodel.json"), body);

  // SM error table: name -> {code, description}, used to build SR_BACKEND_FAILURE_<n>.
  const xml = fs.readFileSync(path.join(src, "XE_SR_ERRORCODES.xml"), "utf8");
  const sm: Record<string, { code: number; description: string }> = {};
  for (const m of xml.matchAll(/<code>\s*<name>([^<]+)<\/name>\s*<description>([^<]*)<\/description>\s*<value>(\d+)<\/value>\s*<\/code>/g)) {
    sm[m[1].trim()] = { code: parseInt(m[3], 10), description: m[2].trim() };
  }
  fs.writeFileSync(path.join(out, "sm-errors.json"), JSON.stringify(sm, null, 0).replace(/},/g, "},\n") + "\n");
  process.stdout.write(`wrote ${trimmed.length} classes, ${Object.keys(sm).length} SM error codes to ${out}\n`);
}

main();
