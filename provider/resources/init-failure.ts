/**
 * A create that made something and then failed must still hand the engine the object's id, or the state never
 * records it and `destroy` leaves it behind. Pulumi's dynamic-provider server turns an error carrying `id`,
 * `properties` and `reasons` into an initialization failure: the resource is recorded (with those outputs) and
 * the next `up` finishes it through update.
 */
export function initFailure(id: string, properties: Record<string, unknown>, cause: unknown): Error {
  const message = (cause as Error)?.message ?? String(cause);
  return Object.assign(new Error(message), { id, properties, reasons: [message] });
}
