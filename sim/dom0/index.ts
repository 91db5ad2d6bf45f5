/**
 * dom0 test hosts: one real OpenSSH `sshd` per simulated XenServer host, each serving a root filesystem of its own
 * laid out like a XenServer dom0 (`/etc/xapi.d/plugins`, `/var/run/sr-mount/<sr-uuid>`, `/boot`, `/root/.ssh`,
 * `/etc/xensource/scripts`, `/etc/init.d`, `/etc/nova`), with this machine's `/usr` mounted read-only inside.
 *
 * The mechanics live in `scripts/dom0-testhost.sh` (one host = one directory); this module starts a set of hosts,
 * lets them know each other (names, addresses, host keys, ports) and tears everything down on `stop()`, and also
 * when this process dies without calling it (each host's script watches its standard input).
 */
import { spawn, ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** One running dom0 test host. */
export interface Dom0TestHost {
  /** The host's name (its `hostname`, and its name in the other hosts' `/etc/hosts`). */
  name: string;
  /** Loopback address its sshd listens on (127.0.0.2, 127.0.0.3, ...). */
  address: string;
  /** Port its sshd listens on (22 unless that was taken). */
  port: number;
  /** Absolute path on this machine of the host's `/`. */
  rootDir: string;
  /** SHA256 fingerprint of the host's ed25519 key, as `ssh-keygen -lf` prints it (`SHA256:...`). */
  hostKeyFingerprint: string;
  /** An OpenSSH private key authorized for root on this host (through `/etc/ssh/authorized_keys.d/root`). */
  clientPrivateKey: string;
  /** The public half of `clientPrivateKey` (one `authorized_keys` line). */
  clientPublicKey: string;
  /** How the provider reaches this host: the shape of `provider/dom0`'s `Dom0Connection`. */
  connection: { host: string; port: number; username: string; privateKey: string; hostKeyFingerprint: string };
  /** Runs `argv` inside the host's root as root, without SSH (cwd `/root`, a clean environment). */
  exec(argv: string[], stdin?: string | Buffer): Promise<Dom0ExecResult>;
  /**
   * Absolute path on this machine of a path inside the host (`rootDir + p`; `/usr/local/...`, the host's own
   * writable `/usr/local`, maps to the host directory's `usr-local/...`). Plain files and directories of the
   * host are there; the mounts made inside the host's namespace (`/usr`, `/dev`, `/proc`) are not, and an
   * absolute symlink inside the host (e.g. `/boot/guest -> /var/run/sr-mount/...`) points, from outside, at this
   * machine's own root: use `lstat`/`readlink`, or `exec`, to follow it.
   */
  path(p: string): string;
  /**
   * Creates `/var/run/sr-mount/<srUuid>` (idempotent) and returns that in-host path. By default it is a
   * filesystem of its own (a tmpfs, `stat -c %d` differs from `/`), as a local ext SR is on a real dom0;
   * `{ separateFilesystem: false }` makes a plain directory on the host's root filesystem instead.
   */
  createSrMount(srUuid: string, options?: { separateFilesystem?: boolean; size?: string }): Promise<string>;
  /** Removes `/var/run/sr-mount/<srUuid>` and what it holds. */
  removeSrMount(srUuid: string): Promise<void>;
}

export interface Dom0ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Dom0TestHosts {
  hosts: Dom0TestHost[];
  /** Kills every process of every host, undoes their mounts and removes their directories. Idempotent. */
  stop(): Promise<void>;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

/** Locates `scripts/dom0-testhost.sh` from this file, in the source tree or in `dist/`. */
export function dom0TestHostScript(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, "scripts", "dom0-testhost.sh");
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`scripts/dom0-testhost.sh not found above ${__dirname}`);
}

function runScript(args: string[], stdin?: string | Buffer): Promise<Dom0ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [dom0TestHostScript(), ...args], { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
    child.stdin.on("error", () => undefined); // the command may exit without reading its input
    child.stdin.end(stdin ?? "");
  });
}

