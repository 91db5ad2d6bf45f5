/** A self-signed certificate for the pool, made with the openssl CLI (as xapi generates one at first boot). */
import { execFileSync } from "child_process";
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { X509Certificate } from "crypto";

export interface Cert { key: string; cert: string; fingerprint256: string }

export function makeCertificate(names: string[]): Cert {
  const dir = mkdtempSync(path.join(tmpdir(), "xen-sim-tls-"));
  try {
    const ips = names.filter((n) => /^\d+\.\d+\.\d+\.\d+$/.test(n));
    const dns = names.filter((n) => !ips.includes(n));
    const san = [...new Set(["127.0.0.1", ...ips])].map((ip) => `IP:${ip}`).concat([...new Set(["localhost", ...dns])].map((d) => `DNS:${d}`)).join(",");
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"), "-days", "3650",
      "-subj", `/CN=${names[0] ?? "localhost"}`, "-addext", `subjectAltName=${san}`], { stdio: ["ignore", "ignore", "pipe"] });
    const key = readFileSync(path.join(dir, "key.pem"), "utf8");
    const cert = readFileSync(path.join(dir, "cert.pem"), "utf8");
    return { key, cert, fingerprint256: new X509Certificate(cert).fingerprint256 };
  } finally {
    // The key lives in memory from here on; the temp dir never outlives this call.
    rmSync(dir, { recursive: true, force: true });
  }
}
