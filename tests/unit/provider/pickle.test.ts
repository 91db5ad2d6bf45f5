/**
 * The restricted pickle reader and the protocol 0 writer (pure: no simulator, no sshd), against pickles that real
 * Python 2.7 (cPickle, as nova's plug-ins use) and Python 3 write at test time, for every protocol they have.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pickle0, PickleError, pyRepr, PyTuple, PyValue, unpickle } from "../../../provider/resources/pickle";
import { python27, python3, runPython } from "../pythons";

/** Python literal (valid in 2.7 and 3) → what the reader must give. */
const CASES: Array<[string, PyValue]> = [
  ["'1.3'", "1.3"],
  ["None", null],
  ["True", true],
  ["False", false],
  ["0", 0],
  ["-1", -1],
  ["255", 255],
  ["65536", 65536],
  ["2**31", 2 ** 31],
  ["-2**31 - 1", -(2 ** 31) - 1],
  ["2**64", 2n ** 64n],
  ["-2**70", -(2n ** 70n)],
  ["1.5", 1.5],
  ["-0.1", -0.1],
  ["1e300", 1e300],
  ["u'caf\\xe9 \\u2603 \\U0001f600'", "café ☃ 😀"],
  ["'quote \\' \"dq\" back\\\\slash\\nnew\\tline'", "quote ' \"dq\" back\\slash\nnew\tline"],
  ["[1, 'a', [2, []]]", [1, "a", [2, []]]],
  ["()", new PyTuple([])],
  ["(1,)", new PyTuple([1])],
  ["(1, 2, 3, 4)", new PyTuple([1, 2, 3, 4])],
  ["{'args': (), 'kwargs': {}}", new Map<PyValue, PyValue>([["args", new PyTuple([])], ["kwargs", new Map()]])],
  ["{1: 'x', (2, 3): [None]}", new Map<PyValue, PyValue>([[1, "x"], [new PyTuple([2, 3]), [null]]])],
  ["[{'k': 'v'}] * 2", [new Map([["k", "v"]]), new Map([["k", "v"]])]],
];

/** Every case pickled by `python` at each protocol: [case index, protocol, pickle]. */
function pickledBy(python: string, protocols: number[], py2: boolean): Array<[number, number, Buffer]> {
  const code = `
import sys, base64
${py2 ? "import cPickle as pickle" : "import pickle"}
out = sys.stdout if ${py2 ? "True" : "False"} else sys.stdout.buffer
for i, v in enumerate([${CASES.map(([lit]) => lit).join(", ")}]):
    for p in [${protocols.join(", ")}]:
        out.write(("%d %d " % (i, p)).encode("ascii") + base64.b64encode(pickle.dumps(v, p)) + b"\\n")
`;
  return runPython(python, code)
    .toString("ascii")
    .trim()
    .split("\n")
    .map((l) => {
      const [i, p, b64] = l.split(" ");
      return [Number(i), Number(p), Buffer.from(b64, "base64")];
    });
}

describe("unpickle reads what Python writes (plain values only)", () => {
  it("Python 2.7 cPickle, protocols 0, 1 and 2 (nova's plug-ins answer with protocol 0)", () => {
    const all = pickledBy(python27(), [0, 1, 2], true);
    assert.equal(all.length, CASES.length * 3);
    for (const [i, p, data] of all) assert.deepEqual(unpickle(data), CASES[i][1], `${CASES[i][0]} at protocol ${p}`);
    // What nova_plugin_version answers (a str at protocol 0), as the XML-RPC string carries it.
    const answer = all.find(([i, p]) => i === 0 && p === 0)![2].toString("latin1");
    assert.match(answer, /^S'1\.3'\n/);
    assert.equal(unpickle(answer), "1.3");
  });

  it("Python 3, protocols 0 to 5 and its default, bytes included", () => {
    const all = pickledBy(python3(), [0, 1, 2, 3, 4, 5, -1], false);
    assert.equal(all.length, CASES.length * 7);
    for (const [i, p, data] of all) assert.deepEqual(unpickle(data), CASES[i][1], `${CASES[i][0]} at protocol ${p}`);
    const bytes = runPython(python3(), "import sys, pickle\nfor p in (3, 4, 5): sys.stdout.buffer.write(pickle.dumps(b'\\x00\\xff ok', p).hex().encode() + b'\\n')");
    for (const hex of bytes.toString().trim().split("\n")) assert.deepEqual(unpickle(Buffer.from(hex, "hex")), Buffer.from([0, 0xff, 0x20, 0x6f, 0x6b]));
  });

  it("keeps shared references (memo) as shared", () => {
    const data = runPython(python3(), "import sys, pickle\nx = [1]\nsys.stdout.buffer.write(pickle.dumps([x, x], 2))");
    const v = unpickle(data) as PyValue[][];
    assert.equal(v[0], v[1]);
  });
});

