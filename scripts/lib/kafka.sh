# Single-node KRaft Kafka from Apache Kafka's Maven Central jars (sourced by scripts/infra.sh).

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"
# The port clients are told to connect to (metadata): another one when a proxy sits in front (tests).
KAFKA_ADVERTISED_PORT="${KAFKA_ADVERTISED_PORT:-$KAFKA_PORT}"
KAFKA_NUM_PARTITIONS="${KAFKA_NUM_PARTITIONS:-3}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms512m -Xmx1g}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-60}"
KAFKA_HOME="$INFRA_DIR/kafka"
KAFKA_LIBS="$KAFKA_HOME/libs"
KAFKA_POM="$REPO_DIR/scripts/kafka/pom.xml"
KAFKA_PIDFILE="$KAFKA_HOME/kafka.pid"
KAFKA_LOG_DIR="$KAFKA_HOME/logs"
# What our broker's command line contains (its own config path): identifies it in /proc.
KAFKA_MATCH="kafka.Kafka $KAFKA_HOME/config/server.properties"

kafka_install() {
  ensure_cmd java default-jre-headless
  ensure_cmd mvn maven
  # The stamp ties the cached jars to the pom that produced them; a changed pom means a fresh copy.
  local stamp="$KAFKA_LIBS/.pom.sha256" want
  want="$(file_sha "$KAFKA_POM")"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && compgen -G "$KAFKA_LIBS/kafka_2.13-*.jar" >/dev/null; then
    log "kafka: jars cached in $KAFKA_LIBS"
    return 0
  fi
  log "kafka: fetching jars with maven into $KAFKA_LIBS"
  rm -rf "$KAFKA_LIBS"
  mkdir -p "$KAFKA_LIBS"
  mvn_quiet -f "$KAFKA_POM" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$KAFKA_LIBS" || die "kafka: maven could not fetch the jars (see output above)"
  echo "$want" >"$stamp"
  log "kafka: $(ls "$KAFKA_LIBS"/*.jar | wc -l) jars ready ($(basename "$(ls "$KAFKA_LIBS"/kafka_2.13-*.jar)"))"
}

kafka_write_config() {
  mkdir -p "$KAFKA_HOME/config" "$KAFKA_HOME/data" "$KAFKA_LOG_DIR"
  cat >"$KAFKA_HOME/config/server.properties" <<PROPS
# Written by scripts/infra.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_ADVERTISED_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_HOME/data
num.partitions=$KAFKA_NUM_PARTITIONS
auto.create.topics.enable=true
default.replication.factor=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
delete.topic.enable=true
PROPS
  # Our own log4j2 config: everything to one rolling file under .infra/kafka/logs, nothing to stdout.
  cat >"$KAFKA_HOME/config/log4j2.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="warn">
  <Appenders>
    <RollingFile name="server" fileName="$KAFKA_LOG_DIR/server.log" filePattern="$KAFKA_LOG_DIR/server.log.%i">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
      <Policies><SizeBasedTriggeringPolicy size="50 MB"/></Policies>
      <DefaultRolloverStrategy max="3"/>
    </RollingFile>
  </Appenders>
  <Loggers>
    <Logger name="kafka.request.logger" level="warn"/>
    <Logger name="org.apache.kafka.clients" level="warn"/>
    <Root level="info"><AppenderRef ref="server"/></Root>
  </Loggers>
</Configuration>
XML
}

# kafka_cmd MAINCLASS ARGS...: sets KAFKA_CMD to the java command line for a Kafka main class.
kafka_cmd() {
  local heap
  read -r -a heap <<<"$KAFKA_HEAP_OPTS"
  KAFKA_CMD=(java "${heap[@]}" -XX:+UseG1GC -Djava.awt.headless=true
    -Dlog4j2.configurationFile="$KAFKA_HOME/config/log4j2.xml" -Dkafka.logs.dir="$KAFKA_LOG_DIR"
    -cp "$KAFKA_LIBS/*" "$@")
}

