/**
 * Python pickles of plain values, both ways, for nova's dom0 plug-in convention (`call_plugin_serialized`: the
 * arguments go in as a pickle, the answer comes back as one).
 *
 * - `pickle0` writes protocol 0 (ASCII text), which is what nova sends (Python 2's `pickle.dumps` default) and what
 *   every Python 2 and 3 unpickler reads; it also travels unchanged inside an XML-RPC string.
 * - `unpickle` is a restricted reader for protocols 0 to 5 that builds only plain values: None, bool, int, float,
 *   str/unicode, bytes, list, tuple and dict. Every opcode that could name or build another Python object (GLOBAL,
 *   STACK_GLOBAL, REDUCE, BUILD, INST, OBJ, NEWOBJ, extension registry, persistent ids, buffers) and sets are
 *   refused with a `PickleError`: a pickle is code for a Python unpickler, never run it as such.
 *
 * Decoded values: None → null, bool → boolean, int → number (bigint beyond 2^53), float → number, Python 2 `str`
 * and Python 3 `str` → string, Python 3 `bytes` → Buffer, list → array, tuple → `PyTuple`, dict → `Map`.
 */

/** A Python tuple (as opposed to a list, which is a plain array), so that it is written back as a tuple. */
export class PyTuple {
  constructor(
    /** The tuple's elements, in order. */
    readonly items: PyValue[],
  ) {}
}

export type PyValue = null | boolean | number | bigint | string | Buffer | PyValue[] | PyTuple | Map<PyValue, PyValue>;

export class PickleError extends Error {}

// ---------------------------------------------------------------------------------------------------------------
// Writing (protocol 0)

/**
 * Protocol 0 pickle of a plain value: null, boolean, number, bigint, string, array (a list), `PyTuple`, `Map` or
 * plain object (a dict). Strings are written as Python 2 `str` when ASCII (as nova's own pickles are), else as
 * unicode.
 */
export function pickle0(value: unknown): string {
  return `${write(value, 0)}.`;
}

function write(v: unknown, depth: number): string {
  if (depth > 100) throw new PickleError("pickle0: value nested too deep");
  if (v === null || v === undefined) return "N";
  if (typeof v === "boolean") return v ? "I01\n" : "I00\n";
  if (typeof v === "bigint") return `L${v}L\n`;
  if (typeof v === "number") {
    if (Number.isInteger(v) && Math.abs(v) < 2 ** 31) return `I${v}\n`;
    if (Number.isInteger(v) && Number.isSafeInteger(v)) return `L${v}L\n`;
    if (Number.isNaN(v)) return "Fnan\n";
    if (!Number.isFinite(v)) return v > 0 ? "Finf\n" : "F-inf\n";
    return `F${v}\n`;
  }
  if (typeof v === "string") return /^[\x00-\x7f]*$/.test(v) ? `S'${escapeStr(v)}'\n` : `V${escapeUnicode(v)}\n`;
  if (Array.isArray(v)) return `(l${v.map((x) => `${write(x, depth + 1)}a`).join("")}`;
  if (v instanceof PyTuple) return `(${v.items.map((x) => write(x, depth + 1)).join("")}t`;
  const entries = v instanceof Map ? [...v.entries()] : typeof v === "object" ? Object.entries(v as object) : undefined;
  if (!entries) throw new PickleError(`pickle0: cannot pickle a ${typeof v}`);
  return `(d${entries.map(([k, x]) => `${write(k, depth + 1)}${write(x, depth + 1)}s`).join("")}`;
}

/** The body of a Python 2 `repr` of an ASCII str in single quotes. */
function escapeStr(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === "\\" || ch === "'") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out;
}

/** raw-unicode-escape with every non-ASCII character (and those a line cannot hold) escaped: the pickle stays ASCII. */
function escapeUnicode(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c > 0xffff) out += `\\U${c.toString(16).padStart(8, "0")}`;
    else if (c > 0x7e || c < 0x20 || ch === "\\") out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading (protocols 0-5, plain values only)

const MAX_PICKLE = 4 * 1024 * 1024;
const MARK = Symbol("mark");
type Slot = PyValue | typeof MARK;

/** Opcodes that name or build arbitrary Python objects, or values this reader does not take: refused. */
const REFUSED: Record<string, string> = {
  c: "GLOBAL",
  "\x93": "STACK_GLOBAL",
  R: "REDUCE",
  b: "BUILD",
  i: "INST",
  o: "OBJ",
  "\x81": "NEWOBJ",
  "\x92": "NEWOBJ_EX",
  "\x82": "EXT1",
  "\x83": "EXT2",
  "\x84": "EXT4",
  P: "PERSID",
  Q: "BINPERSID",
  "\x8f": "EMPTY_SET",
  "\x90": "ADDITEMS",
  "\x91": "FROZENSET",
  "\x96": "BYTEARRAY8",
  "\x97": "NEXT_BUFFER",
  "\x98": "READONLY_BUFFER",
};

