/**
 * The authorized_keys text editor (provider/dom0/authorized-keys.ts): pure functions, no dom0, sshd or root. The
 * dom0 I/O layer (authorized-keys-file.ts), the Host resource and discover all go through these.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  authorizedKeyId,
  authorizedKeyIds,
  authorizedKeyLines,
  CREATED_MARKER,
  publicKeyId,
  withKeyLine,
  withoutKey,
} from "../../../provider/dom0/authorized-keys";

const ED = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEdEdEdEdEdEdEdEdEdEdEdEdEdEdEdEdEdEdEdEdEdE";
const RSA = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCrsaRsaRsaRsaRsaRsaRsaRsa+/=";
const ECDSA = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTY=";
const SK = "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29t";

describe("publicKeyId", () => {
  it("is the `type base64` part, without the comment", () => {
    assert.equal(publicKeyId(`${ED} op@desk`), ED);
    assert.equal(publicKeyId(`${RSA} root@xs1 with spaces in the comment`), RSA);
    assert.equal(publicKeyId(ECDSA), ECDSA);
    assert.equal(publicKeyId(`${SK} security key`), SK);
  });

  it("skips leading options, surrounding blanks, tabs and a CR", () => {
    assert.equal(publicKeyId(`from="10.0.0.1",no-pty,command="echo hi" ${ED} c`), ED);
    assert.equal(publicKeyId(`  \t${ED}\tcomment  `), ED);
    assert.equal(publicKeyId(`${ED} comment\r`), ED);
    assert.equal(publicKeyId(`${ED}\r`), ED);
  });

  it("is undefined for a line holding no key", () => {
    for (const line of ["", "   ", "# a comment", CREATED_MARKER, "ssh-ed25519", "ssh-ed25519 notbase64", "ssh-foo AAAAC3Nz", "AAAAC3Nz ssh-ed25519"]) {
      assert.equal(publicKeyId(line), undefined, JSON.stringify(line));
    }
  });

  it("finds the key of a commented-out key line too; authorizedKeyId, as sshd reads it, does not", () => {
    assert.equal(publicKeyId(`# ${ED} old`), ED);
    assert.equal(authorizedKeyId(`# ${ED} old`), undefined);
    assert.equal(authorizedKeyId(`   #${ED} old`), undefined);
    assert.equal(authorizedKeyId(`no-pty ${ED} #not-a-comment`), ED);
  });
});

describe("authorizedKeyIds", () => {
  it("lists each line's key id in file order, keeping duplicates, skipping blank lines and comments", () => {
    const text = `# operator\n\n${ED} a\n   \nno-pty ${RSA} b\n${ED} again\n`;
    assert.deepEqual(authorizedKeyIds(text), [ED, RSA, ED]);
  });

  it("reads CRLF lines and an empty or marker-only file", () => {
    assert.deepEqual(authorizedKeyIds(`${ED} a\r\n${RSA} b\r\n`), [ED, RSA]);
    assert.deepEqual(authorizedKeyIds(""), []);
    assert.deepEqual(authorizedKeyIds(`${CREATED_MARKER}\n`), []);
  });
});

describe("authorizedKeyLines", () => {
  it("trims, skips `#` lines (even commented-out keys), keeps the first line of each key, sorts", () => {
    const text = `# operator\n# ${ECDSA} disabled\n  ${RSA} second  \n${ED} first\n${ED} duplicate\r\n\n`;
    assert.deepEqual(authorizedKeyLines(text), [`${ED} first`, `${RSA} second`].sort());
  });
});

describe("withKeyLine", () => {
  it("creates a missing file with the marker first, the line trimmed and a final newline", () => {
    assert.equal(withKeyLine(undefined, `  ${ED} root@xs1 \n`), `${CREATED_MARKER}\n${ED} root@xs1\n`);
  });

  it("never marks a file that was there, even an empty one", () => {
    assert.equal(withKeyLine("", ED), `${ED}\n`);
    assert.equal(withKeyLine("# operator\n", `${ED} c`), `# operator\n${ED} c\n`);
  });

  it("appends after a last line that lacks its newline", () => {
    assert.equal(withKeyLine(`${RSA} op`, `${ED} c`), `${RSA} op\n${ED} c\n`);
  });

  it("is idempotent: the same key (whatever its options or comment) leaves the text as it is", () => {
    const once = withKeyLine(`# operator\n${RSA} op\n`, `${ED} root@xs1`);
    assert.equal(withKeyLine(once, `${ED} root@xs1`), once);
    assert.equal(withKeyLine(once, `${ED} another comment`), once);
    assert.equal(withKeyLine(once, `no-pty ${ED}`), once);
    const created = withKeyLine(undefined, ED);
    assert.equal(withKeyLine(created, ED), created);
  });

  it("keeps every other line as it was: options, comments, blank lines, CRLF", () => {
    const text = `# operator\r\n\r\nfrom="10.0.0.1" ${RSA} op\r\n`;
    assert.equal(withKeyLine(text, ED), `${text}${ED}\n`);
    assert.equal(withKeyLine(text, `${RSA} other comment`), text, "its key is there (CRLF line)");
  });

  it("adds the key below a commented-out line of it: sshd ignores that line, so the key was not authorized", () => {
    const text = `# ${ED} disabled\n`;
    assert.equal(withKeyLine(text, ED), `${text}${ED}\n`);
    assert.deepEqual(authorizedKeyIds(text), []);
  });
});

describe("withoutKey", () => {
  it("is null for a missing file", () => {
    assert.equal(withoutKey(undefined, ED), null);
  });

  it("removes every line of the key (any options, any comment), keeping the others byte for byte", () => {
    const text = `# operator\n\n${ED} one\n${RSA} op\nno-pty ${ED} two\n  \n# end`;
    assert.equal(withoutKey(text, ED), `# operator\n\n${RSA} op\n  \n# end`);
  });

  it("returns the same text when the key is not there (by id: a comment or a partial key does not match)", () => {
    const text = `${RSA} op\n`;
    assert.equal(withoutKey(text, ED), text);
    assert.equal(withoutKey(`# ${ED.split(" ")[1]}\n`, ED), `# ${ED.split(" ")[1]}\n`);
  });

  it("removes a file this editor created with its last key, and only then", () => {
    const one = withKeyLine(undefined, `${ED} a`);
    const two = withKeyLine(one, `${RSA} b`);
    assert.equal(withoutKey(one, ED), null);
    assert.equal(withoutKey(two, ED), `${CREATED_MARKER}\n${RSA} b\n`);
    assert.equal(withoutKey(withoutKey(two, ED)!, RSA), null);
    assert.equal(withoutKey(`${CREATED_MARKER}\n\n${ED}\n\n`, ED), null, "blank lines left do not keep it");
  });

  it("leaves a commented-out line of the key alone: it is the operator's, and authorizes nothing", () => {
    const text = `# ${ED} disabled\n${ED} live\n`;
    assert.equal(withoutKey(text, ED), `# ${ED} disabled\n`);
    assert.equal(withoutKey(`# ${ED} disabled\n`, ED), `# ${ED} disabled\n`);
  });

  it("keeps a created file that holds something else by then (an operator's comment)", () => {
    const text = `${CREATED_MARKER}\n${ED}\n# operator's note\n`;
    assert.equal(withoutKey(text, ED), `${CREATED_MARKER}\n# operator's note\n`);
  });

  it("never removes a file without the marker on its first line, even with no key left", () => {
    assert.equal(withoutKey(`${ED}\n`, ED), "");
    assert.equal(withoutKey(`# operator\n${CREATED_MARKER}\n${ED}\n`, ED), `# operator\n${CREATED_MARKER}\n`);
    assert.equal(withoutKey(`${CREATED_MARKER}\r\n${ED}\r\n`, ED), `${CREATED_MARKER}\r\n`, "a CRLF file is not one this editor wrote");
  });

  it("undoes withKeyLine on a file that ends with a newline, and on a missing one", () => {
    for (const before of ["", "# operator\n", `${RSA} op\n`, `\n\n${RSA} op\n\n`]) {
      assert.equal(withoutKey(withKeyLine(before, `${ED} c`), ED), before, JSON.stringify(before));
    }
    assert.equal(withoutKey(withKeyLine(undefined, ED), ED), null);
    assert.equal(withoutKey(withKeyLine(`${RSA} op`, ED), ED), `${RSA} op\n`, "the newline added after an unterminated last line stays");
  });
});
