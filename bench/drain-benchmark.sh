#!/usr/bin/env bash
# drain-benchmark.sh: the shipper's drain in one command. Starts a broker, fills a topic with
# EVENTS events of the Unbound capture through a collector, reads the topic with Kafka's own
# ConsumerPerformance, then drains it ROUNDS times with the shipper (a fresh consumer group each)
# into the bench hec-sink, and prints each drain's events/s, CPU per event and ratio to
# ConsumerPerformance measured in the same run (before and after the drains, their mean).
#
#   bench/drain-benchmark.sh                          4,000,000 events, 3 drains, `full` profile
#   EVENTS=10000000 ROUNDS=5 bench/drain-benchmark.sh
#   SHIPPER_OPTS="--event-profile compact" bench/drain-benchmark.sh
#   BASELINE=../before bench/drain-benchmark.sh       alternates with another build's drains
#   BASELINE=. BASELINE_JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 bench/drain-benchmark.sh
#   BASELINE_OPTS, SHIPPER_JAVA_OPTS, BASELINE_JAVA_OPTS, SHIPPER_JAVA_HOME: each side's options
#
# Ports KAFKA_PORT (19492), HEC_PORT (18488), MONITORING_PORT (18281); CAPTURE, the capture to
# replay (../shared/testdata/unbound-large.fstrm.zst where it is, else testdata/unbound-small.fstrm,
# replayed in a loop); the work directory (about 1 GB per 4 M
# events) is removed at the end. Everything it starts it stops, by PID. Builds on first use.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
events=${EVENTS:-4000000}
rounds=${ROUNDS:-3}
kafka=127.0.0.1:${KAFKA_PORT:-19492}
hec_port=${HEC_PORT:-18488}
work=$(mktemp -d "${TMPDIR:-/tmp}/drain-benchmark.XXXXXX")
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"

echo "broker on $kafka, topic dnstap.events (3 partitions), work dir $work"
start_broker dnstap.events:3,dnstap.dlq:1

echo "filling it with $events events from $(basename "$capture")"
DNSTAP_SKIP_BUILD=1 "$root/bin/dnstap-forwarder" collector --socket-path "$work/dnstap.sock" --tcp-listen off \
  --kafka-bootstrap "$kafka" --monitoring-port 0 > "$work/collector.log" 2>&1 &
collector_pid=$!; pids+=("$collector_pid")
wait_for 60 test -S "$work/dnstap.sock"
java -jar "$bench" load --capture "$capture" --unix "$work/dnstap.sock" --frames "$events" --warmup-sec 3 \
  --duration-sec 900 --kafka-bootstrap "$kafka" --kafka-topic dnstap.events > "$work/load.log" 2>&1
tail -1 "$work/load.log"
kill "$collector_pid"; wait "$collector_pid" 2>/dev/null || true

consumer_rate() { # records/s of ConsumerPerformance reading the whole topic (fetch time: no group join);
  # awk reads to the end: a reader that left early could end the tool with SIGPIPE, and pipefail the script
  "$root/bench/kafka-perf.sh" consumer --bootstrap-server "$kafka" --topic dnstap.events --num-records "$events" \
    --timeout 60000 2> "$work/consumer.log" | awk -F', *' '/^start.time/ {header = 1; next} header && !done {printf "%.0f\n", $10; done = 1}'
}
consumer_failed() { echo "ConsumerPerformance failed:" >&2; tail -5 "$work/consumer.log" >&2; exit 1; }
consumer_before=$(consumer_rate) || consumer_failed
echo "ConsumerPerformance: $consumer_before records/s"

java -Xmx512m -jar "$bench" hec-sink --listen "127.0.0.1:$hec_port" > "$work/sink.log" 2>&1 &
sink_pid=$!; pids+=("$sink_pid")
wait_for 30 bash -c "exec 3<>/dev/tcp/127.0.0.1/$hec_port"

steady_from=$((events * 3 / 8))
shaped_base=${BASELINE_OPTS:-${SHIPPER_OPTS:-}}
shaped_launcher="${BASELINE:-$root}/bin/dnstap-forwarder"
run_drains() {
  # shaping-drain.sh alternates a `full` side and a `shaped` side; here they are this build and the
  # baseline, or this build alone (ONE_SIDE).
  KAFKA=$kafka HEC="http://127.0.0.1:$hec_port" SINK_PID=$sink_pid BROKER_PID=$broker_pid TOTAL=$events \
    STEADY_FROM=$steady_from FULL_LABEL=shipper FULL_OPTS="${SHIPPER_OPTS:-}" SHAPED_LABEL=baseline \
    FULL_JAVA_HOME=${SHIPPER_JAVA_HOME:-} FULL_JAVA_OPTS=${SHIPPER_JAVA_OPTS:-} \
    SHAPED_JAVA_HOME=${BASELINE_JAVA_HOME:-} SHAPED_JAVA_OPTS=${BASELINE_JAVA_OPTS:-} \
    SHAPED_BASE="$shaped_base" SHAPED_LAUNCHER="$shaped_launcher" ONE_SIDE=$([ -n "${BASELINE:-}" ] || echo 1) \
    MONITORING_PORT=${MONITORING_PORT:-18281} bash "$root/bench/shaping-drain.sh" "$rounds"
}
run_drains | tee "$work/drains.txt"
consumer_after=$(consumer_rate) || consumer_failed
echo "ConsumerPerformance again: $consumer_after records/s"

consumer=$(( (${consumer_before:-0} + ${consumer_after:-0}) / 2 ))
echo
echo "drain (events/s read from Kafka, from the first event to the last; steady from event $steady_from)"
awk -v consumer="$consumer" '
  BEGIN { if (consumer <= 0) { print "ConsumerPerformance gave no rate: the ratios below are meaningless"; consumer = 1 } }
  / events=/ {
    label = $1; sub(/-[0-9]+$/, "", label)
    split($2, e, "="); split($3, w, "="); split($4, s, "="); cpu = $8; steady_us = $11; rss = $(NF - 1)
    i = ++n[label]; whole[label, i] = w[2]; steady[label, i] = s[2]; us[label, i] = cpu * 1e6 / e[2]; sus[label, i] = steady_us
    if (rss > peak[label]) peak[label] = rss
    printf "  %-11s whole %7.0f  steady %7.0f events/s  %5.3f x ConsumerPerformance  shipper CPU %5.2f us/event (steady %5.2f), peak RSS %d MB\n",
      label "-" i, w[2], s[2], w[2] / consumer, us[label, i], steady_us, rss
  }
  function median(arr, label, count,   v, i, j, t) {
    for (i = 1; i <= count; i++) v[i] = arr[label, i]
    for (i = 1; i <= count; i++) for (j = i + 1; j <= count; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return count % 2 ? v[(count + 1) / 2] : (v[count / 2] + v[count / 2 + 1]) / 2
  }
  END {
    printf "ConsumerPerformance, mean of before and after: %d records/s\n", consumer
    for (label in n) {
      printf "MEDIAN %-9s whole %7.0f  steady %7.0f events/s  %5.3f x ConsumerPerformance  shipper CPU %5.2f us/event (steady %5.2f), %d drains, peak RSS %d MB\n",
        label, median(whole, label, n[label]), median(steady, label, n[label]),
        median(whole, label, n[label]) / consumer, median(us, label, n[label]), median(sus, label, n[label]), n[label], peak[label]
    }
  }' "$work/drains.txt"