const PLAIN = "only plain values (None, bool, int, float, str, bytes, list, tuple, dict) are accepted";

/**
 * Reads a pickle (a Buffer, or a string whose characters are bytes, as an XML-RPC string carries protocol 0)
 * into plain values; throws `PickleError` naming the byte offset and the opcode for anything else.
 */
export function unpickle(input: Buffer | string): PyValue {
  let data: Buffer;
  if (typeof input === "string") {
    if (/[^\x00-\xff]/.test(input)) throw new PickleError("not a pickle: the text holds characters beyond one byte");
    data = Buffer.from(input, "latin1");
  } else data = input;
  if (data.length > MAX_PICKLE) throw new PickleError(`pickle of ${data.length} bytes refused (limit ${MAX_PICKLE})`);
  return new Reader(data).run();
}

class Reader {
  private pos = 0;
  private stack: Slot[] = [];
  private readonly memo = new Map<number, PyValue>();

  constructor(private readonly data: Buffer) {}

  run(): PyValue {
    for (;;) {
      const at = this.pos;
      if (at >= this.data.length) throw this.error(at, "the pickle ends without STOP");
      const op = String.fromCharCode(this.data[this.pos++]);
      if (op in REFUSED) throw this.refused(at, op);
      if (op === ".") {
        const v = this.pop(at);
        if (this.stack.length > 0) throw this.error(at, "STOP with values left on the stack");
        return v;
      }
      this.step(op, at);
    }
  }

