import { readTextFile } from "../dom0";
import { xenPassword } from "../context";
import { ResourceContract } from "./contract";
import { Checker, CheckFailure } from "./check";
import { diffByRules, DiffResult } from "./diff";
import { isUnknown } from "./unknown";
import { checkSshTarget, SshTarget, targetId, withTarget } from "./ssh-target";
import { applyOptions, ConfRecord, getOption, ManagedOption, NO_RECORD, optionId, restoreOptions } from "./nova-conf";
import { assertAdoptable } from "./adopt";
import { checkArgv, NOVA_CONF } from "./firewall-driver";

/**
 * NovaComputeConfig: the XenAPI options of nova.conf on the nova-compute VM, as the guide lists them —
 * `[DEFAULT] compute_driver = xenapi.XenAPIDriver`, `vncserver_proxyclient_address`, and `[xenserver]`
 * `connection_url`, `connection_username`, `connection_password`, `sr_matching_filter`, `agent_version_timeout` —
 * each edited in place (the same mechanics as FirewallDriver), restored on delete.
 *
 * The password is a secret: given as an input it is kept encrypted in the state (the SDK marks it secret and lists
 * it in additionalSecretOutputs); omitted, the stack's `xen:password` is written and nothing of it is stored.
 */

export interface NovaComputeConfigInputs {
  /** The nova-compute VM, over SSH. */
  ssh: SshTarget;
  /** Absolute path of nova.conf on the VM; default `/etc/nova/nova.conf`. */
  novaConf: string;
  /** `[DEFAULT] compute_driver`; default `xenapi.XenAPIDriver`. */
  computeDriver: string;
  /** `[xenserver] connection_url`: http(s)://<address> of the XenServer. Required. */
  connectionUrl: string;
  /** `[xenserver] connection_username`; default `root`. */
  connectionUsername: string;
  /** Absent: the stack's `xen:password` is written (and never stored). */
  connectionPassword?: string;
  /** `[xenserver] sr_matching_filter`; absent: the option is not managed. */
  srMatchingFilter?: string;
  /** `[xenserver] agent_version_timeout`, in whole seconds; absent: the option is not managed. */
  agentVersionTimeout?: number;
  /** `[DEFAULT] vncserver_proxyclient_address`; absent: the option is not managed. */
  vncserverProxyclientAddress?: string;
  /** Command (argv) run on the VM after nova.conf changed; [] = run nothing. */
  restartCommand: string[];
  /**
   * Any non-empty marker: take the options as they already are instead of writing them ("" = converge). Create
   * then only reads, and fails naming each option that differs (never showing a password).
   */
  adopt: string;
}

export interface NovaComputeConfigOutputs extends NovaComputeConfigInputs {
  /** What was in nova.conf before (restored on delete). A secret output: it may hold an old password. */
  conf: ConfRecord;
}

// ---------------------------------------------------------------------------------------------------------------
// Normalization and validation (pure)

export function check(_olds: Record<string, unknown>, news: Record<string, unknown>): { inputs: NovaComputeConfigInputs; failures: CheckFailure[] } {
  const c = new Checker();
  const inputs: NovaComputeConfigInputs = {
    ssh: checkSshTarget(c, news.ssh, "ssh"),
    novaConf: c.optionalString(news, "novaConf", NOVA_CONF),
    computeDriver: c.optionalString(news, "computeDriver", "xenapi.XenAPIDriver"),
    connectionUrl: c.requiredString(news, "connectionUrl"),
    connectionUsername: c.optionalString(news, "connectionUsername", "root"),
    restartCommand: checkArgv(c, news.restartCommand, "restartCommand"),
    adopt: c.optionalString(news, "adopt", ""),
  };
  if (!isUnknown(inputs.connectionUrl) && inputs.connectionUrl && !/^https?:\/\/\S+$/.test(inputs.connectionUrl)) {
    c.fail("connectionUrl", "connectionUrl must be the XenServer's management address as http(s)://<address>");
  }
  const optional = (key: "connectionPassword" | "srMatchingFilter" | "vncserverProxyclientAddress") => {
    if (news[key] !== undefined && news[key] !== null) inputs[key] = c.optionalString(news, key, "");
  };
  optional("connectionPassword");
  optional("srMatchingFilter");
  optional("vncserverProxyclientAddress");
  const timeout = news.agentVersionTimeout;
  if (timeout !== undefined && timeout !== null) {
    if (isUnknown(timeout)) inputs.agentVersionTimeout = timeout as number;
    else if (!Number.isInteger(timeout) || (timeout as number) < 0) c.fail("agentVersionTimeout", "agentVersionTimeout must be a whole number of seconds");
    else inputs.agentVersionTimeout = timeout as number;
  }
  for (const key of ["connectionUrl", "connectionUsername", "connectionPassword", "srMatchingFilter", "vncserverProxyclientAddress", "computeDriver"] as const) {
    const v = inputs[key];
    // never echo the value: it may be the password
    if (typeof v === "string" && /[\r\n]/.test(v)) c.fail(key, `${key} must be one line`);
  }
  if (!isUnknown(inputs.novaConf) && !inputs.novaConf.startsWith("/")) c.fail("novaConf", "novaConf must be an absolute path");
  return { inputs, failures: c.failures };
}

