/** Normalizes a MAC address to xapi's lower-case colon form; throws with the reason when it is not one. */
export function normalizeMac(value: string): string {
  const hex = value.trim().toLowerCase();
  if (!/^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/.test(hex)) {
    throw new Error(`"${value}" is not a MAC address (six hex pairs like 02:16:3e:aa:bb:cc)`);
  }
  const mac = hex.replace(/-/g, ":");
  if (parseInt(mac.slice(0, 2), 16) & 1) throw new Error(`"${value}" is a multicast address; a VIF needs a unicast MAC`);
  return mac;
}
