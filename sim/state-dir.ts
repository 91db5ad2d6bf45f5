/**
 * `pulumi-xen sim --state-dir DIR`: what a simulator keeps across restarts so that a stack's config (URL, TLS
 * fingerprint) and state (uuids) stay valid. The directory holds
 *   cert.pem, key.pem   the TLS certificate and key (key mode 0600), made on first start
 *   state.json          the spec, ports, users and the pool's database (refs, uuids, every object but sessions)
 *   sim.json            while running: the line `pulumi-xen sim` printed (URLs, credentials, fingerprint)
 * state.json is saved 200 ms after a change (changes in between are coalesced) and on SIGTERM/SIGINT. Every file is
 * written atomically (temporary file, fsync, rename, fsync of the directory): a kill -9 leaves the last complete
 * save, never a torn file.
 */
import * as fs from "fs";
import * as path from "path";
import type { PoolSpec, SimSnapshot, Simulator } from "./spec";
import { makeCertificate } from "./tls";

export interface StateFile {
  version: 1;
  /** The --spec the pool was made from (a built-in name or a path), for the start line. */
  source: string;
  spec: PoolSpec;
  tls: boolean;
  ports: number[];
  snapshot: SimSnapshot;
}

/** Writes `data` to `file` so that readers see the old or the new content, never a part. */
export function writeFileAtomic(file: string, data: string, mode = 0o644): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, "w", mode);
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  const dirFd = fs.openSync(path.dirname(file), "r");
  try { fs.fsyncSync(dirFd); } finally { fs.closeSync(dirFd); }
}

export class StateDir {
  readonly stateFile: string;
  readonly infoFile: string;

  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.stateFile = path.join(dir, "state.json");
    this.infoFile = path.join(dir, "sim.json");
  }

  /** The saved certificate, or a new one (for `names`) saved now. */
  certificate(names: string[]): { cert: string; key: string } {
    const certFile = path.join(this.dir, "cert.pem"), keyFile = path.join(this.dir, "key.pem");
    if (fs.existsSync(certFile) && fs.existsSync(keyFile)) return { cert: fs.readFileSync(certFile, "utf8"), key: fs.readFileSync(keyFile, "utf8") };
    const c = makeCertificate(names);
    writeFileAtomic(keyFile, c.key, 0o600);
    writeFileAtomic(certFile, c.cert);
    return { cert: c.cert, key: c.key };
  }

  load(): StateFile | undefined {
    if (!fs.existsSync(this.stateFile)) return undefined;
    let s: StateFile;
    try {
      s = JSON.parse(fs.readFileSync(this.stateFile, "utf8"));
    } catch (e) {
      throw new Error(`${this.stateFile}: not a state file (${(e as Error).message})`);
    }
    if (s.version !== 1 || !s.snapshot || !Array.isArray(s.ports)) throw new Error(`${this.stateFile}: unknown state file version`);
    return s;
  }

  save(s: StateFile): void { writeFileAtomic(this.stateFile, JSON.stringify(s)); }

  /** Saves 200 ms after each change (coalesced); flush() saves now if a save is due (call it on SIGTERM/SIGINT). */
  autosave(sim: Simulator, base: Omit<StateFile, "snapshot">): { flush(): void; stop(): void } {
    let timer: NodeJS.Timeout | undefined;
    const saveNow = () => {
      if (timer) { clearTimeout(timer); timer = undefined; }
      this.save({ ...base, snapshot: sim.snapshot() });
    };
    saveNow();
    const off = sim.onChange(() => { timer ??= setTimeout(saveNow, 200); });
    return {
      flush: () => { if (timer) saveNow(); },
      stop: () => { off(); if (timer) saveNow(); },
    };
  }
}
