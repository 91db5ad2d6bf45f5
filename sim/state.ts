/** Shared state of one simulated pool, handed to every handler. */
import { Datamodel } from "./datamodel";
import { Db } from "./db/db";
import { Counters } from "./counters";
import { Faults } from "./faults";
import type { Sessions } from "./session";
import type { PoolSpec } from "./spec";

export interface HostEndpoint { ref: string; uuid: string; name: string; url: string; hostname: string; port: number }
export type Dom0Hook = (hostUuid: string) => { exec(argv: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> } | undefined;

export interface SimState {
  dm: Datamodel;
  db: Db;
  counters: Counters;
  faults: Faults;
  sessions: Sessions;
  spec: PoolSpec;
  users: Record<string, string>;
  poolRef: string;
  hosts: HostEndpoint[];        // index 0 is the master
  dom0(): Dom0Hook | undefined;
  domidCounter: number;
  /** How long an Async.* task takes, its progress rising from 0 to 1 meanwhile (0: as fast as possible). */
  taskSeconds: number;
}

/** The context of one API call. */
export interface Ctx {
  st: SimState;
  method: string;       // e.g. "VM.start" (without the Async. prefix)
  hostRef: string;      // host that received the call
  sessionRef: string;   // "" for login
  taskRef?: string;     // set when running as Async
}
