# bench/lib.sh: what the one-command benchmarks share; sourced by them, not run. The caller sets
# $root (the repository), $work (its work directory) and $kafka (HOST:PORT of its broker).

bench="$root/bench/target/dnstap-bench.jar"
# The capture to replay: CAPTURE, else the large Unbound capture of ../shared where it is, else the
# repository's own small one (the load generator replays it in a loop).
capture=${CAPTURE:-$root/../shared/testdata/unbound-large.fstrm.zst}
[ -n "${CAPTURE:-}" ] || [ -f "$capture" ] || capture="$root/testdata/unbound-small.fstrm"
[ -f "$capture" ] || { echo "no capture at $capture (set CAPTURE)" >&2; exit 2; }

# Everything started goes in $pids; at exit it is stopped, waited for, and the work directory removed.
pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap stop_all EXIT

# The jars of this build, and of BASELINE's when one is given, built on first use.
if [ ! -f "$bench" ] || [ ! -f "$root/standalone/target/dnstap-forwarder.jar" ]; then
  echo "building..." >&2
  (cd "$root" && ./mvnw -q -B -DskipTests -pl standalone,bench -am package) >&2
fi
if [ -n "${BASELINE:-}" ] && [ ! -f "$BASELINE/standalone/target/dnstap-forwarder.jar" ]; then
  echo "building the baseline in $BASELINE..." >&2
  (cd "$BASELINE" && ./mvnw -q -B -DskipTests -pl standalone -am package) >&2
fi

wait_for() { # wait_for SECONDS COMMAND...: polls until the command succeeds
  local deadline=$((SECONDS + $1)); shift
  until "$@" > /dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "timed out waiting for: $*" >&2; return 1; }
    sleep 0.5
  done
}

start_broker() { # start_broker TOPICS [broker options...]: a broker on $kafka, data in $work; $broker_pid
  java -Xmx1g -jar "$bench" broker --data-dir "$work/kafka" --listen "$kafka" --topic "$@" > "$work/broker.log" 2>&1 &
  broker_pid=$!
  pids+=("$broker_pid")
  wait_for 90 grep -q "broker ready" "$work/broker.log"
}
