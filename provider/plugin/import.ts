import { sshSettings, xenSession } from "../context";
import { NOTHING_ADDED } from "../resources/host";
import { discoverDom0, hostFor, parseDom0Option } from "../discover/dom0";
import { walkPool } from "../discover/walk";
import { PbdRecord, Ref, SrRecord, VmRecord } from "../xenapi";
import { refByUuid } from "../resources/lookup";
import { canonical } from "../resources/diff";
import { ResourceContract } from "../resources/contract";
import { disksOf } from "../resources/vm/devices";

type Props = Record<string, unknown>;

/**
 * `pulumi import` (and the `import` resource option) reads an object with no recorded state. Each resource's `read`
 * reports an object in the terms of what the program declares (only the other-config keys it manages, a name where
 * it named one...); for an import, this says what a program that declares all of it would hold, so that `read`
 * returns complete inputs: the generated program then previews with no change.
 *
 * Every value here is a placeholder that only makes `read` report the field as xapi has it ("-" names nothing, so
 * read answers with the uuid). Maps of keys that xapi and other tools share (other-config, xenstore-data, sm-config)
 * stay unmanaged: the imported program takes over no key it did not name.
 */
const REPORT = "-";

/** What to read for an import: the object's uuid, and the declaration to read it against. */
export interface ImportRead {
  /**
   * The object's uuid: the id the state records (for a Host, its uuid, not the `<host>=<address>...` it was imported
   * by).
   */
  id: string;
  /**
   * The inputs a program declaring all of the object would hold, with placeholders where read should report xapi's
   * value.
   */
  declaration: Props;
}

const IMPORTERS: Record<string, (id: string) => Promise<ImportRead | undefined>> = {
  StorageRepository: async (id) => {
    const session = xenSession();
    const ref = await refByUuid(session, "SR", id);
    if (!ref) return undefined;
    const record = await session.call<SrRecord>("SR.get_record", ref);
    const [pbd] = await Promise.all(record.PBDs.slice(0, 1).map((p: Ref) => session.call<PbdRecord>("PBD.get_record", p)));
    return {
      id,
      declaration: {
        deviceConfig: pbd?.device_config ?? {},
        // A local SR lives on one host: name it; a shared one is on all of them.
        host: !record.shared && record.PBDs.length === 1 ? REPORT : "",
      },
    };
  },
  Vm: async (id) => {
    const session = xenSession();
    const ref = await refByUuid(session, "VM", id);
    if (!ref) return undefined;
    const record = await session.call<VmRecord>("VM.get_record", ref);
    if (record.is_a_template || record.is_control_domain) throw new Error(`import: ${id} is a template or a control domain, not a VM`);
    const hvm = record.HVM_boot_policy !== "";
    const devices = [...(await disksOf(session, record.VBDs)).keys()];
    return { id, declaration: {
      bootMode: hvm ? "hvm" : "pv",
      pvBootloader: hvm ? "" : REPORT,
      hvmBootOrder: hvm ? REPORT : "",
      firmware: hvm ? REPORT : "",
      memory: { staticMin: 0, dynamicMin: 0, dynamicMax: 0, staticMax: 0 },
      vcpus: { max: 0, atStartup: 0 },
      disks: devices.map((device) => ({ device, size: 0, sr: REPORT, name: REPORT, bootable: false })),
      networkInterfaces: [],
      cdrom: REPORT,
      affinity: REPORT,
    } };
  },
  Pool: async (id) => ({ id, declaration: { defaultSr: REPORT } }),
  /**
   * A Host's id for an import is its dom0 as `pulumi-xen discover --dom0` takes it,
   * `<host>=<address>[:port]@SHA256:<host key fingerprint>` (the host by uuid, name or address): xapi does not know
   * how to reach a dom0. The dom0 is read with read-only commands, as discover does; the state's id is the uuid.
   */
  Host: async (id) => {
    if (!id.includes("=")) {
      throw new Error(`import: a Host is imported as <host>=<address>[:port]@SHA256:<host key fingerprint> (its dom0's SSH target), not ${JSON.stringify(id)}`);
    }
    const option = parseDom0Option(id);
    const session = xenSession();
    const host = hostFor(option, (await walkPool(session)).hosts);
    const { adopt: _adopt, ...declaration } = await discoverDom0(host, option, sshSettings());
    const defaults = host.localSrs.filter((sr) => sr.localStorage);
    const localSrUuid = (declaration.localSr as string | undefined) ?? (defaults.length === 1 ? defaults[0].uuid : "");
    // A Host found already prepared: nothing was added by this stack, so delete leaves it all in place.
    return { id: host.uuid, declaration: { ...declaration, localSrUuid, added: NOTHING_ADDED } };
  },
};

/** The object to read for an import, and the declaration to read it against; undefined when no such object exists. */
export async function importDeclaration(kind: string, id: string): Promise<ImportRead | undefined> {
  const importer = IMPORTERS[kind];
  if (!importer) throw new Error(`import: ${kind} cannot be imported by id; declare it with \`adopt\` instead`);
  return importer(id);
}

/**
 * Inputs as a program would write them: an empty field ("", [], {}) is left out where check, without it, fills in
 * that same value (a default), so the program `pulumi import` prints carries no noise (and no "" where an enum
 * accepts none, such as firmware); the owner mark is the importing stack's, not a field.
 */
export async function asDeclared(contract: ResourceContract<any, any>, inputs: Props, ownerKey: string): Promise<Props> {
  const empty = (v: unknown) =>
    v === "" || v === undefined || (Array.isArray(v) && v.length === 0) || (!!v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0);
  const { ownerKey: _owner, ...declared } = inputs;
  for (const [key, value] of Object.entries(declared)) {
    if (!empty(value)) continue;
    const { [key]: _dropped, ...without } = declared;
    const { inputs: filled } = await contract.check({}, { ...without, ownerKey });
    if (canonical((filled as Props)[key]) === canonical(value)) delete declared[key];
  }
  return declared;
}
