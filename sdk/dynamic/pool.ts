/** The serialized provider of `pool` resources (see ../provider.ts). Its path is in states: keep it. */
import { providerMethods } from "../provider";

export = providerMethods("pool");
