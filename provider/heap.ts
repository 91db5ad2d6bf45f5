import * as v8 from "node:v8";
import * as vm from "node:vm";

/**
 * Keeps the dynamic-provider process's memory close to what it holds. What the provider keeps grows by about
 * 0.01 MiB per VM (the pool view's records), but every XenAPI answer is parsed into short-lived objects, and V8
 * lets such garbage grow the heap for as long as a run lasts: measured at 10 ms per call, the process peaked
 * 0.5 MiB higher per VM of the stack while holding no more. So the process collects when the heap has grown by
 * GARBAGE_BUDGET since the last collection: its peak stays at what it holds plus that budget, for a few ms of
 * collection per 16 MiB parsed. Where V8 does not let a running process collect on request, nothing changes.
 */
const GARBAGE_BUDGET = 16 * 1024 * 1024;
const CHECK_MS = 250;
let started = false;

/** Starts the bound (once per process; the timer never keeps the process alive). */
export function boundHeapGrowth(): void {
  if (started) return;
  started = true;
  const gc = collector();
  if (!gc) return;
  let live = v8.getHeapStatistics().used_heap_size;
  setInterval(() => {
    if (v8.getHeapStatistics().used_heap_size - live < GARBAGE_BUDGET) return;
    gc();
    live = v8.getHeapStatistics().used_heap_size;
  }, CHECK_MS).unref();
}

/** V8's full collection: the global `gc` where node runs with --expose-gc, else asked of V8 at run time. */
function collector(): (() => void) | undefined {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === "function") return existing;
  try {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as unknown;
    return typeof gc === "function" ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}
