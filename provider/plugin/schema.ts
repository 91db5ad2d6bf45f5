import schemaJson from "./schema.json";

/** The parts of a Pulumi package schema (schema.json beside this module) the plugin and the tests read. */
export interface SchemaProperty {
  /**
   * The property's primitive type (`string`, `number`, `integer`, `boolean`, `array`, `object`); absent when `$ref`
   * names it.
   */
  type?: string;
  /** A reference to an object type of the schema, `#/types/xen:index:<Name>` (instead of `type`). */
  $ref?: string;
  /** The element's type, when `type` is `array`. */
  items?: SchemaProperty;
  /** The values' type, when `type` is `object` and the property is a map (string keys). */
  additionalProperties?: SchemaProperty;
  /** The property's documentation, as the generated SDKs show it. */
  description?: string;
  /** True when the value is secret (the plugin wraps it as a secret, as input and as output); absent means false. */
  secret?: boolean;
  /** The value the property takes when the program leaves it out; absent: no schema-level default. */
  default?: unknown;
  /** The values the property may take; absent: any value of `type`. */
  enum?: unknown[];
}

/** A resource of the package schema (one entry of `resources`, keyed by its type token `xen:index:<Kind>`). */
export interface SchemaResource {
  /** The resource's documentation, as the generated SDKs show it. */
  description?: string;
  /** The resource's outputs, by name. */
  properties: Record<string, SchemaProperty>;
  /** The outputs always present; absent: none is. */
  required?: string[];
  /** The resource's inputs (its Args), by name. */
  inputProperties: Record<string, SchemaProperty>;
  /** The inputs a program must give; absent: none is required. */
  requiredInputs?: string[];
}

/** The package schema as a whole (the parts of schema.json the plugin and the tests read). */
export interface PackageSchema {
  /** The package name, `xen` (the type tokens' first part, and the `xen:` config namespace). */
  name: string;
  /** The package version; loadSchema sets it to the plugin's own version when given one. */
  version?: string;
  /** The provider's configuration keys (`xen:<key>`), by key. */
  config: { variables: Record<string, SchemaProperty> };
  /** The resources, by type token (`xen:index:<Kind>`). */
  resources: Record<string, SchemaResource>;
  /** The object types the properties' `$ref`s name, by type token (`xen:index:<Name>`); absent: none. */
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
