#!/usr/bin/env bash
# Generates an SDK for the `xen` provider plugin from its schema (provider/plugin/schema.json):
#
#   scripts/gen-sdk.sh python OUT_DIR     # OUT_DIR/pulumi_xen + setup.py: `pip install OUT_DIR`
#   scripts/gen-sdk.sh LANGUAGE OUT_DIR   # any other language: `pulumi package gen-sdk` with that language's host
#
# Python uses Pulumi's own Python code generator at the CLI's version (scripts/gen-python-sdk, built by
# scripts/build-language-hosts.sh): the Python host the module proxy serves is too old to answer gen-sdk itself.
# YAML programs need no SDK; TypeScript programs can use this package's own SDK (sdk/) or the plugin's type tokens.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
language="${1:?usage: gen-sdk.sh LANGUAGE OUT_DIR}"
out="${2:?usage: gen-sdk.sh LANGUAGE OUT_DIR}"
version="$(node -p 'require("./package.json").version')"
if [[ "$language" == python ]]; then
  exec pulumi-xen-gen-python-sdk provider/plugin/schema.json "$out" "$version"
fi
exec pulumi package gen-sdk provider/plugin/schema.json --language "$language" --out "$out"
