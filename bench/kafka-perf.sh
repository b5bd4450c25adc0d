#!/usr/bin/env bash
# Runs Kafka's own performance tools with the Kafka version this project uses.
#   bench/kafka-perf.sh producer --topic T --num-records N --record-size B --throughput -1 --producer-props ...
#   bench/kafka-perf.sh consumer --bootstrap-server ... --topic T --messages N
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cp_file="$here/kafka-tools/target/classpath.txt"
if [ ! -s "$cp_file" ]; then
  mkdir -p "$here/kafka-tools/target"
  "$here/../mvnw" -q -f "$here/kafka-tools/pom.xml" dependency:build-classpath -Dmdep.outputFile="$cp_file" >&2
fi
tool=$1; shift
case "$tool" in
  producer) main=org.apache.kafka.tools.ProducerPerformance ;;
  consumer) main=org.apache.kafka.tools.ConsumerPerformance ;;
  *) echo "usage: $0 producer|consumer ARGS..." >&2; exit 2 ;;
esac
exec java ${JAVA_OPTS:-} -cp "$(cat "$cp_file")" "$main" "$@"
