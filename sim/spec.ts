/** Public types of the simulator API. */
import type { TripSpec } from "./tripwire";
export type { TripSpec, TripAction } from "./tripwire";
export interface PoolSpec {
  name?: string;
  hosts: Array<{ name: string; address?: string }>;
  srs?: Array<{ name: string; type: string; contentType?: string; shared?: boolean; host?: string;
    otherConfig?: Record<string, string>; smConfig?: Record<string, string>; deviceConfig?: Record<string, string>; default?: boolean; physicalSize?: number }>;
  networks?: Array<{ name: string; bridge?: string }>;
  templates?: Array<{ name: string; memory?: number; vcpus?: number; hvm?: boolean; disks?: Array<{ size: number; sr?: string }> }>;
  users?: Record<string, string>;
}

export interface SimulatorOptions { tls?: boolean; host?: string; ports?: number[] }

export interface Simulator {
  masterUrl: string;
  hosts: Array<{ uuid: string; name: string; ref: string; url: string }>;
  tls?: { certificatePem: string; fingerprint256: string };
  counters: { calls(): Record<string, number>; writeCalls(): number; sessionsOpened: number; sessionsClosed: number; sessionsOpen: number; reset(): void };
  faults: { setLatency(ms: number, method?: string): void; dropNextConnections(n: number): void; restart(): Promise<void>;
    failNextTask(method: string, errorDescription: string[]): void; clear(): void;
    /** Arms a fault at the Nth write call (sim/tripwire.ts); `at: 0` only logs the writes. */
    arm(spec: TripSpec): void;
    /** The write calls seen since arming, in order. */
    writeLog(): string[];
    /** The method the armed fault tripped at, if it has. */
    tripped(): string | undefined };
  db: { all(cls: string): Array<{ ref: string; record: Record<string, unknown> }>; get(cls: string, ref: string): Record<string, unknown>;
    byUuid(cls: string, uuid: string): { ref: string; record: Record<string, unknown> } | undefined; set(cls: string, ref: string, field: string, value: unknown): void };
  dom0?: (hostUuid: string) => { exec(argv: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> } | undefined;
  close(): Promise<void>;
}
