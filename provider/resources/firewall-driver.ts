import { Dom0Session } from "../dom0";
import { ResourceContract } from "./contract";
import { Checker, CheckFailure } from "./check";
import { diffByRules, DiffResult } from "./diff";
import { isUnknown } from "./unknown";
import { checkSshTarget, checkSshTargets, reason, SshTarget, targetId, withTarget } from "./ssh-target";
import { applyOptions, ConfRecord, getOption, NO_RECORD, optionId, restoreOptions } from "./nova-conf";
import { assertAdoptable } from "./adopt";
import { hashLocalDirectory, installFiles, readLocalFiles, remoteHashes, removeFiles } from "./file-set";
import { readTextFile } from "../dom0";

/**
 * FirewallDriver: nova's `firewall_driver` in `[DEFAULT]` of nova.conf on the nova-compute VM, edited in place;
 * for the dom0 driver, a check that the dom0 plug-in it calls is installed; optional VIF isolation rules installed
 * in the dom0s (the guide's "Install the VIF isolation rules").
 */

export const DRIVERS = [
  "nova.virt.firewall.IptablesFirewallDriver",
  "nova.virt.xenapi.firewall.Dom0IptablesFirewallDriver",
  "nova.virt.firewall.NoopFirewallDriver",
] as const;
export type Driver = (typeof DRIVERS)[number];
const DOM0_DRIVER: Driver = "nova.virt.xenapi.firewall.Dom0IptablesFirewallDriver";

export const NOVA_CONF = "/etc/nova/nova.conf";
export const VIF_SCRIPTS_DIR = "/etc/xensource/scripts";
export const INIT_DIR = "/etc/init.d";
const PLUGIN_DIR = "/etc/xapi.d/plugins";

// ---------------------------------------------------------------------------------------------------------------
// Inputs (see sdk/firewallDriver.ts for the documented Args)

export interface FirewallDriverInputs {
  /** The nova-compute VM, over SSH. */
  ssh: SshTarget;
  /** Absolute path of nova.conf on the VM; default `/etc/nova/nova.conf`. */
  novaConf: string;
  /** The `[DEFAULT] firewall_driver` to write: one of DRIVERS (the dom0 driver needs `dom0s`). */
  driver: Driver;
  /** The dom0s the compute node drives: checked for the xenhost plug-in (dom0 driver), given the VIF rules. */
  dom0s: SshTarget[];
  /** Local directory of VIF isolation rules ("" = none): its files go to /etc/xensource/scripts in each dom0. */
  vifRules: string;
  /** name → sha256 of the files of `vifRules`, computed by check. */
  vifRuleFiles: Record<string, string>;
  /** The file of `vifRules` that is the init script: it goes to /etc/init.d instead ("" = none). */
  vifInitScript: string;
  /** Command (argv) run on the compute VM after nova.conf changed, e.g. ["systemctl", "restart", "nova-compute"]. */
  restartCommand: string[];
  /**
   * Any non-empty marker: take the driver setting (and rule files) as they already are instead of writing them
   * ("" = converge). Create then only reads, and fails naming each field that differs.
   */
  adopt: string;
}

export interface FirewallDriverOutputs extends FirewallDriverInputs {
  /** What was in nova.conf before (restored on delete). */
  conf: ConfRecord;
  /** Per dom0 (`address:port`): the rule files this resource wrote, as `<dir>/<name>`. */
  installed: Record<string, string[]>;
}

// ---------------------------------------------------------------------------------------------------------------
// Normalization and validation (reads the local rules directory: runs at preview)

export function check(_olds: Record<string, unknown>, news: Record<string, unknown>): { inputs: FirewallDriverInputs; failures: CheckFailure[] } {
  const c = new Checker();
  const vifRules = c.optionalString(news, "vifRules", "");
  const inputs: FirewallDriverInputs = {
    ssh: checkSshTarget(c, news.ssh, "ssh"),
    novaConf: c.optionalString(news, "novaConf", NOVA_CONF),
    driver: c.oneOf(news, "driver", DRIVERS),
    dom0s: checkSshTargets(c, news.dom0s, "dom0s"),
    vifRules,
    vifRuleFiles: vifRules ? hashLocalDirectory(c, vifRules, "vifRules") : {},
    vifInitScript: c.optionalString(news, "vifInitScript", ""),
    restartCommand: checkArgv(c, news.restartCommand, "restartCommand"),
    adopt: c.optionalString(news, "adopt", ""),
  };
  if (!isUnknown(inputs.novaConf) && !inputs.novaConf.startsWith("/")) c.fail("novaConf", `novaConf must be an absolute path, got ${JSON.stringify(inputs.novaConf)}`);
  const dom0sKnown = !isUnknown(inputs.dom0s);
  if (inputs.driver === DOM0_DRIVER && dom0sKnown && inputs.dom0s.length === 0) {
    c.fail("dom0s", `${DOM0_DRIVER} runs iptables in dom0 through the xenhost plug-in: list the dom0s (ssh targets) so that it can be checked there`);
  }
  if (vifRules && dom0sKnown && inputs.dom0s.length === 0) c.fail("dom0s", "vifRules are installed in the dom0s: list them in dom0s");
  if (inputs.vifInitScript && !isUnknown(inputs.vifInitScript) && !isUnknown(inputs.vifRuleFiles) && !(inputs.vifInitScript in inputs.vifRuleFiles)) {
    c.fail("vifInitScript", `vifInitScript must name a file of vifRules (${Object.keys(inputs.vifRuleFiles).join(", ") || "none"}), got ${JSON.stringify(inputs.vifInitScript)}`);
  }
  return { inputs, failures: c.failures };
}

