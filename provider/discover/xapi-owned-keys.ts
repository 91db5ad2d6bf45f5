/**
 * other-config keys that xapi, its installers or its tools write and update on their own. A program that declared
 * them would fight xapi (e.g. `last_shutdown_time` changes at every shutdown), so discover leaves them out.
 */
export const XAPI_OWNED_OTHER_CONFIG: Record<string, ReadonlySet<string>> = {
  VM: new Set([
    "mac_seed",
    "install-methods",
    "install-repository",
    "install-distro",
    "base_template_name",
    "import_task",
    "last_shutdown_time",
    "last_shutdown_action",
    "last_shutdown_initiator",
    "last_shutdown_reason",
    "default_template",
    "linux_template",
    "disks",
    "instant",
    "vgpu_pci",
    "pulumi-xen:owner",
  ]),
  SR: new Set(["auto-scan", "dirty", "i18n-original-value-name_label", "i18n-original-value-name_description"]),
  host: new Set([
    "agent_start_time",
    "boot_time",
    "iscsi_iqn",
    "multipathing",
    "multipathhandle",
    "last_blob_sync_time",
    "MAINTENANCE_MODE",
    "MAINTENANCE_MODE_EVACUATED_VMS_MIGRATED",
    "MAINTENANCE_MODE_EVACUATED_VMS_HALTED",
    "MAINTENANCE_MODE_EVACUATED_VMS_SUSPENDED",
  ]),
  pool: new Set(["memory-ratio-hvm", "memory-ratio-pv", "cpuid_feature_mask", "xenprep"]),
};

export function userOtherConfig(cls: string, map: Record<string, string> | undefined): Record<string, string> {
  const owned = XAPI_OWNED_OTHER_CONFIG[cls] ?? new Set<string>();
  const out: Record<string, string> = {};
  for (const key of Object.keys(map ?? {}).sort()) if (!owned.has(key)) out[key] = map![key];
  return out;
}
