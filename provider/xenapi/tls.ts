import * as https from "node:https";
import * as tls from "node:tls";
import * as net from "node:net";
import { X509Certificate } from "node:crypto";

/**
 * How the server's certificate is checked. XenServer hosts present self-signed certificates, so a plain
 * chain check fails; the operator either trusts a CA (the pool's), pins certificate fingerprints, or turns
 * verification off explicitly.
 */
export interface TlsVerification {
  /** PEM of the CA (or the self-signed certificate itself) to verify the chain and host name against. */
  caPem?: string;
  /** SHA-256 fingerprints (`AA:BB:...`, case and colons ignored) of accepted server certificates. */
  fingerprints?: string[];
  /** Skip all verification. Only ever an explicit choice of the user. */
  insecure?: boolean;
}

/** Normalizes a SHA-256 fingerprint to upper-case hex pairs separated by colons. */
export function normalizeFingerprint(fp: string): string {
  const hex = fp.replace(/^sha256:/i, "").replace(/[^0-9a-fA-F]/g, "").toUpperCase();
  return hex.match(/.{2}/g)?.join(":") ?? "";
}

/**
 * Returns the https.Agent implementing `verification`. Fingerprint pinning happens before the socket is
 * handed to the HTTP layer, so no request byte (and no password) is written to an unverified server.
 */
export function agentFor(verification: TlsVerification): https.Agent {
  if (verification.fingerprints && verification.fingerprints.length > 0) {
    return new PinnedAgent(verification.fingerprints.map(normalizeFingerprint));
  }
  if (verification.insecure) {
    return new https.Agent({ keepAlive: true, rejectUnauthorized: false });
  }
  return new https.Agent({ keepAlive: true, ca: verification.caPem, rejectUnauthorized: true });
}

class PinnedAgent extends https.Agent {
  constructor(private readonly accepted: string[]) {
    super({ keepAlive: true });
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, socket: net.Socket) => void,
  ): net.Socket | undefined {
    const socket = tls.connect({ ...(options as tls.ConnectionOptions), rejectUnauthorized: false });
    socket.once("secureConnect", () => {
      const raw = socket.getPeerCertificate(true)?.raw;
      const actual = raw ? normalizeFingerprint(new X509Certificate(raw).fingerprint256) : "(none)";
      if (this.accepted.includes(actual)) {
        callback?.(null, socket);
      } else {
        socket.destroy();
        callback?.(
          new Error(
            `TLS certificate of ${options.host}:${options.port} has fingerprint ${actual}, ` +
              `which is not a pinned one (${this.accepted.join(", ")})`,
          ),
          socket,
        );
      }
    });
    socket.once("error", (err) => callback?.(err, socket));
    return undefined;
  }
}
