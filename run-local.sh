#!/usr/bin/env bash
# Flowgate's local stack, one process per part, so any service can be stopped, killed or
# restarted on its own while the rest keeps running:
#
#   ./run-local.sh                    build, start everything, stay in the foreground (Ctrl+C stops all)
#   ./run-local.sh start SERVICE [N]  start one part (kafka, issuer, api, worker, dispatcher); with N,
#                                     replica N of a service (api 2: a second API on 8180, 9180, 9181:
#                                     replica N uses the first one's ports plus 100 (N - 1))
#   ./run-local.sh stop SERVICE [N]   stop one part gracefully (SIGTERM); without SERVICE: everything
#   ./run-local.sh kill SERVICE [N]   kill one part outright (SIGKILL), as a crash would
#   ./run-local.sh restart SERVICE [N]  stop, then start one part
#   ./run-local.sh status             what runs, with process ids
#   ./run-local.sh reset              stop everything and delete the local data (Kafka, issuer key)
#
# Kafka's data and the issuer's signing key live in .flowgate-local/ (FLOWGATE_LOCAL_DIR), so they
# survive restarts; logs are in .flowgate-local/logs/.
set -euo pipefail
cd "$(dirname "$0")"

DATA=${FLOWGATE_LOCAL_DIR:-.flowgate-local}
PARTS=(kafka issuer worker api dispatcher)

