import * as http from "node:http";
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

/** The server's certificate was refused: by the pin, the CA, the host name or the TLS protocol itself. */
export class TlsVerificationError extends Error {
  constructor(
    message: string,
    /**
     * Node-style error code, so isTlsRefusal recognizes it; default `ERR_TLS_PIN_MISMATCH` (no pinned fingerprint
     * matched).
     */
    readonly code = "ERR_TLS_PIN_MISMATCH",
  ) {
    super(message);
    this.name = "TlsVerificationError";
  }
}

/** Node's codes for a certificate or TLS protocol refusal (as opposed to a connection dropped mid-handshake). */
const TLS_REFUSAL = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY|DECRYPT)|ERR_SSL_|ERR_TLS_|HOSTNAME|ALTNAME|PIN_MISMATCH/;

/** True when `err` is a refusal of the server's certificate or of the TLS handshake: not transient. */
export function isTlsRefusal(err: unknown): boolean {
  if (err instanceof TlsVerificationError) return true;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" && TLS_REFUSAL.test(code);
}

/**
 * Returns the https.Agent implementing `verification`. The socket is handed to the HTTP layer only once the
 * handshake is done and the certificate accepted, so no request byte (and no password) is written to an unverified
 * server, and a request that never got a socket provably never left this process.
 */
export function agentFor(verification: TlsVerification): https.Agent {
  if (verification.fingerprints && verification.fingerprints.length > 0) {
    return new VerifiedAgent({ rejectUnauthorized: false }, verification.fingerprints.map(normalizeFingerprint));
  }
  if (verification.insecure) return new VerifiedAgent({ rejectUnauthorized: false });
  return new VerifiedAgent({ ca: verification.caPem, rejectUnauthorized: true });
}

/** For plain http: hands the socket to the HTTP layer only once connected (see agentFor). */
export function plainAgent(): http.Agent {
  return new ConnectedAgent({ keepAlive: true });
}

type ConnectionCallback = (err: Error | null, socket: net.Socket) => void;

/** Calls `callback` once: with the socket on `readyEvent` (after `accept` agrees), or with the first error before. */
function handOverWhenReady(socket: net.Socket, readyEvent: string, callback: ConnectionCallback | undefined, accept?: () => Error | undefined): void {
  const onError = (err: Error) => {
    socket.removeListener(readyEvent, onReady);
    callback?.(err, socket);
  };
  const onReady = () => {
    socket.removeListener("error", onError);
    const refusal = accept?.();
    if (refusal) {
      socket.destroy();
      callback?.(refusal, socket);
    } else {
      callback?.(null, socket);
    }
  };
  socket.once(readyEvent, onReady);
  socket.once("error", onError);
}

class VerifiedAgent extends https.Agent {
  constructor(tlsOptions: https.AgentOptions, private readonly accepted?: string[]) {
    super({ keepAlive: true, ...tlsOptions });
  }

  override createConnection(options: https.RequestOptions, callback?: ConnectionCallback): net.Socket | undefined {
    const socket = tls.connect(options as tls.ConnectionOptions);
    handOverWhenReady(socket, "secureConnect", callback, () => {
      if (!this.accepted) return undefined;
      const raw = socket.getPeerCertificate(true)?.raw;
      const actual = raw ? normalizeFingerprint(new X509Certificate(raw).fingerprint256) : "(none)";
      if (this.accepted.includes(actual)) return undefined;
      return new TlsVerificationError(
        `TLS certificate of ${options.host}:${options.port} has fingerprint ${actual}, ` +
          `which is not a pinned one (${this.accepted.join(", ")})`,
      );
    });
    return undefined;
  }
}

class ConnectedAgent extends http.Agent {
  override createConnection(options: net.NetConnectOpts, callback?: ConnectionCallback): net.Socket | undefined {
    const socket = net.connect(options);
    handOverWhenReady(socket, "connect", callback);
    return undefined;
  }
}
