#!/usr/bin/env bash
# live-servers.sh: real DNS servers at a steady pace, all sending dnstap to one standalone.
# Unbound, BIND, Knot Resolver, dnsdist and PowerDNS Recursor (Debian's packages, configured with
# the snippets of docs/DNS-SERVERS.md) each answer RATE queries/s from dnsperf for DURATION seconds,
# over Unix sockets to `bin/dnstap-forwarder standalone`, whose shipper writes the HEC events to
# data/events.jsonl. Meanwhile `ss` samples, every 100 ms, the bytes waiting unread on each of the
# collector's connections. At the end it prints, per server: the queries dnsperf sent and had
# answered, the dnstap messages they imply and those that reached the shipper's output (by type),
# the difference, and the most bytes that waited unread on that server's connections (and the
# median of the samples); then BIND's own count of the dnstap messages it dropped, and the largest
# backlog the collector itself reports for each connection (/stats).
#
#   bench/live-servers.sh                      2,000 queries/s each for 20 s
#   RATE=5000 DURATION=30 bench/live-servers.sh
#   STANDALONE_OPTS="--max-latency-ms 0" bench/live-servers.sh   options of the standalone
#   BIND_OPTIONS="fstrm-set-input-queue-size 16384;" bench/live-servers.sh   more in BIND's options
#
# Everything runs in a network namespace of its own (bubblewrap) with only loopback: no server can
# reach out. Needs unbound, bind9, knot-resolver, dnsdist, pdns-recursor, dnsperf, bubblewrap,
# iproute2 (apt). Work directory: WORK (mktemp), removed at the end unless KEEP=1.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rate=${RATE:-2000}
duration=${DURATION:-20}
work=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/live-servers.XXXXXX")}
for program in unbound named kresd dnsdist pdns_recursor dnsperf bwrap ss python3 curl; do
  command -v "$program" > /dev/null || { echo "needs $program (see the header of $0)" >&2; exit 2; }
done
if [ ! -f "$root/standalone/target/dnstap-forwarder.jar" ]; then
  (cd "$root" && ./mvnw -q -B -DskipTests -pl standalone -am package) >&2
fi
if [ "${INSIDE:-}" != 1 ]; then
  trap '[ "${KEEP:-}" = 1 ] || rm -rf "$work"' EXIT
  bwrap --unshare-net --unshare-pid --die-with-parent --dev-bind / / --proc /proc \
    env INSIDE=1 WORK="$work" RATE="$rate" DURATION="$duration" STANDALONE_OPTS="${STANDALONE_OPTS:-}" \
    BIND_OPTIONS="${BIND_OPTIONS:-}" bash "$0"
  exit
fi

# Inside the sandbox: loopback only, and every process started here ends with it.
sock="$work/data/dnstap.sock"
mkdir -p "$work/data" "$work/kresd"
pids=()
stop_all() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop_all EXIT

# shellcheck disable=SC2086 # the options are meant to split
DNSTAP_SKIP_BUILD=1 DNSTAP_DATA_DIR="$work/data" "$root/bin/dnstap-forwarder" standalone ${STANDALONE_OPTS:-} \
  > "$work/standalone.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do [ -S "$sock" ] && break; sleep 0.5; done
[ -S "$sock" ] || { echo "the standalone did not start:"; tail -20 "$work/standalone.log"; exit 1; }

python3 -c "
for i in range($((rate * duration * 10))): print(f'q{i}.test.example A')" > "$work/names.txt"

cat > "$work/test.example.zone" <<EOF
\$TTL 300
@ IN SOA ns.test.example. hostmaster.test.example. 1 3600 600 86400 300
@ IN NS ns.test.example.
ns IN A 127.0.0.1
* IN A 192.0.2.1
EOF
cat > "$work/unbound.conf" <<EOF
server:
    interface: 127.0.0.1@5301
    do-ip6: no
    username: ""
    chroot: ""
    directory: "$work"
    pidfile: ""
    use-syslog: no
    num-threads: 1
    access-control: 127.0.0.0/8 allow
    local-zone: "test.example." redirect
    local-data: "test.example. A 192.0.2.1"
dnstap:
    dnstap-enable: yes
    dnstap-bidirectional: yes
    dnstap-socket-path: "$sock"
    dnstap-send-identity: yes
    dnstap-identity: "unbound-1"
    dnstap-send-version: yes
    dnstap-log-client-query-messages: yes
    dnstap-log-client-response-messages: yes
