import assert from "node:assert/strict";
import type { Simulator, TripAction } from "../../../sim";
import { PulumiProject, ResourceDeclaration } from "../pulumi-harness";
import { killTree } from "./kill-tree";

/**
 * The fault matrix: for one operation (a `pulumi up` that takes the program from `before` to `after`), every write
 * call it makes, and every fault at that call. Kill points are chosen by call count: a clean run logs the writes
 * in order (the simulator's trip wire), then each cell arms the Nth. After the fault, the README's recovery
 * ("When a run is interrupted") is run, and the cell holds when:
 *   - the recovery `pulumi up` succeeds and `pulumi preview --expect-no-changes` passes;
 *   - after `pulumi destroy`, the simulator holds no VM, VDI, VBD, VIF, SR or PBD the run made, and lost none it had;
 *     and files outside xapi (dom0 trees) are as they were.
 */
export interface Scenario {
  name: string;
  /** What the program declares before the operation (applied without faults). */
  before: ResourceDeclaration[];
  /** What it declares for the operation under test. */
  after: ResourceDeclaration[];
  /** Files outside xapi the run may write (e.g. dom0 file trees), as one listing: compared before and after. */
  files?: () => Promise<string>;
}

export interface Cell {
  scenario: string;
  /** 1-based index of the write call, and its method. */
  at: number;
  method: string;
  action: TripAction;
}

export interface CellResult extends Cell {
  /** How the faulted run ended: "killed", or its exit code. */
  faulted: string;
  /** The recovery steps run, in order. */
  recovery: string[];
  leaked: string[];
  lost: string[];
  /** Whether the files outside xapi are as they were before the cell (true when the scenario has none). */
  filesRestored: boolean;
}

const CLASSES = ["VM", "VDI", "VBD", "VIF", "SR", "PBD"] as const;

/** Every object of the classes a run can make: `class ref` → a label for the report. */
function objects(sim: Simulator): Map<string, string> {
  return new Map(CLASSES.flatMap((cls) => sim.db.all(cls).map((o) => [`${cls} ${o.ref}`, `${cls} "${String(o.record.name_label ?? "")}" ${String(o.record.uuid)}`] as const)));
}

/** The write calls the operation makes in a run without faults (the matrix's rows). */
export async function writesOf(sim: Simulator, project: PulumiProject, scenario: Scenario): Promise<string[]> {
  project.declare(scenario.before);
  if (scenario.before.length) await project.up();
  sim.faults.arm({ at: 0, action: "kill" });
  project.declare(scenario.after);
  await project.up();
  const log = sim.faults.writeLog();
  await project.ok(["destroy", "--yes", "--skip-preview"]);
  return log;
}

/** The cells for a scenario's writes: every write with kill, restart and drop; async ones also with a failing task. */
export function cellsOf(scenario: Scenario, writes: string[]): Cell[] {
  return writes.flatMap((method, i) => {
    const actions: TripAction[] = ["kill", "restart", "drop", ...(method.startsWith("Async.") ? (["fail-task"] as const) : [])];
    return actions.map((action) => ({ scenario: scenario.name, at: i + 1, method, action }));
  });
}

/** Runs one cell from an empty stack and leaves the stack empty again. */
export async function runCell(sim: Simulator, project: PulumiProject, scenario: Scenario, cell: Cell): Promise<CellResult> {
  const baseline = objects(sim);
  const filesBefore = await scenario.files?.();
  project.declare(scenario.before);
  if (scenario.before.length) await project.up();

  let pid = 0;
  let killed = false;
  sim.faults.arm({ at: cell.at, action: cell.action, onTrip: () => { killed = true; killTree(pid); } });
  project.declare(scenario.after);
  const faulted = await project.run(["up", "--yes", "--skip-preview"], (p) => (pid = p));
  const tripped = sim.faults.tripped();
  sim.faults.arm({ at: 0, action: "kill" }); // disarmed: logs only
  assert.equal(tripped, cell.method, `the fault hit write ${cell.at} (${cell.method}); the run:\n${faulted.stdout}\n${faulted.stderr}`);

  // The README's recovery: `pulumi up` again; where Pulumi asks for it (a killed run's lock, its pending
  // creates), `pulumi cancel` or `pulumi refresh --clear-pending-creates` first, then `pulumi up`.
  const recovery: string[] = [];
  let up = await project.run(["up", "--yes", "--skip-preview"]);
  recovery.push("up");
  for (let asked = 0; up.code !== 0 && asked < 2; asked++) {
    const said = up.stdout + up.stderr;
    if (/currently locked/.test(said)) {
      await project.ok(["cancel", "--yes"]);
      recovery.push("cancel");
    } else if (/pending/i.test(said)) {
      await project.ok(["refresh", "--yes", "--clear-pending-creates", "--skip-preview"]);
      recovery.push("refresh --clear-pending-creates");
    } else break;
    up = await project.run(["up", "--yes", "--skip-preview"]);
    recovery.push("up");
  }
  assert.equal(up.code, 0, `recovery up after ${cell.action} at ${cell.method} (#${cell.at}):\n${up.stdout}\n${up.stderr}`);
  const quiet = await project.run(["preview", "--expect-no-changes"]);
  assert.equal(quiet.code, 0, `preview after recovery from ${cell.action} at ${cell.method} (#${cell.at}):\n${quiet.stdout}\n${quiet.stderr}`);
  await project.ok(["destroy", "--yes", "--skip-preview"]);

  const now = objects(sim);
  const filesAfter = await scenario.files?.();
  return {
    filesRestored: filesAfter === filesBefore,
    ...cell,
    faulted: killed ? "killed" : `exit ${faulted.code}`,
    recovery,
    leaked: [...now].filter(([key]) => !baseline.has(key)).map(([, label]) => label),
    lost: [...baseline].filter(([key]) => !now.has(key)).map(([, label]) => label),
  };
}

/** The matrix as a table, for the test's output. */
export function formatMatrix(results: CellResult[]): string {
  const rows = results.map((r) =>
    `| ${r.scenario} | ${r.at} | ${r.method} | ${r.action} | ${r.faulted} | ${r.recovery.join(", ")} | ${r.leaked.length} | ${r.lost.length} | ${r.filesRestored ? "yes" : "NO"} |`);
  return ["| operation | # | write call | fault | faulted run | recovery | leaked | lost | files as before |", "|---|---|---|---|---|---|---|---|---|", ...rows].join("\n");
}
