/**
 * Commands as argument vectors: whatever a name holds (spaces, quotes, `$()`, backticks, `;`, newlines, globs),
 * it reaches the dom0 as one argument, never as shell.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, it } from "node:test";
import { Dom0CommandError, Dom0Error, Dom0Session, shellCommand, shellQuote, withDom0 } from "../../../provider/dom0";
import { connectionOf, useDom0TestHosts } from "./helpers";

const HOSTILE = [
  "plain",
  "with space",
  "it's",
  'double "quoted"',
  "$(touch /tmp/pwned-subst)",
  "`touch /tmp/pwned-backtick`",
  "; touch /tmp/pwned-semicolon",
  "&& touch /tmp/pwned-and",
  "| touch /tmp/pwned-pipe",
  "$HOME ${PATH} $((1+1))",
  "*",
  "~root",
  "line\nbreak; touch /tmp/pwned-newline",
  "back\\slash",
  "-n",
  "",
  "'; touch /tmp/pwned-quote; '",
  "ünïcødé ✓",
];

describe("shellQuote", () => {
  it("leaves plain words alone and single-quotes everything else", () => {
    assert.equal(shellQuote("/etc/xapi.d/plugins"), "/etc/xapi.d/plugins");
    assert.equal(shellQuote("a b"), "'a b'");
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
    assert.equal(shellQuote(""), "''");
    assert.equal(shellQuote("A=b"), "'A=b'", "never an assignment word");
    assert.equal(shellCommand(["echo", "$(x)"]), "echo '$(x)'");
  });

  it("refuses a NUL byte and an empty argv", () => {
    assert.throws(() => shellQuote("a\0b"), /NUL/);
    assert.throws(() => shellCommand([]), /empty/);
  });
});

describe("running commands on a dom0", () => {
  const t = useDom0TestHosts(["exec-a"]);
  const markers = () => fs.readdirSync(t.hosts[0].path("/tmp")).filter((f) => f.startsWith("pwned"));

  it("passes hostile names through as data: each arrives as exactly one argument", async () => {
    const [a] = t.hosts;
    await withDom0(connectionOf(a), async (s) => {
      const r = await s.runChecked(["python3", "-c", "import sys, json; print(json.dumps(sys.argv[1:]))", ...HOSTILE]);
      assert.deepEqual(JSON.parse(r.stdout), HOSTILE);
    });
    assert.deepEqual(markers(), [], "no injected command ran");
  });

  it("cannot be made to create a marker file by injection, but creates a file with that literal name", async () => {
    const [a] = t.hosts;
    await withDom0(connectionOf(a), async (s) => {
      await s.runChecked(["mkdir", "-p", "/tmp/names"]);
      for (const name of HOSTILE.filter((n) => n !== "" && !n.includes("/"))) {
        await s.runChecked(["touch", "--", `/tmp/names/${name}`]);
      }
      const injected = "x; touch /tmp/pwned-direct #";
      const r = await s.run(["ls", injected]);
      assert.notEqual(r.code, 0, "ls of a file that does not exist fails");
      assert.match(r.stderr, /x; touch \/tmp\/pwned-direct #/);
    });
    assert.deepEqual(markers(), [], "no injected command ran");
    const expected = HOSTILE.filter((n) => n !== "" && !n.includes("/")).sort();
    assert.deepEqual(fs.readdirSync(a.path("/tmp/names")).sort(), expected, "one file per name, named literally");
  });

  it("returns exit codes and stderr, passes stdin, and raises a Dom0CommandError from runChecked", async () => {
    const [a] = t.hosts;
    await withDom0(connectionOf(a), async (s: Dom0Session) => {
      const r = await s.run(["sh", "-c", 'cat; echo "to stderr" >&2; exit 3'], { stdin: "in\n" });
      assert.deepEqual({ code: r.code, stdout: r.stdout, stderr: r.stderr }, { code: 3, stdout: "in\n", stderr: "to stderr\n" });
      await assert.rejects(s.runChecked(["false"], { what: "the false step" }), (e: unknown) => {
        assert.ok(e instanceof Dom0CommandError);
        assert.equal(e.exitCode, 1);
        assert.match(e.message, new RegExp(`dom0 root@${a.address.replace(/\./g, "\\.")}:${a.port}: the false step failed \\(exit 1\\)`));
        return true;
      });
      const killed = await s.run(["sh", "-c", "kill -KILL $$"]);
      assert.equal(killed.code, 137);
      const started = Date.now();
      await assert.rejects(s.run(["sleep", "30"], { timeoutMs: 200 }), /sleep timed out after 200 ms/);
      assert.ok(Date.now() - started < 5000);
      const left = await a.exec(["sh", "-c", "sleep 0.5; ps -eo args | grep -c '^sleep 30' || true"]);
      assert.equal(left.stdout.trim(), "0", "sshd killed the command");
      await assert.rejects(s.run(["echo", "a\0b"]), (e: unknown) => e instanceof Dom0Error && e.code === "BAD_ARGUMENT");
      const big = Buffer.alloc(3 * 1024 * 1024, 7);
      const raw = await s.runRaw(["cat"], { stdin: big });
      assert.equal(raw.stdout.length, big.length);
    });
  });
});
