/**
 * A pool's database as data, and back: what `pulumi-xen sim --state-dir` writes so that a restarted simulator
 * serves the same objects (same refs and uuids). Sessions are left out: like a toolstack restart, a restart of the
 * simulator logs every client out. Tasks still pending when the snapshot was taken fail on restore.
 */
import type { SimState } from "./state";
import type { SimSnapshot } from "./spec";
import { failTask } from "./tasks";

export function snapshotState(st: SimState): SimSnapshot {
  return { poolRef: st.poolRef, hostRefs: st.hosts.map((h) => h.ref), domidCounter: st.domidCounter, ...st.db.dump(["session"]) };
}

export function restoreState(st: SimState, snap: SimSnapshot): void {
  st.db.load({ gen: snap.gen, objects: snap.objects });
  st.poolRef = snap.poolRef;
  st.domidCounter = snap.domidCounter;
  for (const task of st.db.find("task", (r) => r.status === "pending")) failTask(st, task, ["INTERNAL_ERROR", "the simulator restarted while the task ran"]);
}
