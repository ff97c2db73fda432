#!/usr/bin/env bash
# Builds Flowgate and starts the whole local stack in one JVM: an embedded KRaft Kafka broker
# (127.0.0.1:9092), the Entra ID look-alike token issuer (127.0.0.1:8090), api-service
# (127.0.0.1:8080), worker-service (8081) and callback-dispatcher (8082). Ctrl+C stops it.
set -euo pipefail
cd "$(dirname "$0")"

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

jdk=$(find_jdk25)
if [ "${SKIP_BUILD:-}" != "1" ]; then
  ./mvnw -B -q -DskipTests -pl devstack -am install
fi
exec "$jdk/bin/java" -jar devstack/target/devstack-*-exec.jar "$@"
