import { xenSession } from "../context";
import { PbdRecord, Ref, SrRecord, VmRecord } from "../xenapi";
import { refByUuid } from "../resources/lookup";
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

const IMPORTERS: Record<string, (id: string) => Promise<Props | undefined>> = {
  StorageRepository: async (id) => {
    const session = xenSession();
    const ref = await refByUuid(session, "SR", id);
    if (!ref) return undefined;
    const record = await session.call<SrRecord>("SR.get_record", ref);
    const [pbd] = await Promise.all(record.PBDs.slice(0, 1).map((p: Ref) => session.call<PbdRecord>("PBD.get_record", p)));
    return {
      deviceConfig: pbd?.device_config ?? {},
      // A local SR lives on one host: name it; a shared one is on all of them.
      host: !record.shared && record.PBDs.length === 1 ? REPORT : "",
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
    return {
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
    };
  },
  Pool: async () => ({ defaultSr: REPORT }),
};

/** The declaration to read an object being imported against; undefined when no such object exists. */
export async function importDeclaration(kind: string, id: string): Promise<Props | undefined> {
  const importer = IMPORTERS[kind];
  if (!importer) throw new Error(`import: ${kind} cannot be imported by id; declare it with \`adopt\` instead`);
  return importer(id);
}

/**
 * Inputs as a program would write them: fields left empty ("" strings, empty lists and maps) are dropped, since
 * check fills them in again (and some, such as firmware, accept no ""); the owner mark is the importing stack's.
 */
export function asDeclared(inputs: Props): Props {
  const empty = (v: unknown) =>
    v === "" || v === undefined || (Array.isArray(v) && v.length === 0) || (!!v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0);
  return Object.fromEntries(Object.entries(inputs).filter(([k, v]) => k !== "ownerKey" && !empty(v)));
}