  private step(op: string, at: number): void {
    const d = this.data;
    switch (op) {
      case "\x80": {
        const proto = this.bytes(1, at)[0];
        if (proto > 5) throw this.error(at, `unsupported pickle protocol ${proto}`);
        return;
      }
      case "\x95": this.bytes(8, at); return; // FRAME: a length hint only
      case "(": this.stack.push(MARK); return;
      case "0": this.pop(at); return;
      case "1": this.popMark(at); return;
      case "2": { const v = this.pop(at); this.stack.push(v, v); return; }
      case "N": this.stack.push(null); return;
      case "\x88": this.stack.push(true); return;
      case "\x89": this.stack.push(false); return;
      case "I": {
        const line = this.line(at);
        if (line === "01") this.stack.push(true);
        else if (line === "00") this.stack.push(false);
        else this.stack.push(this.int(line, at));
        return;
      }
      case "L": this.stack.push(this.int(this.line(at).replace(/L$/, ""), at)); return;
      case "J": this.stack.push(this.bytes(4, at).readInt32LE(0)); return;
      case "K": this.stack.push(this.bytes(1, at)[0]); return;
      case "M": this.stack.push(this.bytes(2, at).readUInt16LE(0)); return;
      case "\x8a": this.stack.push(narrow(longLE(this.bytes(this.bytes(1, at)[0], at)))); return;
      case "\x8b": this.stack.push(narrow(longLE(this.bytes(this.len32(at), at)))); return;
      case "F": {
        const line = this.line(at);
        if (!/^[-+]?((\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|inf|nan)$/i.test(line)) throw this.error(at, `FLOAT ${JSON.stringify(line)} is not a number`);
        this.stack.push(/inf/i.test(line) ? (line.startsWith("-") ? -Infinity : Infinity) : /nan/i.test(line) ? NaN : Number(line));
        return;
      }
      case "G": this.stack.push(this.bytes(8, at).readDoubleBE(0)); return;
      case "S": this.stack.push(text(this.quoted(this.line(at), at))); return;
      case "T": this.stack.push(text(this.bytes(this.len32(at), at))); return;
      case "U": this.stack.push(text(this.bytes(this.bytes(1, at)[0], at))); return;
      case "V": this.stack.push(this.rawUnicode(this.line(at), at)); return;
      case "X": this.stack.push(this.utf8(this.bytes(this.len32(at), at), at)); return;
      case "\x8c": this.stack.push(this.utf8(this.bytes(this.bytes(1, at)[0], at), at)); return;
      case "\x8d": this.stack.push(this.utf8(this.bytes(this.len64(at), at), at)); return;
      case "B": this.stack.push(Buffer.from(this.bytes(this.len32(at), at))); return;
      case "C": this.stack.push(Buffer.from(this.bytes(this.bytes(1, at)[0], at))); return;
      case "\x8e": this.stack.push(Buffer.from(this.bytes(this.len64(at), at))); return;
      case "]": this.stack.push([]); return;
      case "l": this.stack.push(this.popMark(at)); return;
      case "a": { const v = this.pop(at); this.list(at).push(v); return; }
      case "e": { const vs = this.popMark(at); this.list(at).push(...vs); return; }
      case ")": this.stack.push(new PyTuple([])); return;
      case "t": this.stack.push(new PyTuple(this.popMark(at))); return;
      case "\x85": case "\x86": case "\x87": {
        const n = op.charCodeAt(0) - 0x84;
        if (this.stack.length < n || this.stack.slice(-n).includes(MARK)) throw this.error(at, `TUPLE${n} needs ${n} values`);
        this.stack.push(new PyTuple(this.stack.splice(-n) as PyValue[]));
        return;
      }
      case "}": this.stack.push(new Map()); return;
      case "d": { const m = new Map<PyValue, PyValue>(); this.setItems(m, this.popMark(at), at); this.stack.push(m); return; }
      case "s": { const v = this.pop(at); const k = this.pop(at); this.setItems(this.dict(at), [k, v], at); return; }
      case "u": { const kvs = this.popMark(at); this.setItems(this.dict(at), kvs, at); return; }
      case "p": this.put(this.index(this.line(at), at), at); return;
      case "q": this.put(this.bytes(1, at)[0], at); return;
      case "r": this.put(this.bytes(4, at).readUInt32LE(0), at); return;
      case "\x94": this.put(this.memo.size, at); return;
      case "g": this.get(this.index(this.line(at), at), at); return;
      case "h": this.get(this.bytes(1, at)[0], at); return;
      case "j": this.get(this.bytes(4, at).readUInt32LE(0), at); return;
      default:
        throw this.error(at, `unknown opcode 0x${d[at].toString(16).padStart(2, "0")}`);
    }
  }

  private error(at: number, message: string): PickleError {
    return new PickleError(`pickle refused at byte ${at}: ${message}`);
  }

  private refused(at: number, op: string): PickleError {
    let what = REFUSED[op];
    if (op === "c" || op === "i") {
      // Show which global it names (two text lines), for the error only.
      const end = Math.min(this.data.length, this.pos + 200);
      const lines = this.data.subarray(this.pos, end).toString("latin1").split("\n").slice(0, 2);
      what += ` ${JSON.stringify(lines.join("."))}`;
    }
    return this.error(at, `opcode ${what} would build an arbitrary Python object; ${PLAIN}`);
  }

  private bytes(n: number, at: number): Buffer {
    if (n < 0 || this.pos + n > this.data.length) throw this.error(at, "the pickle is truncated");
    const b = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  private len32(at: number): number {
    const n = this.bytes(4, at).readInt32LE(0);
    if (n < 0) throw this.error(at, "negative length");
    return n;
  }

  private len64(at: number): number {
    const n = this.bytes(8, at).readBigUInt64LE(0);
    if (n > BigInt(MAX_PICKLE)) throw this.error(at, "length beyond the pickle");
    return Number(n);
  }

  private line(at: number): string {
    const end = this.data.indexOf(0x0a, this.pos);
    if (end < 0) throw this.error(at, "the pickle is truncated (a text argument has no newline)");
    const s = this.data.subarray(this.pos, end).toString("latin1");
    this.pos = end + 1;
    return s;
  }

  private int(s: string, at: number): number | bigint {
    if (!/^[-+]?\d+$/.test(s.trim())) throw this.error(at, `${JSON.stringify(s)} is not an integer`);
    return narrow(BigInt(s.trim()));
  }

  private index(s: string, at: number): number {
    if (!/^\d+$/.test(s)) throw this.error(at, `memo index ${JSON.stringify(s)} is not a number`);
    return Number(s);
  }

  private pop(at: number): PyValue {
    const v = this.stack.pop();
    if (v === undefined || v === MARK) throw this.error(at, "stack underflow");
    return v;
  }

  private popMark(at: number): PyValue[] {
    const k = this.stack.lastIndexOf(MARK);
    if (k < 0) throw this.error(at, "no MARK on the stack");
    const items = this.stack.splice(k) as PyValue[];
    return items.slice(1);
  }

  private top(at: number): PyValue {
    const v = this.stack[this.stack.length - 1];
    if (v === undefined || v === MARK) throw this.error(at, "stack underflow");
    return v;
  }

  private list(at: number): PyValue[] {
    const l = this.top(at);
    if (!Array.isArray(l)) throw this.error(at, "APPEND to something that is not a list");
    return l;
  }

  private dict(at: number): Map<PyValue, PyValue> {
    const m = this.top(at);
    if (!(m instanceof Map)) throw this.error(at, "SETITEM on something that is not a dict");
    return m;
  }

  private setItems(m: Map<PyValue, PyValue>, kvs: PyValue[], at: number): void {
    if (kvs.length % 2 !== 0) throw this.error(at, "odd number of dict items");
    for (let i = 0; i < kvs.length; i += 2) {
      const k = kvs[i];
      if (Array.isArray(k) || k instanceof Map) throw this.error(at, "unhashable dict key");
      m.set(k, kvs[i + 1]);
    }
  }

  private put(i: number, at: number): void {
    this.memo.set(i, this.top(at));
  }

  private get(i: number, at: number): void {
    if (!this.memo.has(i)) throw this.error(at, `memo ${i} was never stored`);
    this.stack.push(this.memo.get(i)!);
  }

  private utf8(b: Buffer, at: number): string {
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(b);
    } catch {
      throw this.error(at, "unicode that is not UTF-8");
    }
  }

  /** The bytes of a Python 2 str repr: '...' or "..." with backslash escapes. */
  private quoted(line: string, at: number): Buffer {
    const q = line[0];
    if ((q !== "'" && q !== '"') || line.length < 2 || line[line.length - 1] !== q) throw this.error(at, "STRING argument is not quoted");
    const body = line.slice(1, -1);
    const out: number[] = [];
    const simple: Record<string, number> = { n: 10, r: 13, t: 9, a: 7, b: 8, f: 12, v: 11, "\\": 92, "'": 39, '"': 34 };
    for (let i = 0; i < body.length; i++) {
      const ch = body[i];
      if (ch !== "\\") { out.push(ch.charCodeAt(0)); continue; }
      const e = body[++i];
      if (e === undefined) throw this.error(at, "STRING ends in a backslash");
      if (e in simple) out.push(simple[e]);
      else if (e === "x" && /^[0-9a-fA-F]{2}$/.test(body.slice(i + 1, i + 3))) { out.push(parseInt(body.slice(i + 1, i + 3), 16)); i += 2; }
      else if (/[0-7]/.test(e)) {
        const m = /^[0-7]{1,3}/.exec(body.slice(i))![0];
        out.push(parseInt(m, 8) & 0xff);
        i += m.length - 1;
      } else out.push(92, e.charCodeAt(0));
    }
    return Buffer.from(out);
  }

  /** raw-unicode-escape: latin-1 bytes, with \uXXXX and \UXXXXXXXX. */
  private rawUnicode(line: string, at: number): string {
    return line.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, u: string, U: string) => {
      const cp = parseInt(u ?? U, 16);
      if (cp > 0x10ffff) throw this.error(at, "UNICODE escape beyond U+10FFFF");
      return String.fromCodePoint(cp);
    });
  }
}