kafka_format() {
  local idfile="$KAFKA_HOME/cluster-id"
  # A cluster id is 16 random bytes in base64url without padding. One that starts with '-' is read
  # by StorageTool's argument parser as an option (1 run in 64 failed so), so draw again, as Kafka's
  # own Uuid.randomUuid does.
  if [[ ! -s "$idfile" || "$(cat "$idfile")" == -* ]]; then
    local id=-
    while [[ "$id" == -* ]]; do id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"; done
    printf '%s' "$id" >"$idfile"
  fi
  KAFKA_HEAP_OPTS="-Xmx256m" kafka_cmd kafka.tools.StorageTool format -t "$(cat "$idfile")" \
    -c "$KAFKA_HOME/config/server.properties" --ignore-formatted
  if ! "${KAFKA_CMD[@]}" >>"$KAFKA_LOG_DIR/format.log" 2>&1; then
    tail -n 20 "$KAFKA_LOG_DIR/format.log" >&2
    die "kafka: storage format failed (cluster id $(cat "$idfile")), see $KAFKA_LOG_DIR/format.log"
  fi
}

kafka_up() {
  if pid_alive "$KAFKA_PIDFILE" "$KAFKA_MATCH"; then
    log "kafka: already up (pid $(cat "$KAFKA_PIDFILE"), ports $(cat "$KAFKA_HOME/ports")), nothing to do"
    return 0
  fi
  compgen -G "$KAFKA_LIBS/kafka_2.13-*.jar" >/dev/null || die "kafka: no jars in $KAFKA_LIBS; run scripts/infra.sh install"
  for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    port_busy "$p" && die "kafka: port $p is taken by another process; set KAFKA_PORT to use other ports"
  done
  kafka_write_config
  kafka_format
  [[ -f "$KAFKA_LOG_DIR/server.log" ]] && mv "$KAFKA_LOG_DIR/server.log" "$KAFKA_LOG_DIR/server.log.prev"
  log "kafka: starting on 127.0.0.1:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT)"
  # setsid: the broker must outlive the shell that started it; the child writes its own pid.
  kafka_cmd kafka.Kafka "$KAFKA_HOME/config/server.properties"
  echo "$KAFKA_PORT $KAFKA_CONTROLLER_PORT" >"$KAFKA_HOME/ports"
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$KAFKA_PIDFILE" "${KAFKA_CMD[@]}" \
    </dev/null >>"$KAFKA_LOG_DIR/stdout.log" 2>&1 &
  kafka_wait_started
}

kafka_wait_started() {
  local i
  for ((i = 0; i < KAFKA_START_TIMEOUT * 5; i++)); do
    if grep -q 'Kafka Server started' "$KAFKA_LOG_DIR/server.log" 2>/dev/null; then
      log "kafka: started in $((i / 5))s (pid $(cat "$KAFKA_PIDFILE"))"
      return 0
    fi
    if ((i > 5)) && ! pid_alive "$KAFKA_PIDFILE" "$KAFKA_MATCH"; then
      tail -n 30 "$KAFKA_LOG_DIR/stdout.log" "$KAFKA_LOG_DIR/server.log" >&2 2>/dev/null || true
      die "kafka: broker exited during start-up (logs in $KAFKA_LOG_DIR)"
    fi
    sleep 0.2
  done
  die "kafka: no 'Kafka Server started' within ${KAFKA_START_TIMEOUT}s (logs in $KAFKA_LOG_DIR)"
}

kafka_down() { stop_pidfile kafka "$KAFKA_PIDFILE" "$KAFKA_MATCH" 60; }

kafka_status() {
  if pid_alive "$KAFKA_PIDFILE" "$KAFKA_MATCH"; then
    local ports
    read -r -a ports <"$KAFKA_HOME/ports"
    echo "kafka: up   pid $(cat "$KAFKA_PIDFILE") 127.0.0.1:${ports[0]} (controller ${ports[1]}) logs $KAFKA_LOG_DIR"
  else
    echo "kafka: down"
  fi
}
