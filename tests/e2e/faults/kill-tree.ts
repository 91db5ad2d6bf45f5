import * as fs from "node:fs";

/**
 * kill -9 of every process of a run: the CLI (`root`, leader of its own process group), and every descendant,
 * wherever it put itself (language host, program, dynamic-provider process). Descendants are found from /proc and
 * stopped first, so that none can spawn more while the tree is collected; then all are killed at once.
 */
export function killTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = parentOf(Number(entry));
    if (ppid !== undefined) children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const tree: number[] = [];
  const walk = (pid: number) => {
    tree.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  for (const pid of tree) signal(pid, "SIGSTOP");
  signal(-root, "SIGKILL");
  for (const pid of tree) signal(pid, "SIGKILL");
  return tree;
}

function parentOf(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ...", where comm may hold spaces and parentheses.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined; // gone meanwhile
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}
