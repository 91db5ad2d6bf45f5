import * as http from "node:http";
import * as https from "node:https";
import { XenApiError, XenApiTlsError, XenApiTransportError } from "./errors";
import { agentFor, isTlsRefusal, plainAgent, TlsVerification } from "./tls";

// The wire encoding is xmlrpc's own serializer and deserializer; only the HTTP request is ours, so that a failure
// can tell whether the request left this process (see `Delivery`).
// eslint-disable-next-line @typescript-eslint/no-var-requires
const Serializer: { serializeMethodCall(method: string, params: unknown[], encoding?: string): string } = require("xmlrpc/lib/serializer");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const Deserializer: new (encoding?: string) => {
  deserializeMethodResponse(stream: NodeJS.ReadableStream, callback: (err: unknown, value: unknown) => void): void;
} = require("xmlrpc/lib/deserializer");

/** One XML-RPC endpoint of a xapi host. Knows the wire envelope; knows nothing of sessions. */
export interface Transport {
  /** The endpoint's URL (`https://` or `http://`), as given to createTransport. */
  readonly url: string;
  /**
   * Calls `method` and returns the `Value` of a `Success` envelope; throws XenApiError on `Failure`,
   * XenApiTlsError when the certificate is refused, and XenApiTransportError (saying whether the request can have
   * been sent) when the pool cannot be reached or the connection drops.
   */
  call(method: string, params: unknown[]): Promise<unknown>;
  close(): void;
}

export interface TransportOptions {
  /**
   * How an https endpoint's certificate is checked; absent: the chain is verified against the system's CAs. Unused for
   * http.
   */
  tls?: TlsVerification;
  /** Per-call timeout in ms; a call still unanswered by then fails with a transport error. */
  timeoutMs?: number;
  /** Observer of every call made (for RPC counts in benchmarks and tests). */
  onCall?: (method: string) => void;
}

export const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;

export function createTransport(url: string, options: TransportOptions = {}): Transport {
  const parsed = new URL(url);
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new Error(`XenAPI URL ${url}: the scheme must be https:// or http://`);
  }
  const secure = parsed.protocol === "https:";
  // Both agents hand a socket to the request only once it is connected (and the certificate accepted).
  const agent: http.Agent = secure ? agentFor(options.tls ?? {}) : plainAgent();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const request = secure ? https.request : http.request;
  const base = {
    host: parsed.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: Number(parsed.port || (secure ? 443 : 80)),
    path: parsed.pathname || "/",
  };

  return {
    url,
    call(method, params) {
      options.onCall?.(method);
      const xml = Serializer.serializeMethodCall(method, params);
      return new Promise<unknown>((resolve, reject) => {
        // Set once the agent hands over a connected socket: from then on the request may reach xapi.
        let connected = false;
        let settled = false;
        const settle = (err: Error | undefined, value?: unknown) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (err) reject(err);
          else resolve(value);
        };
        const failed = (err: unknown, timedOut = false) => {
          if (isTlsRefusal(err)) {
            settle(new XenApiTlsError(`TLS verification of the pool at ${url} failed: ${errorText(err)}`, url, err));
            return;
          }
          const reason = timedOut ? `no answer within ${timeoutMs} ms` : errorText(err);
          const delivery = connected ? "maybe-sent" : "not-sent";
          const message = connected
            ? `XenAPI ${method} at ${url}: the connection failed after the request was sent: ${reason}`
            : `cannot reach the pool at ${url}: ${reason}`;
          settle(new XenApiTransportError(message, url, err, { delivery, reason, timedOut }));
        };

        const req = request(
          {
            ...base,
            method: "POST",
            agent,
            headers: {
              "User-Agent": "pulumi-xen",
              "Content-Type": "text/xml",
              "Content-Length": Buffer.byteLength(xml, "utf8"),
            },
          },
          (res) => {
            if (res.statusCode !== 200) {
              res.resume();
              failed(new Error(`HTTP ${res.statusCode} ${res.statusMessage ?? ""}`.trim()));
              return;
            }
            new Deserializer().deserializeMethodResponse(res, (err, response) => {
              if (err) return failed(err);
              const envelope = response as { Status?: string; Value?: unknown; ErrorDescription?: unknown };
              if (envelope?.Status === "Success") settle(undefined, envelope.Value);
              else if (envelope?.Status === "Failure") settle(XenApiError.fromDescription(method, envelope.ErrorDescription));
              else failed(new Error("the answer is not a XenAPI envelope"));
            });
          },
        );
        const timer = setTimeout(() => {
          failed(new Error("timeout"), true);
          req.destroy();
        }, timeoutMs);
        req.on("socket", () => (connected = true));
        req.on("error", (err) => failed(err));
        req.end(xml, "utf8");
      });
    },
    close() {
      agent.destroy();
    },
  };
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.startsWith(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
