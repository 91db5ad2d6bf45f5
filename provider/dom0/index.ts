/**
 * dom0 over SSH (npm ssh2): a pinned-host-key connection, commands as argument vectors, atomic file writes,
 * hashes, symlinks, filesystems and keys. One concept per file:
 * - `connection.ts`  Dom0Connection, connectDom0, withDom0, fingerprints
 * - `session.ts`     Dom0Session: run / runRaw / runChecked / close
 * - `quote.ts`       shellQuote, shellCommand
 * - `files.ts`       writeFileAtomic, readFile, readTextFile, fileSha256, removeFile, mkdirp, pathExists
 * - `symlink.ts`     ensureSymlink, readSymlink, removeSymlink
 * - `filesystem.ts`  filesystemId, sameFilesystem
 * - `edit.ts`        editRemoteFile (read-modify-write under a per-file lock), serialized, statFile
 * - `key-pair.ts`    ensureKeyPair
 * - `authorized-keys.ts`       the authorized_keys text editor (pure): publicKeyId, authorizedKeyIds,
 *                              authorizedKeyLines, withKeyLine, withoutKey, CREATED_MARKER
 * - `authorized-keys-file.ts`  a dom0's authorized_keys through that editor: addAuthorizedKey, removeAuthorizedKey,
 *                              listAuthorizedKeys, listAuthorizedKeyLines, ROOT_AUTHORIZED_KEYS
 * - `errors.ts`      Dom0Error and its codes
 */
export * from "./errors";
export * from "./quote";
export * from "./session";
export * from "./connection";
export * from "./files";
export * from "./symlink";
export * from "./filesystem";
export * from "./edit";
export * from "./key-pair";
export * from "./authorized-keys";
export * from "./authorized-keys-file";
