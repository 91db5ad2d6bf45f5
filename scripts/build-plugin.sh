#!/usr/bin/env bash
# Builds the `xen` resource provider plugin from this package's compiled code (npm run build first):
#
#   scripts/build-plugin.sh [OUT_DIR]     # default dist/plugin; prints OUT_DIR on its last line
#
# OUT_DIR/pulumi-resource-xen            the plugin: a wrapper running `node <package>/dist/provider/plugin/main.js`
#                                        (the absolute paths of this package and of the node that built it)
# OUT_DIR/pulumi-resource-xen-v<version>-<os>-<arch>.tar.gz
#                                        the same, packed as Pulumi plugins are; install it with
#   pulumi plugin install resource xen <version> --file OUT_DIR/pulumi-resource-xen-v<version>-linux-amd64.tar.gz
# or put OUT_DIR on PATH (the engine uses a pulumi-resource-xen it finds there).
set -euo pipefail
cd "$(dirname "$0")/.."
pkg="$(pwd)"
out="${1:-$pkg/dist/plugin}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

main="$pkg/dist/provider/plugin/main.js"
[[ -f "$main" ]] || { echo "build-plugin: $main is missing: run npm run build first" >&2; exit 1; }
node="$(command -v node)"
[[ "$("$node" -e 'console.log(process.versions.node.split(".")[0])')" -ge 22 ]] || { echo "build-plugin: node >= 22 is required (source scripts/env.sh)" >&2; exit 1; }
version="$(node -p 'require("./package.json").version')"

cat > "$out/pulumi-resource-xen" <<WRAPPER
#!/bin/sh
# The pulumi-xen provider plugin (xen), built by scripts/build-plugin.sh from $pkg.
exec "\${PULUMI_XEN_NODE:-$node}" "$main" "\$@"
WRAPPER
chmod 0755 "$out/pulumi-resource-xen"

os="$(uname -s | tr '[:upper:]' '[:lower:]')"
case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64|arm64) arch=arm64 ;; *) arch="$(uname -m)" ;; esac
tar -czf "$out/pulumi-resource-xen-v$version-$os-$arch.tar.gz" -C "$out" pulumi-resource-xen
echo "$out"