export function checkArgv(c: Checker, value: unknown, property: string): string[] {
  if (value === undefined || value === null) return [];
  if (isUnknown(value)) return value as string[];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string") || (value.length > 0 && !value[0])) {
    c.fail(property, `${property} must be a command as a list of arguments, e.g. ["systemctl", "restart", "nova-compute"]`);
    return [];
  }
  return value as string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Diff rules: all in place; a different compute VM or nova.conf is another resource (`adopt` only matters to
// create: never a change)

const UPDATABLE = ["driver", "dom0s", "vifRules", "vifRuleFiles", "vifInitScript", "restartCommand"] as const;
const REPLACING = ["ssh", "novaConf"] as const;

export function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): DiffResult {
  // The old resource restores the file before the new one records what it finds there.
  return diffByRules(olds, news, { update: UPDATABLE, replace: REPLACING, deleteBeforeReplace: () => true });
}

// ---------------------------------------------------------------------------------------------------------------
// SSH

export async function create(inputs: FirewallDriverInputs): Promise<{ id: string; outs: FirewallDriverOutputs }> {
  const outs = inputs.adopt ? await adopt(inputs) : await converge(undefined, inputs);
  return { id: `${targetId(inputs.ssh)}:${inputs.novaConf}#firewall_driver`, outs };
}

export async function update(_id: string, olds: FirewallDriverOutputs, news: FirewallDriverInputs): Promise<{ outs: FirewallDriverOutputs }> {
  return { outs: await converge(olds, news) };
}

export async function remove(_id: string, props: FirewallDriverOutputs): Promise<void> {
  await restoreOptions(props.ssh, props.novaConf, props.conf);
  for (const d of props.dom0s) {
    const files = props.installed[targetId(d)] ?? [];
    if (files.length > 0) await withTarget(d, (s) => removePaths(s, files));
  }
}

export async function read(id: string, props: FirewallDriverOutputs): Promise<{ id: string; props?: FirewallDriverOutputs; inputs?: FirewallDriverInputs }> {
  const { inputs } = await currentState(props);
  return { id, props: { ...props, ...inputs }, inputs };
}

/**
 * Takes `firewall_driver` (and the VIF rule files in the dom0s) as they already are: they must be exactly as
 * declared, else nothing happens and the error names each differing field; for the dom0 driver, the xenhost
 * plug-in must be there as for create. Nothing is written. What it found is recorded as the value to put back and
 * no rule file as installed, so a delete right after adoption changes nothing.
 */
async function adopt(inputs: FirewallDriverInputs): Promise<FirewallDriverOutputs> {
  const { inputs: current, driver } = await currentState(inputs);
  const compared = [...REPLACING, ...UPDATABLE];
  assertAdoptable(`FirewallDriver on ${targetId(inputs.ssh)}:${inputs.novaConf}`, inputs.adopt, inputs as unknown as Record<string, unknown>, current as unknown as Record<string, unknown>, compared);
  if (inputs.driver === DOM0_DRIVER) await checkXenhostPlugin(inputs.dom0s);
  const conf: ConfRecord = { previous: { [optionId("DEFAULT", "firewall_driver")]: driver ?? null }, createdSections: [], createdFile: false };
  return { ...inputs, conf, installed: {} };
}

/**
 * nova.conf's driver and the rule files in the dom0s, in the terms of `declared` (what `read` reports and what
 * adoption compares). A rule file reads as declared only when every dom0 has it with that content. Only reads.
 */
async function currentState(declared: FirewallDriverInputs): Promise<{ inputs: FirewallDriverInputs; driver: string | undefined }> {
  const driver = await withTarget(declared.ssh, async (s) => getOption(await readTextFile(s, declared.novaConf), "DEFAULT", "firewall_driver"));
  const vifRuleFiles: Record<string, string> = {};
  const names = Object.keys(declared.vifRuleFiles ?? {});
  if (names.length > 0) {
    const seen: Array<Record<string, string>> = [];
    for (const d of declared.dom0s) {
      seen.push(await withTarget(d, async (s) => ({
        ...(await remoteHashes(s, VIF_SCRIPTS_DIR, names.filter((n) => n !== declared.vifInitScript))),
        ...(declared.vifInitScript ? await remoteHashes(s, INIT_DIR, [declared.vifInitScript]) : {}),
      })));
    }
    for (const name of names) {
      const differing = seen.find((h) => h[name] !== declared.vifRuleFiles[name]);
      if (!differing) vifRuleFiles[name] = declared.vifRuleFiles[name];
      else if (differing[name] !== undefined) vifRuleFiles[name] = differing[name];
    }
  }
  const inputs: FirewallDriverInputs = {
    ssh: declared.ssh,
    novaConf: declared.novaConf,
    driver: (driver ?? "") as Driver,
    dom0s: declared.dom0s,
    vifRules: declared.vifRules,
    vifRuleFiles,
    vifInitScript: declared.vifInitScript,
    restartCommand: declared.restartCommand,
    adopt: declared.adopt ?? "",
  };
  return { inputs, driver };
}

