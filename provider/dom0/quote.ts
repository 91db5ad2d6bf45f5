/**
 * Turning an argument vector into the one command string SSH carries. The remote login shell parses that string,
 * so every argument is single-quoted: spaces, quotes, `$()`, backticks, `;`, globs and newlines reach the command
 * as data, never as shell.
 */

/** Characters that never need quoting in a POSIX shell word. */
const PLAIN = /^[A-Za-z0-9_\/.,:+@%-]+$/;

/** Quotes one argument for a POSIX shell (`sh`, `bash`). Throws on a NUL byte, which no argument can hold. */
export function shellQuote(arg: string): string {
  if (typeof arg !== "string") throw new TypeError(`shell argument must be a string, got ${typeof arg}`);
  if (arg.includes("\0")) throw new TypeError("shell argument contains a NUL byte");
  if (arg !== "" && PLAIN.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The command string that runs `argv` exactly (argv[0] is the program). */
export function shellCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new TypeError("empty argument vector");
  return argv.map(shellQuote).join(" ");
}
