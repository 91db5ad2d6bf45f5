/**
 * examples/openstack-compute as a stack on a lab (sim/lab.ts): the demo shows it, the end-to-end test checks it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PoolSpec } from "../sim";
import { Lab, startLab } from "../sim/lab";
import { linkPackage, PulumiCli } from "./pulumi-cli";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const OPENSTACK_EXAMPLE = path.join(REPO_ROOT, "examples", "openstack-compute");

export interface OpenstackStack {
  lab: Lab;
  pulumi: PulumiCli;
  /** The pool's root password (what `xen:password` holds). */
  password: string;
}

/** Starts the lab (the demo pool of sim/pools/demo.json, plus the nova-compute VM's guest) and configures the stack. */
export async function openstackStack(options: { workDir: string; password: string; echo?: boolean }): Promise<OpenstackStack> {
  const spec = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "sim", "pools", "demo.json"), "utf8")) as PoolSpec;
  const lab = await startLab({ ...spec, users: { root: options.password } }, { extraMachines: ["nova-compute"] });
  try {
    fs.rmSync(options.workDir, { recursive: true, force: true });
    fs.mkdirSync(options.workDir, { recursive: true });
    linkPackage(OPENSTACK_EXAMPLE, REPO_ROOT);
    const pulumi = new PulumiCli({
      programDir: OPENSTACK_EXAMPLE,
      workDir: options.workDir,
      configFile: path.join(options.workDir, "Pulumi.lab.yaml"),
      passphrase: "lab",
      echo: options.echo,
    });
    const { sim } = lab;
    await pulumi.initStack(
      "lab",
      { "xen:url": sim.masterUrl, "xen:tlsFingerprint": sim.tls!.fingerprint256 },
      { "xen:password": options.password, "xen:sshPrivateKey": lab.operatorKey },
    );
    await pulumi.setConfigObject("hosts", sim.hosts.map((h, i) => ({ name: h.name, xapiUrl: h.url, ssh: lab.ssh(lab.dom0s[i]) })));
    await pulumi.setConfigObject("novaVmSsh", lab.ssh(lab.machines["nova-compute"]));
    return { lab, pulumi, password: options.password };
  } catch (err) {
    await lab.stop();
    throw err;
  }
}