async function runScriptChecked(args: string[]): Promise<string> {
  const r = await runScript(args);
  if (r.code !== 0) throw new Error(`dom0-testhost.sh ${args[0]} failed (exit ${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

interface Running {
  name: string;
  hostDir: string;
  child: ChildProcess;
  exited: Promise<void>;
}

/** Starts `run` for one host and resolves once its sshd listens. */
function startOne(name: string, hostDir: string): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [dom0TestHostScript(), "run", hostDir, name], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let ready = false;
    const exited = new Promise<void>((res) => child.on("close", () => res()));
    child.stdin!.on("error", () => undefined);
    child.stderr!.on("data", (b: Buffer) => (stderr += b.toString("utf8")));
    child.stdout!.on("data", (b: Buffer) => {
      stdout += b.toString("utf8");
      if (!ready && /^ready /m.test(stdout)) {
        ready = true;
        // Do not keep this process alive for the hosts: if the caller never stops them, its exit closes
        // their standard input and they stop themselves.
        child.unref();
        for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?(): void }).unref?.();
        resolve({ name, hostDir, child, exited });
      }
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (!ready) reject(new Error(`dom0 test host ${name} did not start (exit ${code}): ${stderr.trim()}`));
    });
  });
}

function readState(hostDir: string, file: string): string {
  return fs.readFileSync(path.join(hostDir, "state", file), "utf8").trim();
}

function makeHost(r: Running): Dom0TestHost {
  const rootDir = path.join(r.hostDir, "root");
  const address = readState(r.hostDir, "address");
  const port = Number(readState(r.hostDir, "port"));
  const hostKeyFingerprint = readState(r.hostDir, "fingerprint");
  const clientPrivateKey = fs.readFileSync(path.join(r.hostDir, "state", "client_ed25519"), "utf8");
  const host: Dom0TestHost = {
    name: r.name,
    address,
    port,
    rootDir,
    hostKeyFingerprint,
    clientPrivateKey,
    clientPublicKey: readState(r.hostDir, "client_ed25519.pub"),
    connection: { host: address, port, username: "root", privateKey: clientPrivateKey, hostKeyFingerprint },
    exec(argv: string[], stdin?: string | Buffer): Promise<Dom0ExecResult> {
      if (argv.length === 0) return Promise.reject(new Error("exec: empty argv"));
      return runScript(["exec", r.hostDir, "--", ...argv], stdin);
    },
    path(p: string): string {
      if (!p.startsWith("/")) throw new Error(`path inside a dom0 test host must be absolute: ${p}`);
      const normal = path.posix.normalize(p);
      if (normal === "/usr/local" || normal.startsWith("/usr/local/")) {
        return path.join(r.hostDir, "usr-local", normal.slice("/usr/local".length));
      }
      return path.join(rootDir, normal);
    },
    async createSrMount(srUuid: string, options?: { separateFilesystem?: boolean; size?: string }) {
      const kind = options?.separateFilesystem === false ? "dir" : "tmpfs";
      const out = await runScriptChecked(["sr-mount", r.hostDir, srUuid, kind, options?.size ?? "2g"]);
      return out.trim();
    },
    async removeSrMount(srUuid: string) {
      await runScriptChecked(["sr-umount", r.hostDir, srUuid]);
    },
  };
  return host;
}

/**
 * Starts one dom0 test host per name (each a real sshd on its own loopback address, a root filesystem of its own),
 * and makes every host know the others: `/etc/hosts`, `/etc/ssh/ssh_known_hosts` (their host keys) and
 * `/etc/ssh/ssh_config` (their ports), so that from inside host A, `ssh root@<B's name or address>` reaches B once
 * A's key is in B's `/root/.ssh/authorized_keys`.
 *
 * Hosts live under `options.workDir` (default: a new temporary directory) as `<workDir>/<name>/`. Needs root,
 * util-linux and openssh-server (see `scripts/dom0-testhost.sh`).
 */
export async function startDom0TestHosts(names: string[], options?: { workDir?: string }): Promise<Dom0TestHosts> {
  for (const n of names) if (!NAME_RE.test(n)) throw new Error(`dom0 test host name must be letters, digits and '-': '${n}'`);
  if (new Set(names).size !== names.length) throw new Error(`dom0 test host names must be distinct: ${names.join(", ")}`);
  const ownWorkDir = options?.workDir === undefined;
  const workDir = ownWorkDir
    ? fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-xen-dom0-"))
    : path.resolve(options!.workDir!);
  fs.mkdirSync(workDir, { recursive: true });
  // Marks a directory of ours: the hosts' scripts remove it once empty, should this process die without stop().
  if (ownWorkDir) fs.writeFileSync(path.join(workDir, ".pulumi-xen-dom0-tmp"), "");

  const running: Running[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all(
      running.map(async (r) => {
        // Keep this process alive while the host stops, then close the watcher's input: it stops the host.
        r.child.ref();
        for (const s of [r.child.stdout, r.child.stderr]) (s as unknown as { ref?(): void } | null)?.ref?.();
        r.child.stdin?.end();
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<"timeout">((res) => (timer = setTimeout(() => res("timeout"), 15000)));
        if ((await Promise.race([r.exited, timeout])) === "timeout") r.child.kill("SIGTERM");
        clearTimeout(timer);
        // Whatever happened to the watcher, make sure the host is gone.
        await runScriptChecked(["stop", r.hostDir]);
      }),
    );
    if (ownWorkDir) {
      fs.rmSync(path.join(workDir, ".pulumi-xen-dom0-tmp"), { force: true });
      try {
        fs.rmdirSync(workDir); // never recursive: the hosts' directories are removed by their own stop
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      }
    }
  };

  try {
    const started = await Promise.allSettled(names.map((n) => startOne(n, path.join(workDir, n))));
    for (const s of started) if (s.status === "fulfilled") running.push(s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) throw failed.reason;
    const hosts = running.map(makeHost);
    if (hosts.length > 0) await runScriptChecked(["peers", ...running.map((r) => r.hostDir)]);
    return { hosts, stop };
  } catch (e) {
    await stop().catch(() => undefined); // the start failure is the error to report
    throw e;
  }
}
