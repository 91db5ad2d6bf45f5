import type * as pulumiProvider from "@pulumi/pulumi/provider";
import { configure } from "../context";
import { canonical } from "../resources/diff";
import { isUnknown } from "../resources/unknown";
import { CheckFailure } from "../resources/check";
import { ownerKeyOf, resourceFor } from "./resources";
import { asDeclared, importDeclaration } from "./import";
import { storedInputs, withStoredDefaults } from "../resources/defaults";
import { loadSchema, PackageSchema, secretProperties } from "./schema";

type Props = Record<string, unknown>;

/** How one property changes, as the engine's detailed diff has it. */
export type PropertyChange = "update" | "replace";

/** A diff the engine can show field by field: what `provider.main`'s server (3.259) drops is kept here. */
export interface DetailedDiff extends pulumiProvider.DiffResult {
  /** Whether any input of the diff rules differs (as in ../resources/diff.ts DiffResult). */
  changes: boolean;
  /** The replacing inputs that differ; non-empty: the object is replaced. */
  replaces: string[];
  /** Whether the old object is deleted before its replacement is made. */
  deleteBeforeReplace: boolean;
  /** Each changed input, and whether it updates in place or replaces. */
  detailedDiff: Record<string, PropertyChange>;
  /** Outputs this update leaves as they are (known during preview). */
  stables: string[];
}

/**
 * The `xen` provider plugin's behaviour, on plain values (secrets are the server's business, ./server.ts): the
 * `Provider` interface of `@pulumi/pulumi/provider` (check/diff/create/read/update/delete, schema, version), extended
 * with what the engine also takes: a detailed diff, stable outputs, and previews of create and update.
 * Every method dispatches to the resource's one implementation (provider/resources/<kind>, its `contract`).
 */
export class XenProvider implements pulumiProvider.Provider {
  /** The package schema the plugin serves (getSchema), its version set to the plugin's. */
  readonly packageSchema: PackageSchema;

  constructor(
    /** The plugin's version (package.json's), reported to the engine and set in the schema. */
    readonly version: string,
  ) {
    this.packageSchema = loadSchema(version);
  }

  getSchema(): Promise<string> {
    return Promise.resolve(JSON.stringify(this.packageSchema));
  }

  /** Stack config as the engine hands it over (`xen:config:<key>`), read as `xen:<key>` like the dynamic provider. */
  configure(variables: Map<string, string>): void {
    const config = new Map<string, string>();
    for (const [key, value] of variables) config.set(key.replace(/^xen:config:/, "xen:"), value);
    configure({ get: (key) => config.get(key) });
  }

  async check(urn: string, olds: Props, news: Props): Promise<{ inputs: Props; failures: CheckFailure[] }> {
    const { contract } = resourceFor(urn);
    // The owner mark the TypeScript SDK sets from the program: here from the URN, kept as it was once recorded.
    const ownerKey = typeof olds.ownerKey === "string" ? olds.ownerKey : typeof news.ownerKey === "string" ? news.ownerKey : ownerKeyOf(urn);
    const { inputs, failures } = await contract.check(withStoredDefaults(contract, olds), { ...news, ownerKey });
    return { inputs: storedInputs(contract, inputs) as Props, failures };
  }

  async diff(id: string, urn: string, storedOlds: Props, storedNews: Props): Promise<DetailedDiff> {
    const { contract } = resourceFor(urn);
    const olds: Props = withStoredDefaults(contract, storedOlds);
    const news: Props = withStoredDefaults(contract, storedNews);
    const result = contract.diff(id, olds, news);
    const changed = (field: string) => isUnknown(news[field]) || canonical(olds[field]) !== canonical(news[field]);
    const detailedDiff: Record<string, PropertyChange> = {};
    for (const field of contract.updatable as string[]) if (changed(field)) detailedDiff[field] = "update";
    for (const field of result.replaces) detailedDiff[field] = "replace";
    const stables = result.replaces.length > 0
      ? []
      : [...(contract.stableOutputs as readonly string[]), ...Object.keys(news).filter((k) => !(k in detailedDiff))];
    return { changes: result.changes, replaces: result.replaces, deleteBeforeReplace: result.deleteBeforeReplace, detailedDiff, stables };
  }

  /** In a preview nothing is made: the outputs are the inputs, the rest unknown (absent). */
  async create(urn: string, stored: Props, preview = false): Promise<{ id: string; outs: Props }> {
    const { contract } = resourceFor(urn);
    const inputs: Props = withStoredDefaults(contract, stored);
    if (preview) return { id: "", outs: inputs };
    return contract.create(inputs);
  }

  /** With no recorded state (an import), the object is read as a program declaring all of it would describe it. */
  async read(id: string, urn: string, props: Props): Promise<{ id: string; props?: Props; inputs?: Props }> {
    const { kind, contract } = resourceFor(urn);
    if (Object.keys(props).length > 0) {
      const result = await contract.read(id, props);
      return { ...result, inputs: result.inputs && (storedInputs(contract, result.inputs) as Props) };
    }
    const found = await importDeclaration(kind, id);
    if (!found) return { id: "" };
    const result = await contract.read(found.id, found.declaration);
    if (!result.props || !result.inputs) return result;
    // The state's outputs hold every input, normalized (as create's do): what diff compares the program against.
    const declared = await asDeclared(contract, result.inputs, ownerKeyOf(urn));
    const { inputs: full, failures } = await contract.check({}, { ...declared, ownerKey: ownerKeyOf(urn) });
    if (failures.length > 0) throw new Error(`import: ${kind} ${found.id} as read does not pass check: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
    return { id: result.id, props: { ...(full as Props), ...result.props }, inputs: declared };
  }

  /** In a preview nothing changes: the new inputs, and the outputs an update keeps (the uuid...) as they are. */
  async update(id: string, urn: string, olds: Props, stored: Props, preview = false): Promise<{ outs: Props }> {
    const { contract } = resourceFor(urn);
    const news: Props = withStoredDefaults(contract, stored);
    if (preview) {
      const kept = Object.fromEntries((contract.stableOutputs as readonly string[]).filter((k) => k in olds).map((k) => [k, olds[k]]));
      return { outs: { ...kept, ...news } };
    }
    return contract.update(id, olds, news);
  }

  async delete(id: string, urn: string, props: Props): Promise<void> {
    await resourceFor(urn).contract.remove(id, props);
  }

  /** Properties the schema declares secret for the resource `urn` names (inputs, outputs). */
  secretsOf(urn: string): { inputs: string[]; outputs: string[] } {
    const kind = resourceFor(urn).kind;
    const resource = this.packageSchema.resources[`xen:index:${kind}`];
    return resource ? secretProperties(resource) : { inputs: [], outputs: [] };
  }
}
