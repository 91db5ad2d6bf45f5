#!/usr/bin/env bash
# Generates an SDK for the `xen` provider plugin from its schema (provider/plugin/schema.json):
#
#   scripts/gen-sdk.sh python OUT_DIR     # OUT_DIR/pulumi_xen + setup.py: `pip install OUT_DIR`
#   scripts/gen-sdk.sh nodejs OUT_DIR     # OUT_DIR: the @pulumi-xen/xen npm package (TypeScript sources)
#   scripts/gen-sdk.sh go OUT_DIR         # OUT_DIR: the Go module github.com/pulumi-xen/pulumi-xen/sdk/go/xen (go.mod
#                                         #   beside the sources): a program's go.mod requires it at v<version> and
#                                         #   replaces it with OUT_DIR
#   scripts/gen-sdk.sh LANGUAGE OUT_DIR   # any other: `pulumi package gen-sdk` with that language's host
#
# Python, Node.js and Go use Pulumi's own code generators at the CLI's version (scripts/codegen, built by
# scripts/build-language-hosts.sh): the language hosts the module proxy serves are too old to answer gen-sdk.
# YAML programs need no SDK.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
language="${1:?usage: gen-sdk.sh LANGUAGE OUT_DIR}"
out="${2:?usage: gen-sdk.sh LANGUAGE OUT_DIR}"
version="$(node -p 'require("./package.json").version')"
# The generator built from this checkout's scripts/codegen/main.go (scripts/build-language-hosts.sh keeps one per version).
codegen="$PULUMI_XEN_CACHE/codegen-$(sha256sum scripts/codegen/main.go | cut -c1-16)/pulumi-xen-codegen"
[[ -x "$codegen" ]] || { echo "gen-sdk: $codegen is missing: run scripts/build-language-hosts.sh" >&2; exit 1; }
case "$language" in
  python | go) exec "$codegen" "$language" provider/plugin/schema.json "$out" "$version" ;;
  nodejs)
    "$codegen" nodejs provider/plugin/schema.json "$out" "$version"
    # The generator leaves the npm version as a placeholder for the release to fill in.
    node -e 'const f = process.argv[1], p = require(f); p.version = process.argv[2]; require("fs").writeFileSync(f, JSON.stringify(p, null, 4) + "\n")' \
      "$(cd "$out" && pwd)/package.json" "$version"
    ;;
  *) exec pulumi package gen-sdk provider/plugin/schema.json --language "$language" --out "$out" ;;
esac
