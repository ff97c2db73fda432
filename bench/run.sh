#!/usr/bin/env bash
# Runs the benchmark: ./bench/run.sh [short|long]. short takes under 5 minutes.
# Writes bench/results/<date>-<profile>.json and .md. Needs the ports of the local stack free.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-short}
./mvnw -B -q -DskipTests install -pl bench,devstack -am
./mvnw -B -q -pl bench dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
jdk=""
for dir in ${JAVA_HOME:-} /usr/lib/jvm/*25*; do
  if [ -n "$dir" ] && [ -x "$dir/bin/java" ] && "$dir/bin/java" -version 2>&1 | grep -q 'version "25'; then jdk=$dir; break; fi
done
[ -n "$jdk" ] || { echo "No JDK 25 found" >&2; exit 1; }
exec "$jdk/bin/java" -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.flowgate.bench.Bench "$profile" bench/results
