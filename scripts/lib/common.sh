# Shared helpers for scripts/infra.sh and scripts/install-model.sh (sourced, not run).
# State lives under $INFRA_DIR (default <repo>/.infra, gitignored) so a clone never touches another's.

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
INFRA_DIR="${INFRA_DIR:-$REPO_DIR/.infra}"

log() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] ERROR: %s\n' "$*" >&2; exit 1; }

# pid_alive PIDFILE PATTERN -> 0 when the pidfile names a live process whose command line matches
# PATTERN: a pid reused by an unrelated process after a crash must never count as ours (or be killed).
pid_alive() {
  local pidfile="$1" pattern="$2" pid
  [[ -s "$pidfile" ]] || return 1
  pid="$(cat "$pidfile")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$pattern"
}

# port_busy PORT -> 0 when something listens on 127.0.0.1:PORT (bash's /dev/tcp, no extra tools).
port_busy() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# stop_pidfile NAME PIDFILE PATTERN [TIMEOUT_S]: SIGTERM, wait for a clean exit, SIGKILL only as a last resort.
stop_pidfile() {
  local name="$1" pidfile="$2" pattern="$3" timeout="${4:-30}" pid i
  if ! pid_alive "$pidfile" "$pattern"; then
    log "$name: not running"
    rm -f "$pidfile"
    return 0
  fi
  pid="$(cat "$pidfile")"
  log "$name: stopping pid $pid (SIGTERM)"
  kill -TERM "$pid"
  for ((i = 0; i < timeout * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name: still alive after ${timeout}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  log "$name: stopped"
}

# apt_install PKG...: installs the Debian packages that are missing; `apt-get update` at most once.
APT_UPDATED=0
apt_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  [[ "$(id -u)" == 0 ]] || die "need root to apt-get install: ${missing[*]}"
  if ((APT_UPDATED == 0)); then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    APT_UPDATED=1
  fi
  log "apt-get install ${missing[*]}"
  # Debian's postinst scripts start redis-server (6379) and prometheus (9090) as services, which would
  # hold the very ports our own instances need: a policy-rc.d answering 101 forbids those starts.
  local policy=/usr/sbin/policy-rc.d added=0 rc=0
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && added=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
  ((added)) && rm -f "$policy"
  ((rc == 0)) || die "apt-get install ${missing[*]} failed (exit $rc)"
}

# ensure_cmd CMD DEBIAN_PKG: installs the package when the command is missing.
ensure_cmd() {
  command -v "$1" >/dev/null 2>&1 || apt_install "$2"
  command -v "$1" >/dev/null 2>&1 || die "'$1' still missing after installing $2"
}

file_sha() { sha256sum "$1" | cut -d' ' -f1; }

# mvn_quiet ARGS...: Debian's maven 3.8 prints stray colour resets even with -q -B; drop them.
mvn_quiet() { mvn -q -B -Dstyle.color=never "$@" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2; }