async function converge(olds: FirewallDriverOutputs | undefined, news: FirewallDriverInputs): Promise<FirewallDriverOutputs> {
  if (news.driver === DOM0_DRIVER) await checkXenhostPlugin(news.dom0s);
  // Every local rules file is read and verified (a regular file, not a link, with the checked hash) before
  // anything changes anywhere: a refusal writes nothing.
  if (news.vifRules) readLocalFiles(news.vifRules, news.vifRuleFiles);
  // VIF isolation rules into the dom0s, first: nova.conf changes last, once what it relies on is there.
  const installed: Record<string, string[]> = structuredClone(olds?.installed ?? {});
  for (const d of olds?.dom0s ?? []) {
    const id = targetId(d);
    if (news.dom0s.some((n) => targetId(n) === id) || !installed[id]?.length) continue;
    await withTarget(d, (s) => removePaths(s, installed[id]));
    delete installed[id];
  }
  for (const d of news.dom0s) {
    const id = targetId(d);
    await withTarget(d, async (s) => {
      const wantedPaths = new Set(Object.keys(news.vifRuleFiles).map((n) => remotePath(news, n)));
      const dropped = (installed[id] ?? []).filter((p) => !wantedPaths.has(p));
      await removePaths(s, dropped);
      installed[id] = (installed[id] ?? []).filter((p) => wantedPaths.has(p));
      const record = (name: string) => (installed[id] = [...new Set([...installed[id], remotePath(news, name)])].sort());
      const { [news.vifInitScript]: initSum, ...scripts } = news.vifRuleFiles;
      await installFiles(s, news.vifRules, VIF_SCRIPTS_DIR, news.vifInitScript ? scripts : news.vifRuleFiles, 0o755, record);
      if (news.vifInitScript && initSum) await installFiles(s, news.vifRules, INIT_DIR, { [news.vifInitScript]: initSum }, 0o755, record);
    }).catch((e: unknown) => {
      throw new Error(`vifRules: installing on dom0 ${id} failed: ${reason(e)}`);
    });
    if (installed[id]?.length === 0) delete installed[id];
  }
  const conf = await withTarget(news.ssh, async (s) => {
    const r = await applyOptions(s, news.ssh, news.novaConf, [{ section: "DEFAULT", key: "firewall_driver", value: news.driver }], olds?.conf ?? NO_RECORD);
    if (r.changed && news.restartCommand.length > 0) await s.runChecked(news.restartCommand, { what: "restartCommand" });
    return r.record;
  });
  return { ...news, conf, installed };
}

function remotePath(news: FirewallDriverInputs, name: string): string {
  return name === news.vifInitScript ? `${INIT_DIR}/${name}` : `${VIF_SCRIPTS_DIR}/${name}`;
}

async function removePaths(s: Dom0Session, paths: string[]): Promise<void> {
  for (const p of paths) {
    const at = p.lastIndexOf("/");
    await removeFiles(s, p.slice(0, at), [p.slice(at + 1)]);
  }
}

/**
 * The dom0 driver calls the xenhost plug-in's `iptables_config` in each dom0: it must be installed there, or nova
 * fails at its first instance. Says which dom0 lacks it.
 */
async function checkXenhostPlugin(dom0s: SshTarget[]): Promise<void> {
  const missing: string[] = [];
  for (const d of dom0s) {
    const ok = await withTarget(d, async (s) => {
      const text = await readTextFile(s, `${PLUGIN_DIR}/xenhost`);
      return text !== undefined && text.includes("iptables_config");
    }).catch((e: unknown) => {
      throw new Error(`dom0s: cannot check dom0 ${targetId(d)} for the xenhost plug-in: ${reason(e)}`);
    });
    if (!ok) missing.push(targetId(d));
  }
  if (missing.length > 0) {
    throw new Error(
      `driver: ${DOM0_DRIVER} needs the dom0 plug-in xenhost (with iptables_config) in ${PLUGIN_DIR}, and it is not ` +
        `installed on dom0 ${missing.join(", ")}. Install nova's plug-ins there first (a Plugins resource, with this ` +
        "resource depending on it), or choose another driver.",
    );
  }
}

/** This module as the one implementation both surfaces (dynamic provider, plugin) dispatch to. */
export const contract = { check, diff, create, read, update, remove, updatable: UPDATABLE, replacing: REPLACING, stableOutputs: [] } satisfies ResourceContract<FirewallDriverInputs, FirewallDriverOutputs>;
