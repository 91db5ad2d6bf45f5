/** XML-RPC framing with the xmlrpc package's (de)serializer, xapi-style: every reply is a Status struct, never a fault. */
import { Readable } from "stream";
// eslint-disable-next-line @typescript-eslint/no-var-requires
const Deserializer = require("xmlrpc/lib/deserializer");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const serializer = require("xmlrpc/lib/serializer");
import { bareStrings } from "./values";
import type { Outcome } from "../dispatch";

export function parseCall(body: string): Promise<{ method: string; params: unknown[] }> {
  return new Promise((resolve, reject) => {
    const d = new Deserializer("utf8");
    d.deserializeMethodCall(Readable.from([body]), (err: Error | null, method: string, params: unknown[]) => {
      if (err) reject(err); else resolve({ method, params: params ?? [] });
    });
  });
}

export function envelope(o: Outcome): unknown {
  return o.ok ? { Status: "Success", Value: o.value } : { Status: "Failure", ErrorDescription: o.error };
}

export function renderResponse(o: Outcome): string {
  return serializer.serializeMethodResponse(bareStrings(envelope(o)));
}

/** A methodCall document, as xapi hands it to plug-ins in argv[1]. */
export function renderCall(method: string, params: unknown[]): string {
  return serializer.serializeMethodCall(method, params.map(bareStrings));
}

export function parseResponse(body: string): Promise<{ fault?: { faultCode: unknown; faultString: unknown }; value?: unknown }> {
  return new Promise((resolve, reject) => {
    const d = new Deserializer("utf8");
    d.deserializeMethodResponse(Readable.from([body]), (err: any, value: unknown) => {
      if (err && err.faultCode !== undefined) resolve({ fault: { faultCode: err.faultCode, faultString: err.faultString } });
      else if (err) reject(err);
      else resolve({ value });
    });
  });
}