find_jdk25() {
  if [ -n "${JAVA_HOME:-}" ] && "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "25'; then
    echo "$JAVA_HOME"; return
  fi
  for dir in /usr/lib/jvm/*25* /opt/java/*25* "$HOME"/.sdkman/candidates/java/25*; do
    if [ -x "$dir/bin/java" ] && "$dir/bin/java" -version 2>&1 | grep -q 'version "25'; then
      echo "$dir"; return
    fi
  done
  echo "No JDK 25 found: install one (for example Temurin 25) or set JAVA_HOME to it." >&2
  exit 1
}

pid_of() { cat "$DATA/$1.pid" 2>/dev/null || true; }
alive() { local pid; pid=$(pid_of "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

# A part is a service name, or NAME-N for its replica N (ports of replica 1 plus 100 (N - 1)).
part_name() { if [ -n "${2:-}" ] && [ "$2" != 1 ]; then echo "$1-$2"; else echo "$1"; fi; }

ready_check() {
  local service=${1%%-*} replica=1 offset
  [[ $1 == *-* ]] && replica=${1#*-}
  [[ $replica =~ ^[1-9][0-9]?$ ]] || { echo "unknown replica '$replica' of $service" >&2; exit 2; }
  offset=$(( 100 * (replica - 1) ))
  case $service in
    kafka) [ "$replica" = 1 ] || { echo "the local Kafka is one broker" >&2; exit 2; }
      (exec 3<>/dev/tcp/127.0.0.1/9092) 2>/dev/null ;;
    issuer) [ "$replica" = 1 ] || { echo "the issuer runs once" >&2; exit 2; }
      curl -sf -o /dev/null http://127.0.0.1:8090/common/discovery/v2.0/keys ;;
    worker) curl -sf -o /dev/null "http://127.0.0.1:$((8081 + offset))/actuator/health/readiness" ;;
    api) curl -sf -o /dev/null "http://127.0.0.1:$((9080 + offset))/actuator/health/readiness" ;;
    dispatcher) curl -sf -o /dev/null "http://127.0.0.1:$((8082 + offset))/actuator/health/readiness" ;;
    *) echo "unknown part '$1' (one of: ${PARTS[*]})" >&2; exit 2 ;;
  esac
}

start_part() {
  local part=$1
  ready_check "$part" || true   # validates the name
  if alive "$part"; then echo "$part is already running (pid $(pid_of "$part"))"; return; fi
  local jar; jar=$(ls devstack/target/devstack-*-exec.jar 2>/dev/null | head -n 1)
  [ -n "$jar" ] || { echo "Not built yet: run ./run-local.sh once, or ./mvnw -DskipTests install" >&2; exit 1; }
  mkdir -p "$DATA/logs"
  nohup "$JDK/bin/java" -jar "$jar" "$part" "$DATA" >"$DATA/logs/$part.log" 2>&1 &
  echo $! >"$DATA/$part.pid"
  printf 'starting %-10s (pid %s) ' "$part" "$!"
  for _ in $(seq 1 240); do
    if ready_check "$part"; then echo "ready"; return; fi
    if ! alive "$part"; then echo "FAILED: see $DATA/logs/$part.log"; tail -n 20 "$DATA/logs/$part.log" >&2; exit 1; fi
    sleep 0.5
  done
  echo "not ready after 120 s: see $DATA/logs/$part.log"; exit 1
}

stop_part() {
  local part=$1 signal=${2:-TERM}
  if alive "$part"; then
    local pid; pid=$(pid_of "$part")
    kill "-$signal" "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    echo "stopped $part (pid $pid, SIG$signal)"
  fi
  rm -f "$DATA/$part.pid"
}

stop_all() {
  # Further replicas first (api-2, worker-3, ...), then the parts of the stack in reverse order.
  for pidfile in "$DATA"/*-*.pid; do [ -e "$pidfile" ] && stop_part "$(basename "$pidfile" .pid)"; done
  for (( i=${#PARTS[@]}-1; i>=0; i-- )); do stop_part "${PARTS[$i]}"; done
}

JDK=$(find_jdk25)
command=${1:-up}
case $command in
  up)
    for part in "${PARTS[@]}"; do
      if alive "$part"; then echo "$part is already running: ./run-local.sh stop first" >&2; exit 1; fi
    done
    if [ "${SKIP_BUILD:-}" != "1" ]; then
      echo "building (./mvnw -DskipTests install)..."
      ./mvnw -B -q -DskipTests -pl devstack -am install
    fi
    trap 'echo; stop_all; exit 0' INT TERM
    for part in "${PARTS[@]}"; do start_part "$part"; done
    cat <<INFO

Flowgate is running.
  API            http://127.0.0.1:8080   (health and metrics: http://127.0.0.1:9080/actuator/...)
  worker         http://127.0.0.1:8081   dispatcher http://127.0.0.1:8082   (actuator)
  token issuer   http://127.0.0.1:8090   (Entra ID look-alike)
  Kafka          127.0.0.1:9092          data in $DATA/kafka
  demo tenants   Contoso  11111111-1111-4111-8111-111111111111  client contoso-flows / contoso-secret
                 Fabrikam 22222222-2222-4222-8222-222222222222  client fabrikam-flows / fabrikam-secret
  logs           $DATA/logs/
Restart one part from another terminal with ./run-local.sh restart worker (or api, ...).
Press Ctrl+C to stop everything.
INFO
    while true; do sleep 1; done
    ;;
  start) start_part "$(part_name "${2:?which part? (${PARTS[*]})}" "${3:-}")" ;;
  stop) if [ -n "${2:-}" ]; then stop_part "$(part_name "$2" "${3:-}")"; else stop_all; fi ;;
  kill) stop_part "$(part_name "${2:?which part? (${PARTS[*]})}" "${3:-}")" KILL ;;
  restart) part=$(part_name "${2:?which part? (${PARTS[*]})}" "${3:-}"); stop_part "$part"; start_part "$part" ;;
  status)
    for part in "${PARTS[@]}"; do
      if alive "$part"; then printf '%-10s running (pid %s)\n' "$part" "$(pid_of "$part")"; else printf '%-10s stopped\n' "$part"; fi
    done
    for pidfile in "$DATA"/*-*.pid; do
      [ -e "$pidfile" ] || continue
      part=$(basename "$pidfile" .pid)
      if alive "$part"; then printf '%-10s running (pid %s)\n' "$part" "$(pid_of "$part")"; else printf '%-10s stopped\n' "$part"; fi
    done
    ;;
  reset) stop_all; rm -rf "$DATA"; echo "deleted $DATA" ;;
  *) sed -n '2,19p' "$0"; exit 2 ;;
esac
