/** The serialized provider of `novaComputeConfig` resources (see ../provider.ts). Its path is in states: keep it. */
import { providerMethods } from "../provider";

export = providerMethods("novaComputeConfig");
