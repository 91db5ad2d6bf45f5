import { isUnknown } from "./unknown";

/** A problem with one input field, reported by `check` so that `pulumi preview` shows it. */
export interface CheckFailure {
  /** The input's name as Pulumi shows it, e.g. `memory` or `disks[0].size`. */
  property: string;
  /** What is wrong, without a leading "<property>: " (see `failure`). */
  reason: string;
}

/**
 * Collects failures while normalizing inputs. Every helper skips values not known yet (preview), returning them
 * unchanged, so `check` tolerates unknowns without special cases in each resource.
 */
export class Checker {
  /** The failures found so far, in the order found; empty when the inputs are valid. */
  readonly failures: CheckFailure[] = [];

  /** Pulumi shows "property <property> ... has a problem: <reason>", so a leading "<property>: " is dropped. */
  fail(property: string, reason: string): void {
    this.failures.push(failure(property, reason));
  }

  /** A required non-empty string. */
  requiredString(inputs: Record<string, unknown>, property: string): string {
    const value = inputs[property];
    if (isUnknown(value)) return value as string;
    if (typeof value !== "string" || value.trim() === "") {
      this.fail(property, `${property} is required and must be a non-empty string`);
      return "";
    }
    return value;
  }

  optionalString(inputs: Record<string, unknown>, property: string, fallback: string): string {
    const value = inputs[property];
    if (value === undefined || value === null) return fallback;
    if (isUnknown(value)) return value as string;
    if (typeof value !== "string") {
      this.fail(property, `${property} must be a string, got ${typeof value}`);
      return fallback;
    }
    return value;
  }

  optionalBoolean(inputs: Record<string, unknown>, property: string, fallback: boolean): boolean {
    const value = inputs[property];
    if (value === undefined || value === null) return fallback;
    if (isUnknown(value)) return value as boolean;
    if (typeof value !== "boolean") {
      this.fail(property, `${property} must be true or false, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return value;
  }

  oneOf<T extends string>(inputs: Record<string, unknown>, property: string, allowed: readonly T[]): T {
    const value = inputs[property];
    if (isUnknown(value)) return value as T;
    if (typeof value !== "string" || !allowed.includes(value as T)) {
      this.fail(property, `${property} must be one of ${allowed.join(", ")}; got ${JSON.stringify(value)}`);
      return allowed[0];
    }
    return value as T;
  }

  /** A string-to-string map; keys sorted so that state and diffs are stable. */
  stringMap(inputs: Record<string, unknown>, property: string): Record<string, string> {
    const value = inputs[property];
    if (value === undefined || value === null) return {};
    if (isUnknown(value) && !isPlainObject(value)) return value as Record<string, string>;
    if (!isPlainObject(value)) {
      this.fail(property, `${property} must be a map of strings`);
      return {};
    }
    const out: Record<string, string> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined || v === null) continue;
      if (typeof v !== "string") {
        this.fail(property, `${property}["${key}"] must be a string, got ${typeof v}`);
        continue;
      }
      out[key] = v;
    }
    return out;
  }

  /** A set of strings: de-duplicated and sorted, so order never shows as a diff. */
  stringSet(inputs: Record<string, unknown>, property: string): string[] {
    const value = inputs[property];
    if (value === undefined || value === null) return [];
    if (isUnknown(value) && !Array.isArray(value)) return value as string[];
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
      this.fail(property, `${property} must be a list of strings`);
      return [];
    }
    return [...new Set(value as string[])].sort();
  }
}

export function failure(property: string, reason: string): CheckFailure {
  return { property, reason: reason.startsWith(`${property}: `) ? reason.slice(property.length + 2) : reason };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
