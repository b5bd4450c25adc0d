#!/usr/bin/env bash
# collector-benchmark.sh: the collector flat out against Kafka's own ProducerPerformance, in one
# command. Starts a broker; then, ROUNDS times, ProducerPerformance (188-byte records, the
# collector's producer settings) and a collector fed by the load generator over one Unix connection
# for DURATION seconds (frames/s acknowledged by Kafka, the median of the seconds after a 10-s
# warm-up), alternated; prints each run, the medians and the ratio.
#
#   bench/collector-benchmark.sh                               3 rounds of 30 s, launcher defaults
#   COLLECTOR_OPTS="--max-latency-ms 5" bench/collector-benchmark.sh
#   BASELINE=../before bench/collector-benchmark.sh           alternates with another build's collector
#   CONNECTIONS=4 RATE=0 ...                                   the load generator's settings
#
# Ports KAFKA_PORT (19592); CAPTURE as in drain-benchmark.sh. The broker writes about 10 GB a minute
# at these rates, in a work directory removed at the end. Everything it starts it stops, by PID.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=${ROUNDS:-3}
duration=${DURATION:-30}
kafka=127.0.0.1:${KAFKA_PORT:-19592}
work=$(mktemp -d "${TMPDIR:-/tmp}/collector-benchmark.XXXXXX")
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"

echo "broker on $kafka, work dir $work"
# 1 GB a partition in 256 MB segments, checked every 5 s: minutes flat out fit any disk.
start_broker dnstap.events:3,perf.events:3 --property log.retention.bytes=1000000000 \
  --property log.segment.bytes=268435456 --property log.retention.check.interval.ms=5000

producer_performance() { # records/s of ProducerPerformance for about $duration seconds
  "$root/bench/kafka-perf.sh" producer --topic perf.events --num-records $((duration * 700000)) --record-size 188 \
    --throughput -1 --producer-props "bootstrap.servers=$kafka" acks=all enable.idempotence=true \
    compression.type=lz4 linger.ms=5 batch.size=262144 buffer.memory=33554432 2> "$work/producer.log" \
    | awk '/records sent/ {gsub(/[(,]/, " "); for (i = 1; i < NF; i++) if ($(i + 1) == "records/sec") rate = $i}
           END {printf "%.0f\n", rate}' # the last line: the whole run, not a 5-s interval
}

collector_run() { # collector_run LAUNCHER OPTIONS: frames/s acknowledged, the load generator's median
  local launcher=$1 options=$2 pid sock="$work/dnstap-$RANDOM.sock"
  # shellcheck disable=SC2086 # the options are meant to split
  DNSTAP_SKIP_BUILD=1 "$launcher" collector --socket-path "$sock" --tcp-listen off --kafka-bootstrap "$kafka" \
    --monitoring-port 0 $options > "$work/collector.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  wait_for 60 test -S "$sock"
  java -jar "$bench" load --capture "$capture" --unix "$sock" --connections "${CONNECTIONS:-1}" --rate "${RATE:-0}" \
    --frames 2000000000 --duration-sec "$duration" --kafka-bootstrap "$kafka" --kafka-topic dnstap.events \
    --warmup-sec 10 2> "$work/load.log" | awk '/^RESULT/ {for (i = 1; i <= NF; i++) if ($i ~ /^median=/) {v = $i; sub(/median=/, "", v); gsub(/[,\/s]/, "", v); print v}}'
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

: > "$work/runs.txt"
for round in $(seq 1 "$rounds"); do
  rate=$(producer_performance) || rate=0
  # A tool that failed gave no rate: say so and why, rather than divide by nothing.
  [ "${rate:-0}" -gt 0 ] || { echo "ProducerPerformance gave no rate:" >&2; tail -5 "$work/producer.log" >&2; exit 1; }
  echo "producer-perf-$round $rate" | tee -a "$work/runs.txt"
  echo "collector-$round $(collector_run "$root/bin/dnstap-forwarder" "${COLLECTOR_OPTS:-}")" | tee -a "$work/runs.txt"
  if [ -n "${BASELINE:-}" ]; then
    echo "baseline-$round $(collector_run "$BASELINE/bin/dnstap-forwarder" "${BASELINE_OPTS:-${COLLECTOR_OPTS:-}}")" \
      | tee -a "$work/runs.txt"
  fi
done
echo
awk '
  { label = $1; sub(/-[0-9]+$/, "", label); v[label, ++n[label]] = $2 }
  function median(label,   a, i, j, t, c) {
    c = n[label]; for (i = 1; i <= c; i++) a[i] = v[label, i]
    for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
  }
  END {
    p = median("producer-perf")
    for (label in n) printf "MEDIAN %-14s %9.0f records/s   %5.2f x ProducerPerformance (%d runs)\n", label, median(label), median(label) / p, n[label]
    for (i = 1; i <= n["collector"]; i++) printf "round %d: collector %.2f x ProducerPerformance\n", i, v["collector", i] / v["producer-perf", i]
  }' "$work/runs.txt"
