import schemaJson from "./schema.json";

/** The parts of a Pulumi package schema (schema.json beside this module) the plugin and the tests read. */
export interface SchemaProperty {
  type?: string;
  $ref?: string;
  items?: SchemaProperty;
  additionalProperties?: SchemaProperty;
  description?: string;
  secret?: boolean;
  default?: unknown;
  enum?: unknown[];
}

export interface SchemaResource {
  description?: string;
  properties: Record<string, SchemaProperty>;
  required?: string[];
  inputProperties: Record<string, SchemaProperty>;
  requiredInputs?: string[];
}

export interface PackageSchema {
  name: string;
  version?: string;
  config: { variables: Record<string, SchemaProperty> };
  resources: Record<string, SchemaResource>;
  types?: Record<string, { type: string; properties?: Record<string, SchemaProperty>; required?: string[] }>;
}

/** The package schema (schema.json beside this module; the build copies it into dist/ with the code). */
export function loadSchema(version?: string): PackageSchema {
  const schema = schemaJson as unknown as PackageSchema;
  return version ? { ...schema, version } : schema;
}

/** Properties the schema marks secret: as inputs, and as outputs. */
export function secretProperties(resource: SchemaResource): { inputs: string[]; outputs: string[] } {
  const secret = (props: Record<string, SchemaProperty>) => Object.keys(props).filter((k) => props[k].secret);
  return { inputs: secret(resource.inputProperties ?? {}), outputs: secret(resource.properties ?? {}) };
}
