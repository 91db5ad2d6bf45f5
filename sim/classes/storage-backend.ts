/** What the SM backends check before they touch anything: the device-config keys each driver needs. */
import { fail, smFail } from "../errors";
import { SR_TYPES } from "../seed";

export function checkBackend(type: string, dc: Record<string, string>): void {
  if (!SR_TYPES.has(type)) fail("SR_UNKNOWN_DRIVER", type);
  switch (type) {
    case "nfs":
      if (!dc.server) smFail("ConfigServerMissing");
      if (!dc.serverpath) smFail("ConfigServerPathMissing");
      break;
    case "smb":
      if (!dc.server) smFail("ConfigServerMissing");
      break;
    case "iso": case "file":
      if (!dc.location) smFail("ConfigLocationMissing");
      break;
    case "ext": case "lvm":
      if (!dc.device) smFail("ConfigDeviceMissing");
      break;
    case "lvmoiscsi":
      if (!dc.target) smFail("ConfigTargetMissing");
      if (!dc.targetIQN) smFail("ConfigTargetIQNMissing");
      break;
  }
}
