import * as pulumi from "@pulumi/pulumi";
import * as xen from "pulumi-xen";

// Connection: stack config `xen:url`, `xen:password` (secret), `xen:tlsFingerprint` (or XEN_* variables).
const config = new pulumi.Config();

// The guide's "Xen boot from ISO": an NFS ISO library tagged so that nova finds it.
const isoLibrary = new xen.StorageRepository("iso-library", {
  name: "ISO library",
  description: config.require("isoDescription"),
  type: "iso",
  deviceConfig: { location: "nfs.example.org:/export/isos" },
  otherConfig: { "i18n-key": "local-storage-iso" },
});

// Shared VHD storage on NFS: a PBD on every host of the pool.
const vhdStore = new xen.StorageRepository("nfs-store", {
  name: "NFS VHDs",
  type: "nfs",
  deviceConfig: { server: "nfs.example.org", serverpath: "/export/vhds" },
  tags: ["shared"],
});

export const isoLibraryUuid = isoLibrary.uuid;
export const vhdStoreHosts = vhdStore.attachedHosts;
