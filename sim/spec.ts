/** Public types of the simulator API. */
import type { TripSpec } from "./tripwire";
export type { TripSpec, TripAction } from "./tripwire";

/**
 * A pool description (the format of sim/pools/*.json, documented by sim/pools/spec.schema.json and checked on load
 * by sim/spec-validate.ts).
 */
export interface PoolSpec {
  name?: string;
  hosts: Array<{ name: string; address?: string }>;
  srs?: SrSpec[];
  networks?: Array<{ name: string; bridge?: string }>;
  templates?: TemplateSpec[];
  /** Login name -> password; default { root: "xenroot" }. */
  users?: Record<string, string>;
}

export interface SrSpec {
  name: string; type: string; contentType?: string; shared?: boolean; host?: string;
  otherConfig?: Record<string, string>; smConfig?: Record<string, string>; deviceConfig?: Record<string, string>; default?: boolean; physicalSize?: number;
  /** VDIs present in the SR at start (e.g. the ISO files of an ISO library). */
  vdis?: Array<{ name: string; size: number; location?: string; readOnly?: boolean }>;
}

/**
 * A default template. The short form (memory, vcpus, hvm) builds a plain template; the other fields give the record
 * as XenServer 8 / XCP-ng 8.3 install it from their guest-templates JSON (platform, boot settings, recommendations).
 */
export interface TemplateSpec {
  name: string;
  description?: string;
  uuid?: string;
  referenceLabel?: string;
  /** memory_static_max = dynamic_max = dynamic_min, bytes. */
  memory?: number;
  /** memory_static_min, bytes (default: min(memory, 256MiB)). */
  memoryStaticMin?: number;
  vcpus?: number;
  vcpusMax?: number;
  hvm?: boolean;
  hvmBootPolicy?: string;
  hvmBootParams?: Record<string, string>;
  pvBootloader?: string;
  pvArgs?: string;
  domainType?: "hvm" | "pv" | "pv_in_pvh" | "pvh";
  platform?: Record<string, string>;
  /** Merged over { default_template: "true" }; "disks" is built from `disks`. */
  otherConfig?: Record<string, string>;
  recommendations?: string;
  hasVendorDevice?: boolean;
  userVersion?: number;
  /** Written as other_config "disks" provisioning XML; sr is an SR name or uuid, "" (default) the pool's default SR. */
  disks?: Array<{ size: number; sr?: string; bootable?: boolean; type?: string }>;
}

export interface SimulatorOptions {
  tls?: boolean;
  host?: string;
  ports?: number[];
  /** The TLS certificate and key to serve (PEM); default: a fresh self-signed one. */
  certificate?: { cert: string; key: string };
  /** Start from a saved database (Simulator.snapshot()) instead of seeding the spec's objects. */
  restore?: SimSnapshot;
  /** How long each Async.* task takes, its progress rising from 0 to 1 meanwhile; default 0. */
  taskSeconds?: number;
}

/** A pool's database as data: the objects in stored form, the pool and host refs (master first), counters. */
export interface SimSnapshot {
  poolRef: string;
  hostRefs: string[];
  domidCounter: number;
  gen: number;
  objects: Array<{ cls: string; ref: string; rec: Record<string, unknown> }>;
}

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
  /** The pool's database now, for a state file. */
  snapshot(): SimSnapshot;
  /** Calls `fn` after every change of the database the first port serves now (synchronously: keep it cheap); returns the unsubscribe. */
  onChange(fn: () => void): () => void;
  dom0?: (hostUuid: string) => { exec(argv: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> } | undefined;
  close(): Promise<void>;
}