EOF
cat > "$work/named.conf" <<EOF
options {
    dnstap { all; };
    dnstap-output unix "$sock";
    dnstap-identity "bind-1";
    ${BIND_OPTIONS:-}
    directory "$work";
    pid-file none;
    listen-on port 5302 { 127.0.0.1; };
    listen-on-v6 { none; };
    recursion no;
};
controls { };
statistics-channels { inet 127.0.0.1 port 5380 allow { 127.0.0.1; }; }; # it counts the dnstap messages it dropped
zone "test.example" { type primary; file "test.example.zone"; };
EOF
mkdir -p "$work/upstream" # PowerDNS's upstream: a second BIND, without dnstap
cp "$work/test.example.zone" "$work/upstream/"
cat > "$work/upstream/named.conf" <<EOF
options { directory "$work/upstream"; pid-file none; listen-on port 5306 { 127.0.0.1; }; listen-on-v6 { none; }; recursion no; };
controls { };
zone "test.example" { type primary; file "test.example.zone"; };
EOF
cat > "$work/kresd.conf" <<EOF
net.listen('127.0.0.1', 5303, { kind = 'dns' })
modules = {
    dnstap = {
        socket_path = "$sock",
        identity = "knot-1",
        client = { log_queries = true, log_responses = true },
    },
}
policy.add(policy.all(policy.ANSWER({ [kres.type.A] = { rdata = kres.str2ip('192.0.2.1'), ttl = 300 } })))
EOF
cat > "$work/dnsdist.conf" <<EOF
setLocal("127.0.0.1:5304")
setSecurityPollSuffix("")
tap = newFrameStreamUnixLogger("$sock")
addAction(AllRule(), DnstapLogAction("dnsdist-1", tap))
addResponseAction(AllRule(), DnstapLogResponseAction("dnsdist-1", tap))
addCacheHitResponseAction(AllRule(), DnstapLogResponseAction("dnsdist-1", tap))
addAction(AllRule(), SpoofAction("192.0.2.1"))
EOF
mkdir -p "$work/pdns"
echo "dnstapFrameStreamServer({\"$sock\"}, {logQueries = true, logResponses = true})" > "$work/pdns/pdns.lua"
cat > "$work/pdns/recursor.conf" <<EOF
local-address=127.0.0.1
local-port=5305
lua-config-file=$work/pdns/pdns.lua
forward-zones=test.example=127.0.0.1:5306
dnssec=off
security-poll-suffix=
socket-dir=$work/pdns
daemon=no
threads=1
EOF

unbound -d -c "$work/unbound.conf" > "$work/unbound.log" 2>&1 & pids+=($!)
named -g -n 1 -c "$work/named.conf" > "$work/named.log" 2>&1 & pids+=($!)
named -g -n 1 -c "$work/upstream/named.conf" > "$work/upstream/named.log" 2>&1 & pids+=($!)
kresd -n -c "$work/kresd.conf" "$work/kresd" > "$work/kresd.log" 2>&1 < /dev/null & pids+=($!)
dnsdist --supervised --disable-syslog -C "$work/dnsdist.conf" > "$work/dnsdist.log" 2>&1 & pids+=($!)
pdns_recursor --config-dir="$work/pdns" > "$work/pdns.log" 2>&1 & pids+=($!)
server_pids=("${pids[@]:1}")
sleep 5 # the servers open their dnstap connections

# Which server each of the collector's connections belongs to: the peer socket's process.
ss -xnpH > "$work/ss-start.txt"
( while :; do echo "@ $(date +%s.%N)"; ss -xnH; sleep 0.1; done ) > "$work/ss-samples.txt" &
sampler=$!; pids+=("$sampler")

echo "$rate queries/s to each of unbound, bind, knot, dnsdist, powerdns for $duration s"
declare -A port=([unbound-1]=5301 [bind-1]=5302 [knot-1]=5303 [dnsdist-1]=5304 [powerdns]=5305)
perf_pids=()
offset=0
for server in unbound-1 bind-1 knot-1 dnsdist-1 powerdns; do
  # Each server its own names: PowerDNS caches, and a name asked twice would not be asked upstream again.
  sed -n "$((offset + 1)),$((offset + rate * duration * 2))p" "$work/names.txt" > "$work/names-$server.txt"
  offset=$((offset + rate * duration * 2))
  dnsperf -s 127.0.0.1 -p "${port[$server]}" -d "$work/names-$server.txt" -Q "$rate" -l "$duration" -c 2 -t 5 \
    > "$work/dnsperf-$server.txt" 2>&1 &
  perf_pids+=($!)
