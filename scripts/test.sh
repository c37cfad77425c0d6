#!/usr/bin/env bash
# `npm test`: typecheck, then every unit and integration test, on the real Kafka and Redis (the Prometheus
# test starts its own). What is missing is installed (scripts/infra.sh install, as root) and what is not
# running is started, then stopped again afterwards; servers that were already up are left up.
# Extra arguments go to jest (e.g. `npm test -- --selectProjects unit`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

started=0
cleanup() { if ((started)); then scripts/infra.sh down || true; fi; }
trap cleanup EXIT

if scripts/infra.sh status | grep -q ': down'; then
  scripts/infra.sh install
  scripts/infra.sh up
  started=1
elif [[ ! -s models/Xenova/all-MiniLM-L6-v2/onnx/model.onnx ]]; then
  scripts/install-model.sh
fi

npx tsc --noEmit -p tsconfig.json
npx jest --runInBand "$@"
