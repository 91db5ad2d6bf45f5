#!/usr/bin/env bash
# Builds the real Pulumi CLI and its Node.js language host from Pulumi's Go modules (no prebuilt binaries can be
# downloaded here). The result is cached outside the repo; a second run is a no-op.
#
#   scripts/build-pulumi-cli.sh            # builds into $PULUMI_XEN_CACHE/pulumi-v3.259.0/bin
#
# Prints the bin directory on its last line.
set -euo pipefail

PULUMI_VERSION=v3.259.0
# The Node language host. Since v3.69 it is its own untagged module
# (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3); the module proxy serves no version of it
# (its pseudo-version for the pkg/v3.259.0 commit, v3.0.0-20260820084410-a05d88f24d05, answers 403 "not available").
# Up to sdk/v3 v3.68.0 the host was a package inside the sdk/v3 module, which the proxy does serve, so it is built
# from there. The host only launches `node @pulumi/pulumi/cmd/run`; the engine (CLI 3.259) and the Node SDK
# (@pulumi/pulumi 3.259, from npm) are the current ones. tests/e2e exercise this pairing end to end.
LANGUAGE_HOST_SDK_VERSION=v3.68.0

cache_root="${PULUMI_XEN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-xen}"
out="$cache_root/pulumi-$PULUMI_VERSION"
bin="$out/bin"

if [[ -x "$bin/pulumi" && -x "$bin/pulumi-language-nodejs" ]] \
   && "$bin/pulumi" version 2>/dev/null | grep -qx "$PULUMI_VERSION"; then
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || { echo "build-pulumi-cli: Go is required (it builds Pulumi from its modules)" >&2; exit 1; }
mkdir -p "$bin"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

source "$(dirname "${BASH_SOURCE[0]}")/go-module-build.sh"

echo "build-pulumi-cli: building pulumi $PULUMI_VERSION (takes several minutes on 2 cores)" >&2
build_module "$work/cli" github.com/pulumi/pulumi/pkg/v3 "$PULUMI_VERSION" \
  github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$bin/pulumi" \
  "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION"

echo "build-pulumi-cli: building pulumi-language-nodejs from sdk/v3 $LANGUAGE_HOST_SDK_VERSION" >&2
build_module "$work/nodejs" github.com/pulumi/pulumi/sdk/v3 "$LANGUAGE_HOST_SDK_VERSION" \
  github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs "$bin/pulumi-language-nodejs" \
  "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$LANGUAGE_HOST_SDK_VERSION"

"$bin/pulumi" version >&2
echo "$bin"