describe("unpickle refuses anything but plain values", () => {
  it("a GLOBAL os.system pickle is refused, naming the opcode and the global, and runs nothing", () => {
    const evil = "cos\nsystem\n(S'touch /tmp/pulumi-xen-pwned'\ntR.";
    assert.throws(() => unpickle(evil), (e: Error) => {
      assert.ok(e instanceof PickleError);
      assert.match(e.message, /byte 0: opcode GLOBAL "os\.system" would build an arbitrary Python object; only plain values/);
      return true;
    });
    assert.throws(() => unpickle(Buffer.from(evil)), /GLOBAL "os\.system"/);
  });

  it("objects Python writes with REDUCE, STACK_GLOBAL, BUILD, INST, OBJ, sets and bytes-through-GLOBAL are refused", () => {
    const py3 = (expr: string, p: number) => runPython(python3(), `import sys, pickle, collections\nsys.stdout.buffer.write(pickle.dumps(${expr}, ${p}))`);
    assert.throws(() => unpickle(py3("ValueError('x')", 2)), /opcode GLOBAL "builtins\.ValueError"|opcode GLOBAL "exceptions\.ValueError"/);
    assert.throws(() => unpickle(py3("ValueError('x')", 4)), /opcode STACK_GLOBAL/);
    assert.throws(() => unpickle(py3("collections.OrderedDict(a=1)", 4)), /opcode STACK_GLOBAL/);
    assert.throws(() => unpickle(py3("{1, 2}", 4)), /opcode EMPTY_SET/);
    assert.throws(() => unpickle(py3("b'abc'", 0)), /opcode GLOBAL "_codecs\.encode"/);
    const py2 = runPython(python27(), "import sys, cPickle\nclass A:\n    pass\nsys.stdout.write(cPickle.dumps(A(), 0))");
    assert.throws(() => unpickle(py2), /opcode INST "__main__\.A"/);
    const py2new = runPython(python27(), "import sys, cPickle\nclass B(object):\n    pass\nsys.stdout.write(cPickle.dumps(B(), 2))");
    assert.throws(() => unpickle(py2new), /opcode GLOBAL "copy_reg\._reconstructor"|opcode GLOBAL "__main__\.B"/);
    assert.throws(() => unpickle("(i__main__\nA\n(dp0\nb."), /opcode INST/);
    assert.throws(() => unpickle("N(o."), /opcode OBJ/);
    assert.throws(() => unpickle("N}b."), /opcode BUILD/);
  });

  it("malformed pickles fail with a reason, never a partial value", () => {
    assert.throws(() => unpickle(""), /ends without STOP/);
    assert.throws(() => unpickle("S'abc"), /no newline/);
    assert.throws(() => unpickle("S'abc\n."), /not quoted/);
    assert.throws(() => unpickle("I12x\n."), /not an integer/);
    assert.throws(() => unpickle("g7\n."), /memo 7 was never stored/);
    assert.throws(() => unpickle("NN."), /values left on the stack/);
    assert.throws(() => unpickle("\x80\x07N."), /unsupported pickle protocol 7/);
    assert.throws(() => unpickle("(]]d."), /unhashable dict key/);
    assert.throws(() => unpickle("1.2"), /byte 0: no MARK|stack underflow|unknown opcode/);
    assert.throws(() => unpickle("V\u2603\n."), /beyond one byte/);
  });
});

describe("pickle0 writes what Python 2.7 and 3 read", () => {
  const value = new Map<PyValue, PyValue>([
    ["args", new PyTuple([])],
    ["kwargs", new Map()],
  ]);
  it("nova's call_plugin_serialized params: {'args': (), 'kwargs': {}} at protocol 0, ASCII", () => {
    const p = pickle0(value);
    assert.match(p, /^[\x20-\x7e\n]*$/);
    assert.deepEqual(unpickle(p), value);
    // As nova's plug-in helper does with it: unpickle, then call fn(session, *args, **kwargs).
    const code = (pk: string) =>
      `import sys\n${pk}\np = pickle.loads(sys.stdin.read()${pk.includes("cPickle") ? "" : ".encode('latin-1')"})\n` +
      `def get_version(session, *a, **k):\n    return repr((a, k))\nsys.stdout.write(get_version('OpaqueRef:s', *p['args'], **p['kwargs']) + ' ' + repr(sorted(p.keys())))`;
    assert.equal(runPython(python27(), code("import cPickle as pickle"), Buffer.from(p)).toString(), "((), {}) ['args', 'kwargs']");
    assert.equal(runPython(python3(), code("import pickle"), Buffer.from(p)).toString(), "((), {}) ['args', 'kwargs']");
  });

  it("round-trips plain values through Python (repr compared)", () => {
    const v: PyValue = [null, true, false, 7, -(2 ** 40), 2n ** 80n, 1.25, "it's \\ \n\t\x01", "caf\u00e9 \u2603 \ud83d\ude00", new PyTuple([1]), new Map([["k", [1, 2]]])];
    const p = pickle0(v);
    const py3 = runPython(python3(), "import sys, pickle\nsys.stdout.write(ascii(pickle.loads(sys.stdin.buffer.read())))", Buffer.from(p)).toString();
    assert.equal(py3, "[None, True, False, 7, -1099511627776, 1208925819614629174706176, 1.25, \"it's \\\\ \\n\\t\\x01\", 'caf\\xe9 \\u2603 \\U0001f600', (1,), {'k': [1, 2]}]");
    const py2 = runPython(python27(), "import sys, cPickle\nsys.stdout.write(repr(cPickle.loads(sys.stdin.read())))", Buffer.from(p)).toString();
    assert.equal(py2, "[None, True, False, 7, -1099511627776L, 1208925819614629174706176L, 1.25, \"it's \\\\ \\n\\t\\x01\", u'caf\\xe9 \\u2603 \\U0001f600', (1,), {'k': [1, 2]}]");
    assert.deepEqual(unpickle(p), v);
  });

  it("pyRepr shows decoded values as Python would", () => {
    assert.equal(pyRepr(unpickle("(dp0\nS'a'\np1\n(I1\nI2\ntp2\ns.")), "{'a': (1, 2)}");
    assert.equal(pyRepr([null, true, "x'y", Buffer.from("ab\x00"), new PyTuple(["z"])]), "[None, True, 'x\\'y', b'ab\\x00', ('z',)]");
  });
});
