#!/usr/bin/env bash
# Real infrastructure without Docker: single-node KRaft Kafka (Maven Central jars) and Redis (Debian).
#   scripts/infra.sh install|up|down|status [kafka|redis|all]
# install also fetches the embedding model and makes sure prometheus is installed (integration tests
# start their own prometheus). Idempotent; state under .infra/ (gitignored).
# Env: KAFKA_PORT (9092; controller KAFKA_PORT+1 or KAFKA_CONTROLLER_PORT), REDIS_PORT (6379),
#      KAFKA_ADVERTISED_PORT (KAFKA_PORT: the port clients are sent to, a proxy's in tests),
#      KAFKA_NUM_PARTITIONS (3), KAFKA_HEAP_OPTS (-Xms512m -Xmx1g), INFRA_DIR (<repo>/.infra).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"
# shellcheck source=lib/kafka.sh
source "$here/lib/kafka.sh"
# shellcheck source=lib/redis.sh
source "$here/lib/redis.sh"

usage() { echo "usage: $0 install|up|down|status [kafka|redis|all]" >&2; exit 2; }

action="${1:-}"
target="${2:-all}"
case "$target" in
  kafka) components=(kafka) ;;
  redis) components=(redis) ;;
  all) components=(kafka redis) ;;
  *) usage ;;
esac

case "$action" in
  install)
    for c in "${components[@]}"; do "${c}_install"; done
    if [[ "$target" == all ]]; then
      ensure_cmd prometheus prometheus
      "$here/install-model.sh"
    fi
    ;;
  up) for c in "${components[@]}"; do "${c}_up"; done ;;
  # Stop in reverse order of start.
  down) for ((i = ${#components[@]} - 1; i >= 0; i--)); do "${components[i]}_down"; done ;;
  status) for c in "${components[@]}"; do "${c}_status"; done ;;
  *) usage ;;
esac
