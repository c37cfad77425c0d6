#!/usr/bin/env bash
# `npm test`: typecheck, then every unit and integration test, on the real Kafka and Redis (the Prometheus
# test starts its own). What is missing is installed (scripts/infra.sh install, as root); each server that
# is not running is started, and only those are stopped afterwards: one that was already up stays up.
# Extra arguments go to jest (e.g. `npm test -- test/unit/forecasting`); `npm run test:unit` needs no servers.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

started=()
cleanup() { local c; for c in "${started[@]}"; do scripts/infra.sh down "$c" || true; done; }
trap cleanup EXIT

# the status is read whole first: `status | grep -q` could end the pipe early, and the SIGPIPE exit
# (141, under pipefail) would read as "everything is up"
status="$(scripts/infra.sh status)"
down=()
for c in kafka redis; do [[ "$status" == *"$c: down"* ]] && down+=("$c"); done
if ((${#down[@]})); then
  scripts/infra.sh install
  for c in "${down[@]}"; do
    scripts/infra.sh up "$c"
    started+=("$c")
  done
elif [[ ! -s models/Xenova/all-MiniLM-L6-v2/onnx/model.onnx ]]; then
  scripts/install-model.sh
fi

npx tsc --noEmit -p tsconfig.json
# --forceExit: a failed wait in an integration test can leave a Kafka consumer open, and jest would
# then wait for it forever instead of reporting the failure
npx jest --runInBand --forceExit "$@"
