/** A minimal XML-RPC client over real HTTP(S) for the simulator tests (keeps the raw XML for wire checks). */
import * as http from "http";
import * as https from "https";
import { Readable } from "stream";
// eslint-disable-next-line @typescript-eslint/no-var-requires
const serializer = require("xmlrpc/lib/serializer");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const Deserializer = require("xmlrpc/lib/deserializer");
import { startSimulator, PoolSpec, Simulator, SimulatorOptions } from "../../../sim";

export interface Envelope { Status: "Success" | "Failure"; Value?: any; ErrorDescription?: string[] }

export function post(url: string, body: string, opts: { ca?: string; path?: string; contentType?: string } = {}): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  const mod = u.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request({ hostname: u.hostname, port: u.port, path: opts.path ?? u.pathname, method: "POST", ca: opts.ca, agent: false,
      headers: { "content-type": opts.contentType ?? "text/xml", "content-length": Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

export function get(url: string, path: string, ca?: string): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  const mod = u.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    mod.get({ hostname: u.hostname, port: u.port, path, ca, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
    }).on("error", reject);
  });
}

export function parseResponse(xml: string): Promise<any> {
  return new Promise((resolve, reject) => {
    new Deserializer("utf8").deserializeMethodResponse(Readable.from([xml]), (err: any, v: any) => (err ? reject(err) : resolve(v)));
  });
}

export class Client {
  lastXml = "";
  constructor(public url: string, public ca?: string) {}
  async raw(method: string, params: unknown[]): Promise<Envelope> {
    const r = await post(this.url, serializer.serializeMethodCall(method, params), { ca: this.ca });
    this.lastXml = r.body;
    return parseResponse(r.body);
  }
  /** Value of a successful call; throws with the ErrorDescription otherwise. */
  async call(method: string, ...params: unknown[]): Promise<any> {
    const e = await this.raw(method, params);
    if (e.Status !== "Success") throw new XenError(e.ErrorDescription ?? []);
    return e.Value;
  }
  /** ErrorDescription of a call that must fail. */
  async fails(method: string, ...params: unknown[]): Promise<string[]> {
    const e = await this.raw(method, params);
    if (e.Status !== "Failure") throw new Error(`${method} unexpectedly succeeded: ${JSON.stringify(e.Value)}`);
    return e.ErrorDescription ?? [];
  }
}

export class XenError extends Error {
  constructor(public description: string[]) { super(description.join(" ")); }
}

/** A session-bound view: s.call("VM.get_all") passes the session first. */
export class Session {
  constructor(public c: Client, public ref: string) {}
  call(method: string, ...params: unknown[]): Promise<any> { return this.c.call(method, this.ref, ...params); }
  fails(method: string, ...params: unknown[]): Promise<string[]> { return this.c.fails(method, this.ref, ...params); }
  /** Runs Async.<method> and waits for the task; returns the task record. */
  async task(method: string, ...params: unknown[]): Promise<any> {
    const t = await this.call("Async." + method, ...params);
    for (let i = 0; i < 500; i++) {
      const rec = await this.call("task.get_record", t);
      if (rec.status !== "pending") return { ref: t, ...rec };
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error("task did not finish");
  }
}

export const demoSpec = (): PoolSpec => ({
  name: "test-pool",
  hosts: [{ name: "h1" }, { name: "h2" }, { name: "h3" }],
  srs: [
    { name: "Local storage", type: "ext", host: "h1", otherConfig: { "i18n-key": "local-storage" }, deviceConfig: { device: "/dev/sda3" } },
    { name: "Local storage", type: "ext", host: "h2", otherConfig: { "i18n-key": "local-storage" }, deviceConfig: { device: "/dev/sda3" } },
    { name: "NFS", type: "nfs", shared: true, default: true, deviceConfig: { server: "10.0.0.5", serverpath: "/export" } },
  ],
  networks: [{ name: "Pool-wide network associated with eth0", bridge: "xenbr0" }, { name: "storage", bridge: "xenbr1" }],
  templates: [
    { name: "Debian Bookworm 12", memory: 1073741824, vcpus: 1, disks: [{ size: 10737418240 }] },
    { name: "Other install media", memory: 2147483648, vcpus: 2, hvm: true },
  ],
});

export async function withSim(spec: PoolSpec, opts: SimulatorOptions, fn: (sim: Simulator, c: Client, s: Session) => Promise<void>): Promise<void> {
  const sim = await startSimulator(spec, opts);
  try {
    const c = new Client(sim.masterUrl, sim.tls?.certificatePem);
    const ref = await c.call("session.login_with_password", "root", "xenroot", "1.0", "sim-tests");
    await fn(sim, c, new Session(c, ref));
  } finally {
    await sim.close();
  }
}
