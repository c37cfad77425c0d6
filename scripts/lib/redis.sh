# Redis from Debian's redis-server: loopback only, no persistence (sourced by scripts/infra.sh).

REDIS_PORT="${REDIS_PORT:-6379}"
REDIS_HOME="$INFRA_DIR/redis"
REDIS_PIDFILE="$REDIS_HOME/redis.pid"

redis_install() { ensure_cmd redis-server redis-server; }

redis_up() {
  if pid_alive "$REDIS_PIDFILE" redis-server; then
    log "redis: already up (pid $(cat "$REDIS_PIDFILE"), port $(cat "$REDIS_HOME/port")), nothing to do"
    return 0
  fi
  command -v redis-server >/dev/null || die "redis: redis-server missing; run scripts/infra.sh install"
  port_busy "$REDIS_PORT" && die "redis: port $REDIS_PORT is taken by another process; set REDIS_PORT"
  mkdir -p "$REDIS_HOME"
  rm -f "$REDIS_PIDFILE"
  # save "" and appendonly no: test state is throw-away, and fsyncs would only slow the machine.
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
    --daemonize yes --pidfile "$REDIS_PIDFILE" --logfile "$REDIS_HOME/redis.log" --dir "$REDIS_HOME" ||
    die "redis: redis-server failed to start, see $REDIS_HOME/redis.log"
  echo "$REDIS_PORT" >"$REDIS_HOME/port"
  local i
  for ((i = 0; i < 100; i++)); do
    if pid_alive "$REDIS_PIDFILE" redis-server && port_busy "$REDIS_PORT"; then
      log "redis: started (pid $(cat "$REDIS_PIDFILE"), 127.0.0.1:$REDIS_PORT)"
      return 0
    fi
    sleep 0.1
  done
  tail -n 20 "$REDIS_HOME/redis.log" >&2 || true
  die "redis: not listening on $REDIS_PORT after 10s"
}

redis_down() { stop_pidfile redis "$REDIS_PIDFILE" redis-server 20; }

redis_status() {
  if pid_alive "$REDIS_PIDFILE" redis-server; then
    echo "redis: up   pid $(cat "$REDIS_PIDFILE") 127.0.0.1:$(cat "$REDIS_HOME/port") log $REDIS_HOME/redis.log"
  else
    echo "redis: down"
  fi
}