// ---------------------------------------------------------------------------------------------------------------
// Diff rules (`adopt` only matters to create: never a change)

const UPDATABLE = [
  "computeDriver",
  "connectionUrl",
  "connectionUsername",
  "connectionPassword",
  "srMatchingFilter",
  "agentVersionTimeout",
  "vncserverProxyclientAddress",
  "restartCommand",
] as const;
const REPLACING = ["ssh", "novaConf"] as const;

export function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): DiffResult {
  return diffByRules(olds, news, { update: UPDATABLE, replace: REPLACING, deleteBeforeReplace: () => true });
}

// ---------------------------------------------------------------------------------------------------------------
// SSH

/** The nova.conf options these inputs stand for, in the order the guide lists them. */
function options(inputs: NovaComputeConfigInputs): ManagedOption[] {
  const password = inputs.connectionPassword ?? xenPassword();
  if (password === undefined) {
    throw new Error("connectionPassword: not given, and the stack has no xen:password to use for it");
  }
  const o: ManagedOption[] = [
    { section: "DEFAULT", key: "compute_driver", value: inputs.computeDriver },
    { section: "xenserver", key: "connection_url", value: inputs.connectionUrl },
    { section: "xenserver", key: "connection_username", value: inputs.connectionUsername },
    { section: "xenserver", key: "connection_password", value: password },
  ];
  if (inputs.srMatchingFilter !== undefined) o.push({ section: "xenserver", key: "sr_matching_filter", value: inputs.srMatchingFilter });
  if (inputs.agentVersionTimeout !== undefined) o.push({ section: "xenserver", key: "agent_version_timeout", value: String(inputs.agentVersionTimeout) });
  if (inputs.vncserverProxyclientAddress !== undefined) {
    o.push({ section: "DEFAULT", key: "vncserver_proxyclient_address", value: inputs.vncserverProxyclientAddress });
  }
  if (/[\r\n]/.test(password)) throw new Error("connectionPassword: must be one line");
  return o;
}

export async function create(inputs: NovaComputeConfigInputs): Promise<{ id: string; outs: NovaComputeConfigOutputs }> {
  const outs = inputs.adopt ? await adopt(inputs) : await converge(undefined, inputs);
  return { id: `${targetId(inputs.ssh)}:${inputs.novaConf}#xenserver`, outs };
}

export async function update(_id: string, olds: NovaComputeConfigOutputs, news: NovaComputeConfigInputs): Promise<{ outs: NovaComputeConfigOutputs }> {
  return { outs: await converge(olds, news) };
}

export async function remove(_id: string, props: NovaComputeConfigOutputs): Promise<void> {
  await restoreOptions(props.ssh, props.novaConf, props.conf);
}

export async function read(id: string, props: NovaComputeConfigOutputs): Promise<{ id: string; props?: NovaComputeConfigOutputs; inputs?: NovaComputeConfigInputs }> {
  const text = await withTarget(props.ssh, (s) => readTextFile(s, props.novaConf));
  const inputs = currentInputs(text, props);
  return { id, props: { ...props, ...inputs }, inputs };
}

