import { CheckFailure } from "./check";
import { ResourceContract } from "./contract";
import { DiffResult } from "./diff";
import { storedInputs, withStoredDefaults } from "./defaults";

type Raw = Record<string, unknown>;

/** The methods the serialized dynamic providers (sdk/provider.ts) call for one resource kind, by these names. */
export interface DynamicMethods {
  check(olds: Raw, news: Raw): Promise<{ inputs: Raw; failures: CheckFailure[] }>;
  diff(id: string, olds: Raw, news: Raw): DiffResult;
  create(inputs: Raw): Promise<{ id: string; outs: Raw }>;
  read(id: string, props: Raw): Promise<{ id: string; props?: Raw; inputs?: Raw }>;
  update(id: string, olds: Raw, news: Raw): Promise<{ outs: Raw }>;
  remove(id: string, props: Raw): Promise<void>;
}

/**
 * A resource module as the dynamic provider serves it: its contract, with the inputs stored without their defaults
 * (./defaults.ts) and put back before the module sees them. The names are in every state's serialized provider:
 * keep them.
 */
export function dynamicMethods<I extends object, O extends I>(contract: ResourceContract<I, O>): DynamicMethods {
  const full = (stored: Raw) => withStoredDefaults<I>(contract, stored);
  return {
    check: async (olds, news) => {
      const { inputs, failures } = await contract.check(full(olds) as Raw, news);
      return { inputs: storedInputs(contract, inputs) as Raw, failures };
    },
    diff: (id, olds, news) => contract.diff(id, full(olds) as Raw, full(news) as Raw),
    create: async (inputs) => (await contract.create(full(inputs))) as { id: string; outs: Raw },
    read: async (id, props) => {
      const result = await contract.read(id, props as O);
      return { ...result, props: result.props as Raw | undefined, inputs: result.inputs && (storedInputs(contract, result.inputs) as Raw) };
    },
    update: async (id, olds, news) => (await contract.update(id, full(olds) as O, full(news))) as { outs: Raw },
    remove: (id, props) => contract.remove(id, props as O),
  };
}