done
wait "${perf_pids[@]}"
sleep 3
curl -s http://127.0.0.1:5380/json/v1/server > "$work/bind-stats.json" || true
curl -s http://127.0.0.1:8080/stats > "$work/collector-stats.json" || true # the standalone's collector
kill "$sampler"
for pid in "${server_pids[@]}"; do kill "$pid" 2>/dev/null || true; done # each flushes its queue and closes
sleep 8 # the shipper's flush interval and more

python3 - "$work" "$sock" <<'EOF'
import collections, json, re, statistics, sys
work, sock = sys.argv[1], sys.argv[2]
# Connections: the collector's end (local address = the socket path) and the server's end (peer of it).
owner = {}
for line in open(f"{work}/ss-start.txt"):
    fields = line.split()
    proc = re.search(r'users:\(\("([^"]+)"', line)
    if proc and len(fields) >= 8:
        owner[fields[5]] = proc.group(1)  # this socket's inode -> its process
waiting = collections.defaultdict(list)
for line in open(f"{work}/ss-samples.txt"):
    fields = line.split()
    if len(fields) >= 8 and fields[4] == sock:
        waiting[owner.get(fields[7], "?")].append(int(fields[2]))
names = {"unbound": "unbound-1", "named": "bind-1", "isc-net-0000": "bind-1", "kresd": "knot-1",
         "dnsdist": "dnsdist-1", "pdns_recursor": "powerdns", "pdns-r/worker": "powerdns"}
unread = collections.defaultdict(list)
for process, values in waiting.items():
    unread[names.get(process, process)].extend(values)
types = collections.defaultdict(collections.Counter)
for line in open(f"{work}/data/events.jsonl"):
    event = json.loads(line)["event"]
    kind = event["dnstap_type"]
    # PowerDNS Recursor 4.8 sends no identity: its messages are the only RESOLVER_ ones here.
    types["powerdns" if kind.startswith("RESOLVER_") else event.get("identity", "?")][kind] += 1
# What each server logs per query it answered, with the snippets of docs/DNS-SERVERS.md: BIND, as
# an authoritative server asked with RD=1, the query as AUTH_QUERY and the answer as CLIENT_RESPONSE;
# dnsdist's spoofed answers are not responses it logs; PowerDNS, the query it forwards and its answer.
per_query = {"unbound-1": 2, "bind-1": 2, "knot-1": 2, "dnsdist-1": 1, "powerdns": 2}
print()
print(f"{'server':10} {'sent':>6} {'answered':>8} {'expected':>8} {'reached':>8} {'lost':>6}  "
      f"{'by type':54} unread bytes: max / median")
total_lost = 0
for server in per_query:
    perf = open(f"{work}/dnsperf-{server}.txt").read()
    sent = int(re.search(r"Queries sent:\s+(\d+)", perf).group(1))
    answered = int(re.search(r"Queries completed:\s+(\d+)", perf).group(1))
    expected = answered * per_query[server]
    reached = sum(types.get(server, {}).values())
    total_lost += max(0, expected - reached)
    counts = ", ".join(f"{k} {v}" for k, v in sorted(types.get(server, {}).items()))
    samples = unread.get(server, [0])
    print(f"{server:10} {sent:6} {answered:8} {expected:8} {reached:8} {expected - reached:6}  {counts:54} "
          f"{max(samples)} / {int(statistics.median(samples))}")
others = {k: v for k, v in types.items() if k not in per_query}
if others:
    print("other identities:", dict(others))
def dnstap_counters(node, found):
    if isinstance(node, dict):
        for key, value in node.items():
            if "dnstap" in key.lower() and not isinstance(value, (dict, list)):
                found[key] = value
            dnstap_counters(value, found)
    return found
try:
    print("BIND's own dnstap counters:", dnstap_counters(json.load(open(f"{work}/bind-stats.json")), {}))
except (OSError, ValueError) as e:
    print("BIND's statistics: none", e)
try:
    # The collector's own view: the largest backlog each reader took, against the largest that ss saw.
    backlogs = sorted(c.get("largest_backlog_bytes", 0) for c in json.load(open(f"{work}/collector-stats.json"))["connections"])
    print("the collector's largest backlog per connection (/stats):", backlogs,
          "; largest unread in the ss samples:", max((max(v) for v in waiting.values()), default=0))
except (OSError, ValueError, KeyError) as e:
    print("the collector's /stats: none", e)
print("samples of unread bytes, by process:", {k: len(v) for k, v in waiting.items()})
print("LOST", total_lost)
EOF
