#!/usr/bin/env bash
# Sets up everything (scripts/setup.sh) and runs the whole test suite: unit tests, and end-to-end tests that drive
# the real Pulumi CLI against the XenAPI simulator and real sshd dom0 test hosts.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
npm test
