#!/usr/bin/env bash
# Sets up everything, starts the embedded XenAPI simulator, runs `pulumi up` on an example against it, then shows
# `pulumi preview --diff` of a small change. Leaves the simulator stopped and the demo stack destroyed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
node dist/scripts/demo.js "$@"
