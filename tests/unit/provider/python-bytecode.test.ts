/** Which byte-code files belong to the modules a resource installed (pure): only those, never a neighbour's. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { moduleStems, pycacheEntriesOf } from "../../../provider/resources/python-bytecode";

describe("Python byte-code of installed modules", () => {
  it("only .py files that Python can import have byte-code", () => {
    assert.deepEqual(moduleStems(["nova_plugin_version", "utils.py", "xenhost", "vif_rules.py", "bad-name.py", "x.y.py", "notes.pyc"]), ["utils", "vif_rules"]);
  });

  it("__pycache__ entries of a module: every interpreter tag and optimization level, nothing of another module", () => {
    const entries = [
      "utils.cpython-311.pyc",
      "utils.cpython-36.opt-1.pyc",
      "utils.pypy39.pyc",
      "utils_extra.cpython-311.pyc",
      "utilsx.cpython-311.pyc",
      "vendorlib.cpython-311.pyc",
      "utils.cpython-311.pyc.bak",
      "utils.pyc",
      "utils.cpython-311.extra.pyc",
    ];
    assert.deepEqual(pycacheEntriesOf("utils", entries), ["utils.cpython-311.pyc", "utils.cpython-36.opt-1.pyc", "utils.pypy39.pyc"]);
  });
});