/** A Python 2 str (bytes): its text as UTF-8 when it is that, else byte for byte (latin-1). */
function text(b: Buffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(b);
  } catch {
    return b.toString("latin1");
  }
}

function longLE(b: Buffer): bigint {
  if (b.length === 0) return 0n;
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]);
  if (b[b.length - 1] & 0x80) n -= 1n << BigInt(8 * b.length);
  return n;
}

function narrow(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

// ---------------------------------------------------------------------------------------------------------------
// Display

/** A Python-like repr of a decoded value, for messages (cycles shown as `...`). */
export function pyRepr(v: PyValue, seen: Set<object> = new Set()): string {
  if (v === null) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "bigint") return `${v}`;
  if (typeof v === "number") return Number.isNaN(v) ? "nan" : !Number.isFinite(v) ? (v > 0 ? "inf" : "-inf") : `${v}`;
  if (typeof v === "string") return `'${[...v].map((ch) => (ch === "'" || ch === "\\" ? `\\${ch}` : ch < " " ? JSON.stringify(ch).slice(1, -1) : ch)).join("")}'`;
  if (Buffer.isBuffer(v)) return `b'${escapeStr(v.toString("latin1")).replace(/[\x80-\xff]/g, (c) => `\\x${c.charCodeAt(0).toString(16)}`)}'`;
  if (seen.has(v)) return "...";
  seen.add(v);
  try {
    if (Array.isArray(v)) return `[${v.map((x) => pyRepr(x, seen)).join(", ")}]`;
    if (v instanceof PyTuple) return v.items.length === 1 ? `(${pyRepr(v.items[0], seen)},)` : `(${v.items.map((x) => pyRepr(x, seen)).join(", ")})`;
    return `{${[...v.entries()].map(([k, x]) => `${pyRepr(k, seen)}: ${pyRepr(x, seen)}`).join(", ")}}`;
  } finally {
    seen.delete(v);
  }
}
