/**
 * dom0 over SSH (npm ssh2): a pinned-host-key connection, commands as argument vectors, atomic file writes,
 * hashes, symlinks, filesystems and keys. One concept per file:
 * - `connection.ts`  Dom0Connection, connectDom0, withDom0, fingerprints
 * - `session.ts`     Dom0Session: run / runRaw / runChecked / close
 * - `quote.ts`       shellQuote, shellCommand
 * - `files.ts`       writeFileAtomic, readFile, readTextFile, fileSha256, removeFile, mkdirp, pathExists
 * - `symlink.ts`     ensureSymlink, readSymlink, removeSymlink
 * - `filesystem.ts`  filesystemId, sameFilesystem
 * - `keys.ts`        ensureKeyPair, addAuthorizedKey, removeAuthorizedKey, listAuthorizedKeys
 * - `errors.ts`      Dom0Error and its codes
 */
export * from "./errors";
export * from "./quote";
export * from "./session";
export * from "./connection";
export * from "./files";
export * from "./symlink";
export * from "./filesystem";
export * from "./keys";
