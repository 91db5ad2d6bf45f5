#!/usr/bin/env bash
# Builds the Python, YAML and Go language hosts from Go modules, as scripts/build-pulumi-cli.sh builds the CLI and the
# Node host (no prebuilt binaries can be downloaded here), into the same cached bin directory, and makes the Python
# virtualenv (Pulumi's `pulumi` package from PyPI, pinned to the CLI's version) that Python programs run in.
# A second run is a no-op. Needs scripts/build-pulumi-cli.sh to have run (it prints the bin directory).
#
#   scripts/build-language-hosts.sh     # prints the bin directory on its last line
#
# Versions, and why:
# - pulumi-language-python: since v3.69 its own untagged module that the module proxy does not serve (like the Node
#   host); built from sdk/v3 v3.68.0, the newest sdk/v3 that still contains it. It runs programs through the
#   `pulumi-language-python-exec` shim next to it, taken from sdk/v3 v3.259.0 (the shim belongs to the Python SDK,
#   which is the current 3.259 from PyPI).
# - pulumi-language-yaml: github.com/pulumi/pulumi-yaml v1.25.0, the newest version the module proxy serves, built
#   with the pkg/v3 it requires (v3.206.0; it does not compile against 3.259's APIs). It speaks the language-host
#   protocol to the 3.259 engine; tests/e2e/plugin-yaml.test.ts exercises the pairing.
# - pulumi-language-go: since v3.67 its own untagged module (sdk/go/pulumi-language-go/v3) that the module proxy does
#   not serve; built from sdk/v3 v3.66.0, the newest sdk/v3 that still contains it (v3.67.0 has dropped it). Go
#   programs themselves build against the sdk/v3 their go.mod requires (tests/e2e/plugin-go.test.ts: v3.259.0);
#   tests/e2e/plugin-go.test.ts exercises this host with the 3.259 engine.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

PYTHON_HOST_SDK_VERSION=v3.68.0
PYTHON_EXEC_SDK_VERSION=v3.259.0
GO_HOST_SDK_VERSION=v3.66.0
YAML_VERSION=v1.25.0
PULUMI_PY_VERSION=3.259.0
# What SDKs generated from a schema import besides pulumi (their setup.py asks parver>=0.2.1, semver>=2.8.1).
PARVER_VERSION=0.5
# `pip install <generated sdk>` builds it with setup.py: wheel is what that needs besides the venv's setuptools.
WHEEL_VERSION=0.45.1

bin="$PULUMI_XEN_CACHE/pulumi-$PULUMI_XEN_PULUMI_VERSION/bin"
venv="$PULUMI_XEN_CACHE/python-venv-$PULUMI_PY_VERSION"
mkdir -p "$bin"
log() { echo "build-language-hosts: $*" >&2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

source scripts/go-module-build.sh

command -v go >/dev/null || { log "Go is required (it builds the language hosts from their modules)"; exit 1; }

if [[ ! -x "$bin/pulumi-language-python" ]]; then
  log "building pulumi-language-python from sdk/v3 $PYTHON_HOST_SDK_VERSION"
  build_module "$work/python" github.com/pulumi/pulumi/sdk/v3 "$PYTHON_HOST_SDK_VERSION" \
    github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python "$bin/pulumi-language-python" \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PYTHON_HOST_SDK_VERSION"
fi
if [[ ! -x "$bin/pulumi-language-python-exec" ]]; then
  dir="$(go mod download -json "github.com/pulumi/pulumi/sdk/v3@$PYTHON_EXEC_SDK_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  install -m 0755 "$dir/python/cmd/pulumi-language-python-exec" "$bin/pulumi-language-python-exec"
fi

if [[ ! -x "$bin/pulumi-language-yaml" ]]; then
  log "building pulumi-language-yaml $YAML_VERSION (several minutes on 2 cores)"
  build_module "$work/yaml" github.com/pulumi/pulumi-yaml "$YAML_VERSION" \
    github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml "$bin/pulumi-language-yaml" \
    "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=$YAML_VERSION"
fi

if [[ ! -x "$bin/pulumi-language-go" ]]; then
  log "building pulumi-language-go from sdk/v3 $GO_HOST_SDK_VERSION"
  build_module "$work/go" github.com/pulumi/pulumi/sdk/v3 "$GO_HOST_SDK_VERSION" \
    github.com/pulumi/pulumi/sdk/v3/go/pulumi-language-go "$bin/pulumi-language-go" \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$GO_HOST_SDK_VERSION"
fi

# The SDK generator (scripts/codegen: Pulumi's own pkg/v3/codegen/{python,nodejs,go} at the CLI's version), since the
# hosts above predate the GeneratePackage RPC that `pulumi package gen-sdk` calls. Kept per version of its source
# ($PULUMI_XEN_CACHE/codegen-<sha256 of main.go>/, where scripts/gen-sdk.sh looks), so checkouts with different
# versions of it share the cache without rebuilding over each other.
codegen_sum="$(sha256sum scripts/codegen/main.go | cut -c1-16)"
codegen="$PULUMI_XEN_CACHE/codegen-$codegen_sum/pulumi-xen-codegen"
if [[ ! -x "$codegen" ]]; then
  log "building pulumi-xen-codegen from pkg/v3 $PULUMI_XEN_PULUMI_VERSION's code generators"
  dir="$work/codegen"
  mkdir -p "$dir" "$(dirname "$codegen")"
  cp scripts/codegen/main.go "$dir/"
  (
    cd "$dir"
    go mod init pulumi-xen-build/codegen >/dev/null 2>&1
    gomod="$(go mod download -json "github.com/pulumi/pulumi/pkg/v3@$PULUMI_XEN_PULUMI_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
    copy_remote_replaces "$gomod" go.mod
    go get "github.com/pulumi/pulumi/pkg/v3/codegen/python@$PULUMI_XEN_PULUMI_VERSION" \
      "github.com/pulumi/pulumi/pkg/v3/codegen/nodejs@$PULUMI_XEN_PULUMI_VERSION" \
      "github.com/pulumi/pulumi/pkg/v3/codegen/go@$PULUMI_XEN_PULUMI_VERSION" \
      "github.com/pulumi/pulumi/pkg/v3/codegen/schema@$PULUMI_XEN_PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@$PULUMI_XEN_PULUMI_VERSION"
    go mod tidy
    go build -trimpath -ldflags "-s -w" -o "$codegen.tmp" .
    mv "$codegen.tmp" "$codegen"
  )
fi

# Python programs run in this virtualenv (Pulumi.yaml: runtime.options.virtualenv), with Pulumi's SDK from PyPI.
if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c "import pulumi, parver, semver, wheel" 2>/dev/null; then
  command -v python3 >/dev/null || { log "python3 (with venv) is required for Python programs"; exit 1; }
  log "making the Python virtualenv $venv (pulumi==$PULUMI_PY_VERSION, parver==$PARVER_VERSION, wheel==$WHEEL_VERSION)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "pulumi==$PULUMI_PY_VERSION" "parver==$PARVER_VERSION" "wheel==$WHEEL_VERSION"
fi

echo "$bin"
