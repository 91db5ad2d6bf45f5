import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";

/**
 * The house standard (Pulumi's sdk/nodejs/dynamic): every field of every exported type has a doc comment. Checked
 * here on the sources: each exported interface and class of sdk/*.ts (the Args and the resources' outputs) and each
 * exported interface and class of provider/**.ts (the resources' normalized Inputs/Outputs and helpers' shapes, the
 * plugin's schema types, discover, dom0, the XenAPI client's records, errors and options, ...).
 */
const ROOT = path.resolve(__dirname, "..", "..", "..", "..");

function tsFiles(dir: string, recursive: boolean): string[] {
  return fs
    .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
    .flatMap((e) => {
      const rel = path.posix.join(dir, e.name);
      if (e.isDirectory()) return recursive ? tsFiles(rel, true) : [];
      return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [rel] : [];
    })
    .sort();
}

const isExported = (node: ts.Declaration) => (ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Export) !== 0;

/** A `/** ... *\/` comment with some text (or a tag) directly on the node; a plain `//` comment does not count. */
function hasJsDoc(node: ts.Node): boolean {
  return ts
    .getJSDocCommentsAndTags(node)
    .some((d) => ts.isJSDoc(d) && ((ts.getTextOfJSDocComment(d.comment) ?? "").trim() !== "" || (d.tags?.length ?? 0) > 0));
}

/**
 * `file: Type.field` for each property (interface property signature, or class property that is not private,
 * declared in the body or as a constructor parameter property such as `readonly code: string`) of the exported
 * interfaces (and classes, when `classes`) of `file` that has no doc comment.
 */
export function undocumentedFields(file: string, text: string, classes: boolean): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const missing: string[] = [];
  for (const s of source.statements) {
    const owner = ts.isInterfaceDeclaration(s) || (classes && ts.isClassDeclaration(s)) ? s : undefined;
    if (!owner || !owner.name || !isExported(owner)) continue;
    for (const m of owner.members as ts.NodeArray<ts.ClassElement | ts.TypeElement>) {
      if (ts.isConstructorDeclaration(m)) {
        for (const p of m.parameters) {
          if (!ts.isParameterPropertyDeclaration(p, m) || (ts.getCombinedModifierFlags(p) & ts.ModifierFlags.Private) !== 0) continue;
          if (!hasJsDoc(p)) missing.push(`${file}: ${owner.name.text}.${p.name.getText(source)}`);
        }
        continue;
      }
      if (!ts.isPropertySignature(m) && !ts.isPropertyDeclaration(m)) continue;
      if (ts.isPrivateIdentifier(m.name) || (ts.getCombinedModifierFlags(m) & ts.ModifierFlags.Private) !== 0) continue;
      if (!hasJsDoc(m)) missing.push(`${file}: ${owner.name.text}.${m.name.getText(source)}`);
    }
  }
  return missing;
}

const SURFACE: Array<{ dir: string; recursive: boolean; classes: boolean }> = [
  { dir: "sdk", recursive: false, classes: true },
  { dir: "provider", recursive: true, classes: true },
];

for (const { dir, recursive, classes } of SURFACE) {
  test(`every field of the exported ${classes ? "interfaces and classes" : "interfaces"} of ${dir}/${recursive ? "**/" : ""}*.ts has a doc comment`, () => {
    const files = tsFiles(dir, recursive);
    assert.ok(files.length > 0, `${dir} has TypeScript sources`);
    const missing = files.flatMap((f) => undocumentedFields(f, fs.readFileSync(path.join(ROOT, f), "utf8"), classes));
    assert.deepEqual(missing, [], `fields without a /** doc comment */:\n  ${missing.join("\n  ")}`);
  });
}

test("the doc-comment check itself: names each undocumented field (parameter properties too), and ignores private and unexported ones", () => {
  const text = [
    "export interface A {",
    "  /** documented */",
    "  a: string;",
    "  // a line comment is not a doc comment",
    "  b: string;",
    "  /** */",
    "  c: string;",
    "}",
    "interface Hidden { x: string }",
    "export class K {",
    "  /** documented */",
    "  public readonly k!: string;",
    "  public readonly bare!: string;",
    "  private secret = 1;",
    "  #hash = 2;",
    "  constructor(",
    "    /** documented */",
    "    readonly p: string,",
    "    readonly q: string,",
    "    public r: number,",
    "    private s: number,",
    "    plain: string,",
    "  ) {}",
    "  method(): void {}",
    "}",
  ].join("\n");
  assert.deepEqual(undocumentedFields("x.ts", text, true), ["x.ts: A.b", "x.ts: A.c", "x.ts: K.bare", "x.ts: K.q", "x.ts: K.r"]);
  assert.deepEqual(undocumentedFields("x.ts", text, false), ["x.ts: A.b", "x.ts: A.c"]);
});
