#!/usr/bin/env bash
# shaping-drain.sh ROUNDS: alternated drains of one pre-filled topic, `full` against `compact`
# with 1-in-10 sampling, each by a shipper in a fresh consumer group; prints each drain's events/s
# read from Kafka (the shipper's dnstap_component_received_events_total), "whole" from its first event
# to its last and "steady" from the STEADY_FROM-th, and the CPU seconds of shipper, broker, sink
# (the shipper's also per event over the steady part: without its start and the JIT's first work),
# and the shipper's peak RSS (VmHWM).
#
# Needs (docs/PERFORMANCE.md, "How to run it"): `dnstap-bench broker` on $KAFKA with the topic
# filled, `dnstap-bench hec-sink` on $HEC, its PID in $SINK_PID and the broker's in $BROKER_PID.
# A drain ends when the count reaches $TOTAL or stops moving for 3 s; each is bounded to 5 minutes.
# Extra shipper options: FULL_OPTS and SHAPED_OPTS; SHAPED_BASE replaces the second drain's
# `--event-profile compact --sample-rate 10` (SHAPED_BASE= SHAPED_OPTS=--transactions compares
# pairing with none). FULL_LAUNCHER and SHAPED_LAUNCHER run each side with another build's
# bin/dnstap-forwarder, FULL_JAVA_HOME/SHAPED_JAVA_HOME and FULL_JAVA_OPTS/SHAPED_JAVA_OPTS its JVM,
# FULL_LABEL and SHAPED_LABEL name the sides, ONE_SIDE=1 runs the full side alone
# (bench/drain-benchmark.sh).
set -euo pipefail
rounds=${1:?usage: shaping-drain.sh ROUNDS}
root=$(cd "$(dirname "$0")/.." && pwd)
kafka=${KAFKA:-127.0.0.1:19092}
hec=${HEC:-http://127.0.0.1:18088}
port=${MONITORING_PORT:-18200}
total=${TOTAL:-999999999999}
steady_from=${STEADY_FROM:-3000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cpu() { awk '{print ($14 + $15) / 100}' "/proc/$1/stat" 2>/dev/null || echo 0; }
received() {
  local n
  n=$(curl -s "127.0.0.1:$port/metrics" 2>/dev/null | awk '/^dnstap_component_received_events_total/ {print $2; exit}' || true)
  n=${n%.*}
  echo "${n:-0}"
}

drain() { # drain LABEL LAUNCHER JAVA_HOME JAVA_OPTS [shipper options...]
  local label=$1 launcher=$2 jvm=() group="drain-$(date +%s%N)" start="" first=0 mid="" midn=0 last=0 lastat="" still=0 midcpu=0 n now pid
  [ -n "$3" ] && jvm+=("JAVA_HOME=$3")
  [ -n "$4" ] && jvm+=("JAVA_OPTS=$4")
  shift 4
  local broker0 sink0
  broker0=$(cpu "${BROKER_PID:-0}"); sink0=$(cpu "${SINK_PID:-0}")
  env "${jvm[@]}" DNSTAP_SKIP_BUILD=1 DNSTAP_HEC_URL=$hec DNSTAP_HEC_TOKEN=bench DNSTAP_KAFKA_BOOTSTRAP=$kafka \
    DNSTAP_KAFKA_GROUP=$group DNSTAP_MONITORING_PORT=$port DNSTAP_DATA_DIR="$work/$group" \
    "$launcher" shipper "$@" > "$work/$group.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 1200); do
    sleep 0.25
    n=$(received); now=$(date +%s.%N)
    if [ -z "$start" ] && [ "$n" -gt 0 ]; then start=$now; first=$n; fi
    if [ -z "$mid" ] && [ "$n" -ge "$steady_from" ]; then mid=$now; midn=$n; midcpu=$(cpu "$pid"); fi
    if [ "$n" -gt "$last" ]; then last=$n; lastat=$now; still=0; elif [ -n "$start" ]; then still=$((still + 1)); fi
    if [ "$n" -ge "$total" ] || [ "$still" -ge 12 ]; then break; fi
  done
  local shipper_cpu peak_rss
  shipper_cpu=$(cpu "$pid")
  peak_rss=$(awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status" 2>/dev/null || echo 0)
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ -z "$start" ] || [ -z "$mid" ] || [ "$lastat" = "$mid" ]; then
    echo "$label: too few events read ($last; see $work/$group.log, kept)"; trap - EXIT; return 1
  fi
  printf '%s events=%d whole=%.0f steady=%.0f events/s  cpu: shipper %s s (steady %.2f us/event), broker %s s, sink %s s, shipper peak RSS %s MB\n' \
    "$label" "$last" "$(echo "($last - $first) / ($lastat - $start)" | bc -l)" "$(echo "($last - $midn) / ($lastat - $mid)" | bc -l)" \
    "$shipper_cpu" "$(echo "($shipper_cpu - $midcpu) * 1000000 / ($last - $midn)" | bc -l)" "$(echo "$(cpu "${BROKER_PID:-0}") - $broker0" | bc)" "$(echo "$(cpu "${SINK_PID:-0}") - $sink0" | bc)" "${peak_rss:-0}"
}

for round in $(seq 1 "$rounds"); do
  # shellcheck disable=SC2086 # the options are meant to split
  drain "${FULL_LABEL:-full}-$round" "${FULL_LAUNCHER:-$root/bin/dnstap-forwarder}" \
    "${FULL_JAVA_HOME:-}" "${FULL_JAVA_OPTS:-}" ${FULL_OPTS:-}
  [ "${ONE_SIDE:-}" = 1 ] && continue
  # shellcheck disable=SC2086
  drain "${SHAPED_LABEL:-shaped}-$round" "${SHAPED_LAUNCHER:-$root/bin/dnstap-forwarder}" \
    "${SHAPED_JAVA_HOME:-}" "${SHAPED_JAVA_OPTS:-}" ${SHAPED_BASE---event-profile compact --sample-rate 10} ${SHAPED_OPTS:-}
done
