#!/usr/bin/env bash
# The path a newcomer takes, end to end, outside this repository (README, "Install"):
#   npm pack here -> a fresh program directory under a temporary directory -> npm install of the tarball and the
#   dependencies the README lists -> `npx pulumi-xen sim` -> pulumi up -> pulumi preview --diff of a one-field
#   change -> pulumi destroy -> the simulator stopped.
# Needs what scripts/setup.sh installs (Node 22, the Pulumi CLI). KEEP=1 keeps the temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
source scripts/env.sh
command -v pulumi >/dev/null || { echo "try-it: no pulumi CLI on PATH: run scripts/setup.sh first" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/pulumi-xen-try-it.XXXXXX")"
SIM_PID=""
cleanup() {
  # npx runs the simulator as its child: stop the whole process group the simulator was started in.
  if [ -n "$SIM_PID" ] && kill -0 "$SIM_PID" 2>/dev/null; then kill -- "-$SIM_PID"; wait "$SIM_PID" 2>/dev/null || true; fi
  if [ "${KEEP:-}" = 1 ]; then echo "try-it: kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "npm pack (prepack builds)"
[ -d node_modules ] || npm ci --no-audit --no-fund
TARBALL="$(npm pack --silent --pack-destination "$WORK" | tail -n 1)"
echo "$WORK/$TARBALL"

step "a new program in $WORK/program, outside the repository"
mkdir "$WORK/program"
cd "$WORK/program"
cp "$WORK/$TARBALL" .
cp "$REPO/examples/quickstart/index.ts" "$REPO/examples/quickstart/Pulumi.yaml" "$REPO/examples/quickstart/tsconfig.json" .
printf '{ "name": "try-pulumi-xen", "private": true, "main": "index.ts" }\n' > package.json
dev() { node -p "require('$REPO/package.json').devDependencies['$1']"; }
npm install --no-audit --no-fund --prefer-offline --save-exact "@pulumi/pulumi@$(dev @pulumi/pulumi)"
npm install --no-audit --no-fund --prefer-offline "./$TARBALL" "typescript@$(dev typescript)" "@types/node@$(dev @types/node)"
cat package.json

step "npx pulumi-xen sim"
# No spec: the demo pool. Its first stdout line is JSON: master URL, credentials, TLS fingerprint.
setsid npx pulumi-xen sim > "$WORK/sim.out" 2> "$WORK/sim.err" &
SIM_PID=$!
for _ in $(seq 1 100); do [ -s "$WORK/sim.out" ] && break; kill -0 "$SIM_PID" 2>/dev/null || break; sleep 0.2; done
[ -s "$WORK/sim.out" ] || { echo "try-it: the simulator did not start:" >&2; cat "$WORK/sim.err" >&2; exit 1; }
SIM_URL="$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8").split("\n")[0]).masterUrl' "$WORK/sim.out")"
SIM_FP="$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8").split("\n")[0]).fingerprint256' "$WORK/sim.out")"
SIM_PASSWORD="$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8").split("\n")[0]).password' "$WORK/sim.out")"
echo "pool master $SIM_URL, TLS fingerprint $SIM_FP"

export PULUMI_HOME="$WORK/pulumi-home" PULUMI_BACKEND_URL="file://$WORK/backend" PULUMI_CONFIG_PASSPHRASE="try-it"
mkdir -p "$WORK/backend"
step "pulumi stack init; config"
pulumi stack init try --non-interactive
pulumi config set xen:url "$SIM_URL"
pulumi config set xen:tlsFingerprint "$SIM_FP"
printf '%s' "$SIM_PASSWORD" | pulumi config set --secret xen:password   # as the simulator printed it

step "pulumi up"
pulumi up --yes --non-interactive

step "pulumi preview --diff of a one-field change"
pulumi config set isoDescription "changed by try-it"
pulumi preview --diff --non-interactive

step "pulumi destroy"
pulumi destroy --yes --non-interactive

step "done: stopping the simulator"