/** nova.conf's options in the terms of `declared` (what `read` reports and what adoption compares). */
function currentInputs(text: string | undefined, declared: NovaComputeConfigInputs): NovaComputeConfigInputs {
  const get = (section: string, key: string) => getOption(text, section, key) ?? "";
  const inputs: NovaComputeConfigInputs = {
    ssh: declared.ssh,
    novaConf: declared.novaConf,
    computeDriver: get("DEFAULT", "compute_driver"),
    connectionUrl: get("xenserver", "connection_url"),
    connectionUsername: get("xenserver", "connection_username"),
    restartCommand: declared.restartCommand,
    adopt: declared.adopt ?? "",
  };
  if (declared.connectionPassword !== undefined) {
    // Never hand the file's value back: the stored secret when it still matches, else a marker that is no secret.
    inputs.connectionPassword = get("xenserver", "connection_password") === declared.connectionPassword ? declared.connectionPassword : CHANGED_PASSWORD;
  }
  if (declared.srMatchingFilter !== undefined) inputs.srMatchingFilter = get("xenserver", "sr_matching_filter");
  if (declared.agentVersionTimeout !== undefined) {
    const t = get("xenserver", "agent_version_timeout");
    inputs.agentVersionTimeout = /^\d+$/.test(t) ? Number(t) : -1;
  }
  if (declared.vncserverProxyclientAddress !== undefined) inputs.vncserverProxyclientAddress = get("DEFAULT", "vncserver_proxyclient_address");
  return inputs;
}

const CHANGED_PASSWORD = "(changed in nova.conf)";
const PASSWORD_ID = optionId("xenserver", "connection_password");

/**
 * Takes the options as they already are: each must have the declared value (the password: the declared one, else
 * the stack's `xen:password`), else nothing happens and the error names each differing option, showing no
 * password. Nothing is written and restartCommand is not run. The values found are recorded as the ones to put
 * back, so a delete right after adoption changes nothing (a password taken from `xen:password` is not recorded:
 * nothing of it is stored, and delete leaves that line as it is anyway).
 */
async function adopt(inputs: NovaComputeConfigInputs): Promise<NovaComputeConfigOutputs> {
  const wanted = options(inputs);
  const text = await withTarget(inputs.ssh, (s) => readTextFile(s, inputs.novaConf));
  const current = currentInputs(text, inputs) as unknown as Record<string, unknown>;
  const declared = { ...inputs } as unknown as Record<string, unknown>;
  // The password is compared, never shown.
  const password = wanted.find((o) => optionId(o.section, o.key) === PASSWORD_ID)!.value;
  const found = getOption(text, "xenserver", "connection_password");
  declared.connectionPassword = inputs.connectionPassword === undefined ? "(the stack's xen:password)" : "(the declared secret)";
  current.connectionPassword = found === password ? declared.connectionPassword : found === undefined ? "(absent)" : "(another value)";
  const compared = [...REPLACING, ...UPDATABLE];
  assertAdoptable(`NovaComputeConfig on ${targetId(inputs.ssh)}:${inputs.novaConf}`, inputs.adopt, declared, current, compared);
  const previous: Record<string, string | null> = {};
  for (const o of wanted) {
    const id = optionId(o.section, o.key);
    if (id === PASSWORD_ID && inputs.connectionPassword === undefined) continue;
    previous[id] = getOption(text, o.section, o.key) ?? null;
  }
  return { ...inputs, conf: { previous, createdSections: [], createdFile: false } };
}

async function converge(olds: NovaComputeConfigOutputs | undefined, news: NovaComputeConfigInputs): Promise<NovaComputeConfigOutputs> {
  const wanted = options(news);
  const conf = await withTarget(news.ssh, async (s) => {
    const r = await applyOptions(s, news.ssh, news.novaConf, wanted, olds?.conf ?? NO_RECORD);
    if (r.changed && news.restartCommand.length > 0) await s.runChecked(news.restartCommand, { what: "restartCommand" });
    return r.record;
  });
  return { ...news, conf };
}

/** This module as the one implementation both surfaces (dynamic provider, plugin) dispatch to. */
export const contract = { check, diff, create, read, update, remove, updatable: UPDATABLE, replacing: REPLACING, stableOutputs: [] } satisfies ResourceContract<NovaComputeConfigInputs, NovaComputeConfigOutputs>;
