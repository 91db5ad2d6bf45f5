import { callAsync, PowerState, Ref, XenApiSession, isXenApiError, GuestMetricsRecord, isNullRef, poolView, VmRecord } from "../../xenapi";
import { DesiredPowerState } from "./inputs";

const XAPI_STATE: Record<DesiredPowerState, PowerState> = { running: "Running", halted: "Halted", paused: "Paused" };

/** The VM's power state, from the pool view (caught up after this process's writes). */
export async function powerStateOf(session: XenApiSession, vm: Ref): Promise<PowerState> {
  const record = await poolView(session).get<VmRecord>("VM", vm);
  if (!record) throw new Error(`the VM (${vm}) is gone`);
  return record.power_state;
}

/** Moves the VM to `desired` by the shortest XenAPI path. Long steps run as async tasks. */
export async function setPowerState(session: XenApiSession, vm: Ref, desired: DesiredPowerState, onProgress?: (p: number) => void): Promise<void> {
  const actual = await powerStateOf(session, vm);
  const target = XAPI_STATE[desired];
  if (actual === target) return;
  const opts = { onProgress };
  switch (`${actual}->${target}`) {
    case "Halted->Running":
      return void (await callAsync(session, "VM.start", [vm, false, false], opts));
    case "Halted->Paused":
      return void (await callAsync(session, "VM.start", [vm, true, false], opts));
    case "Running->Paused":
      return void (await callAsync(session, "VM.pause", [vm]));
    case "Paused->Running":
      return void (await callAsync(session, "VM.unpause", [vm]));
    case "Suspended->Running":
      return void (await callAsync(session, "VM.resume", [vm, false, false], opts));
    case "Suspended->Paused":
      return void (await callAsync(session, "VM.resume", [vm, true, false], opts));
    case "Running->Halted":
      return halt(session, vm);
    case "Paused->Halted":
    case "Suspended->Halted":
      return void (await callAsync(session, "VM.hard_shutdown", [vm]));
    default:
      throw new Error(`powerState: cannot move the VM from ${actual} to ${target}`);
  }
}

/** Clean shutdown, falling back to a hard one when the guest does not cooperate (no PV drivers, hung). */
export async function halt(session: XenApiSession, vm: Ref): Promise<void> {
  const state = await powerStateOf(session, vm);
  if (state === "Halted") return;
  if (state === "Running") {
    try {
      await callAsync(session, "VM.clean_shutdown", [vm], { timeoutMs: 120_000 });
      return;
    } catch (err) {
      if (isXenApiError(err, "VM_BAD_POWER_STATE")) return;
    }
  }
  await callAsync(session, "VM.hard_shutdown", [vm]);
}

/** Waits for the guest agent to report an IPv4 address on its first interface. */
export async function waitForIp(session: XenApiSession, vm: Ref, timeoutSeconds: number): Promise<string> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (let wait = 250; ; wait = Math.min(wait * 2, 5000)) {
    await poolView(session).current(); // the guest agent reports behind our back
    const ip = await currentIp(session, vm);
    if (ip) return ip;
    if (Date.now() > deadline) throw new Error(`waitForIp: the guest reported no IP address within ${timeoutSeconds}s (are the guest tools installed?)`);
    await new Promise((r) => setTimeout(r, wait));
  }
}

export async function currentIp(session: XenApiSession, vm: Ref): Promise<string> {
  const view = poolView(session);
  const metrics = (await view.get<VmRecord>("VM", vm))?.guest_metrics;
  if (!metrics || isNullRef(metrics)) return "";
  const record = await view.get<GuestMetricsRecord>("VM_guest_metrics", metrics);
  const networks = record?.networks ?? {};
  return networks["0/ip"] ?? networks["0/ipv4/0"] ?? "";
}
