import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { Datamodel } from "../../../sim/datamodel";
import { VM_FIELDS } from "../../../provider/xenapi/records";

/**
 * The provider's typed XenAPI records (provider/xenapi/records.ts) against xapi's datamodel (sim/data/datamodel.json,
 * a trimmed copy of xapi's xenapi.json): every field the provider reads must exist under that name, with a
 * TypeScript type that matches what the wire carries. Pure: reads two files, no simulator.
 */
const RECORDS = path.resolve(__dirname, "..", "..", "..", "..", "provider", "xenapi", "records.ts");
const CLASS_OF: Record<string, string> = {
  PoolRecord: "pool",
  HostRecord: "host",
  SrRecord: "SR",
  PbdRecord: "PBD",
  VmRecord: "VM",
  VdiRecord: "VDI",
  VbdRecord: "VBD",
  VifRecord: "VIF",
  NetworkRecord: "network",
  GuestMetricsRecord: "VM_guest_metrics",
};

interface Declared { record: string; field: string; type: string; documented: boolean }

function declaredFields(): Declared[] {
  const source = ts.createSourceFile(RECORDS, fs.readFileSync(RECORDS, "utf8"), ts.ScriptTarget.Latest, true);
  const out: Declared[] = [];
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node) || !(node.name.text in CLASS_OF)) return;
    for (const member of node.members) {
      if (!ts.isPropertySignature(member) || !member.type) continue;
      const documented = ts.getJSDocCommentsAndTags(member).some((d) => ts.isJSDoc(d) && !!d.comment);
      out.push({ record: node.name.text, field: member.name.getText(source), type: member.type.getText(source), documented });
    }
  });
  return out;
}

/** The TypeScript types a datamodel type may be declared as (int64 and float arrive as strings or numbers). */
function acceptable(wire: string, enums: Record<string, string[]>): (declared: string) => boolean {
  if (wire === "string" || wire === "datetime") return (t) => t === "string";
  if (wire === "int" || wire === "float") return (t) => t === "string" || t === "number";
  if (wire === "bool") return (t) => t === "boolean";
  if (wire.endsWith(" ref")) return (t) => t === "Ref";
  if (wire === "string set" || wire.endsWith(" ref set")) return (t) => t === "string[]" || t === "Ref[]";
  if (wire === "(string -> string) map") return (t) => t === "StringMap" || t === "Record<string, string>";
  if (wire.startsWith("enum ")) {
    const values = enums[wire.slice("enum ".length)] ?? [];
    // A string, or a union of some of the enum's values (each must be one of them).
    return (t) => t === "string" || (t !== "" && t.split("|").every((v) => values.includes(v.trim().replace(/^"|"$/g, ""))));
  }
  return () => false;
}

describe("typed XenAPI records against xapi's datamodel", () => {
  const model = new Datamodel();
  const fields = declaredFields();

  test("the records are found (the test reads the file it means to)", () => {
    assert.deepEqual([...new Set(fields.map((f) => f.record))].sort(), Object.keys(CLASS_OF).sort());
    assert.ok(fields.length > 50, `only ${fields.length} fields read`);
  });

  test("every field exists in its class under that exact name, with a type the wire carries", () => {
    const wrong: string[] = [];
    for (const f of fields) {
      const def = model.classes.get(CLASS_OF[f.record])?.fieldMap.get(f.field);
      if (!def) {
        wrong.push(`${f.record}.${f.field}: no such field of ${CLASS_OF[f.record]}`);
        continue;
      }
      const type = f.type.replace(/^PowerState$/, '"Halted" | "Paused" | "Running" | "Suspended"');
      if (!acceptable(def.type, model.enums)(type)) wrong.push(`${f.record}.${f.field}: declared ${f.type}, the datamodel has ${def.type}`);
    }
    assert.deepEqual(wrong, []);
  });

  test("every field carries a doc comment, and VM_FIELDS (what the pool view keeps of a VM) is exactly VmRecord's", () => {
    assert.deepEqual(fields.filter((f) => !f.documented).map((f) => `${f.record}.${f.field}`), []);
    assert.deepEqual([...VM_FIELDS].sort(), fields.filter((f) => f.record === "VmRecord").map((f) => f.field).sort());
  });
});
