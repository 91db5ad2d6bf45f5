/**
 * One HTTP(S) listener per simulated host. Plain node http/https so the simulator controls the sockets:
 * dropped connections, restarts that cut every connection, and the /_sim control endpoints.
 */
import * as http from "http";
import * as https from "https";
import type { Socket, AddressInfo } from "net";
import type { SimState } from "./state";
import type { DropPoint } from "./faults";
import { dispatch } from "./dispatch";
import { parseCall, renderResponse } from "./wire/xmlrpc";
import { handleJsonRpc } from "./wire/jsonrpc";
import type { Cert } from "./tls";

export class HostServer {
  readonly server: http.Server;
  private sockets = new Set<Socket>();

  /** The pool this listener serves and the host it is: both change when the host joins or leaves a pool. */
  constructor(public st: SimState, public hostRef: string, cert?: Cert) {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res);
    this.server = cert ? https.createServer({ key: cert.key, cert: cert.cert }, handler) : http.createServer(handler);
    this.server.keepAliveTimeout = 30_000;
    this.server.on("connection", (sock: Socket) => {
      if (this.st.faults.takeDrop("accept")) { sock.destroy(); return; }
      this.sockets.add(sock);
      sock.on("close", () => this.sockets.delete(sock));
    });
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => resolve((this.server.address() as AddressInfo).port));
    });
  }

  /** Serves another pool from now on (xapi restarting after pool.join/pool.eject); open connections are cut. */
  rebind(st: SimState, hostRef: string): void { this.st = st; this.hostRef = hostRef; this.dropAll(); }

  /** Cuts every open connection (a toolstack restart). */
  dropAll(): void { for (const s of this.sockets) s.destroy(); this.sockets.clear(); }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.dropAll();
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // Runs of slashes count as one, so a base URL with a trailing slash plus "/jsonrpc" ("https://host//jsonrpc",
    // what clients that append the path to a configured URL send) reaches JSON-RPC rather than XML-RPC at "/".
    const url = (req.url ?? "/").split("?")[0].replace(/\/{2,}/g, "/");
    // POST /_sim/faults/drop?n=1&at=accept|request|answer: fault control for clients of a running simulator.
    if (url === "/_sim/faults/drop" && req.method === "POST") return armDrop(this.st, req, res);
    // A connection already open still honours dropNextConnections for its next request.
    if (this.st.faults.takeDrop("request")) { req.socket.destroy(); return; }
    if (url === "/_sim/counters" && req.method === "GET") return json(res, 200, this.st.counters.snapshot());
    if (url === "/_sim/reset-counters" && req.method === "POST") {
      this.st.counters.reset(this.st.sessions.count());
      return json(res, 200, this.st.counters.snapshot());
    }
    if (req.method !== "POST") {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html><body>XenAPI simulator</body></html>");
      return;
    }
    const body = await readBody(req);
    if (url === "/jsonrpc") {
      const out = await handleJsonRpc(this.st, this.hostRef, body);
      if (out === undefined) return void req.socket.destroy();
      return json(res, 200, out);
    }
    let call: { method: string; params: unknown[] };
    try {
      call = await parseCall(body);
    } catch (e) {
      // xapi answers unparseable requests with an HTTP error, not an envelope
      res.writeHead(400, { "content-type": "text/plain" });
      res.end("Bad XML-RPC request: " + (e as Error).message);
      return;
    }
    const outcome = await dispatch(this.st, this.hostRef, call.method, call.params);
    if (outcome.drop) return void req.socket.destroy();
    if (res.destroyed || req.socket.destroyed) return; // restarted while the call was running
    if (this.st.faults.takeDrop("answer")) { req.socket.destroy(); return; } // ran, but the answer is lost
    const xml = renderResponse(outcome);
    res.writeHead(200, { "content-type": "text/xml", "content-length": Buffer.byteLength(xml) });
    res.end(xml);
  }
}

const DROP_POINTS: readonly DropPoint[] = ["accept", "request", "answer"];

function armDrop(st: SimState, req: http.IncomingMessage, res: http.ServerResponse): void {
  const query = new URLSearchParams((req.url ?? "").split("?")[1] ?? "");
  const n = Number(query.get("n") ?? "1");
  const at = (query.get("at") ?? "request") as DropPoint;
  if (!Number.isInteger(n) || n < 0 || !DROP_POINTS.includes(at)) {
    return json(res, 400, { error: `n must be a whole number and at one of ${DROP_POINTS.join(", ")}` });
  }
  req.resume();
  st.faults.dropNext(n, at);
  json(res, 200, { n, at });
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function json(res: http.ServerResponse, status: number, v: unknown): void {
  const s = JSON.stringify(v);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(s) });
  res.end(s);
}
