/** The serialized provider of `host` resources (see ../provider.ts). Its path is in states: keep it. */
import { providerMethods } from "../provider";

export = providerMethods("host");
