import * as xmlrpc from "xmlrpc";
import type * as https from "node:https";
import { XenApiError, XenApiTransportError } from "./errors";
import { agentFor, TlsVerification } from "./tls";

/** One XML-RPC endpoint of a xapi host. Knows the wire envelope; knows nothing of sessions. */
export interface Transport {
  readonly url: string;
  /** Calls `method` and returns the `Value` of a `Success` envelope; throws XenApiError on `Failure`. */
  call(method: string, params: unknown[]): Promise<unknown>;
  close(): void;
}

export interface TransportOptions {
  tls?: TlsVerification;
  /** Per-call timeout in ms; a call still unanswered by then fails with a transport error. */
  timeoutMs?: number;
  /** Observer of every call made (for RPC counts in benchmarks and tests). */
  onCall?: (method: string) => void;
}

const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;

export function createTransport(url: string, options: TransportOptions = {}): Transport {
  const parsed = new URL(url);
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new Error(`XenAPI URL ${url}: the scheme must be https:// or http://`);
  }
  const secure = parsed.protocol === "https:";
  const agent: https.Agent | undefined = secure ? agentFor(options.tls ?? {}) : undefined;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const base = {
    host: parsed.hostname,
    port: Number(parsed.port || (secure ? 443 : 80)),
    path: parsed.pathname || "/",
  };

  return {
    url,
    call(method, params) {
      options.onCall?.(method);
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), timeoutMs);
      // A client per call: xmlrpc's Client mutates its options, and each call needs its own abort signal.
      const clientOptions = { ...base, agent, signal: abort.signal, headers: { "User-Agent": "pulumi-xen" } };
      const client = secure ? xmlrpc.createSecureClient(clientOptions) : xmlrpc.createClient(clientOptions);
      return new Promise<unknown>((resolve, reject) => {
        client.methodCall(method, params, (err: unknown, response: unknown) => {
          clearTimeout(timer);
          if (err) {
            const reason = abort.signal.aborted ? `no answer within ${timeoutMs} ms` : errorText(err);
            reject(new XenApiTransportError(`XenAPI ${method} at ${url}: ${reason}`, url, err));
            return;
          }
          const envelope = response as { Status?: string; Value?: unknown; ErrorDescription?: unknown };
          if (envelope?.Status === "Success") resolve(envelope.Value);
          else if (envelope?.Status === "Failure") reject(XenApiError.fromDescription(method, envelope.ErrorDescription));
          else reject(new XenApiTransportError(`XenAPI ${method} at ${url}: answer is not a XenAPI envelope`, url));
        });
      });
    },
    close() {
      agent?.destroy();
    },
  };
}

function errorText(err: unknown): string {
  if (err instanceof Error) return (err as NodeJS.ErrnoException).code ? `${(err as NodeJS.ErrnoException).code}: ${err.message}` : err.message;
  return String(err);
}
