#!/usr/bin/env bash
# Bulk TCP throughput on loopback: a direct iperf3 connection vs the same through HAProxy (mode tcp)
# and through Sluice, interleaved (direct, haproxy, sluice, direct, ...) in one run so machine noise
# hits all alike. Prints each run, the medians and the ratios sluice/haproxy and sluice/direct.
# HAProxy is skipped (with a note) where it is not installed.
#
# Usage: bench/throughput.sh [repetitions=5] [seconds-per-run=5] [streams=1]
# Needs: iperf3 (apt-get install iperf3 haproxy), a built lb-core/target/sluice.jar (mvn -B -DskipTests package).
# Both proxies get one core and one thread (Sluice sees one CPU under taskset, so one event loop;
# HAProxy runs with nbthread 1).
# CPU pinning: the proxy gets core 0, iperf3 client and server core 1 (taskset), where there are 2+ cores.
# Only loopback addresses are used; every run is bounded by its duration.
set -euo pipefail
cd "$(dirname "$0")/.."

reps=${1:-5}
secs=${2:-5}
streams=${3:-1}
backend_port=15201
proxy_port=15202
haproxy_port=15203
jar=lb-core/target/sluice.jar
[ -f "$jar" ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }
command -v iperf3 >/dev/null || { echo "iperf3 missing: apt-get install iperf3" >&2; exit 2; }

pin_proxy=(); pin_load=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  pin_proxy=(taskset -c 0); pin_load=(taskset -c 1)
fi

work=$(mktemp -d)
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
pids=()
trap cleanup EXIT

cat > "$work/bench.yaml" <<YAML
listeners:
  - { name: bench, bind: 127.0.0.1:$proxy_port, pool: iperf }
pools:
  iperf:
    balance: round-robin
    backends:
      - { name: iperf3, address: 127.0.0.1:$backend_port }
timeouts:
  idle: 5m
YAML

"${pin_load[@]}" iperf3 -s -B 127.0.0.1 -p $backend_port >"$work/iperf3-server.log" 2>&1 &
pids+=($!)
"${pin_proxy[@]}" java -Dsluice.access-log=off -jar "$jar" run --config "$work/bench.yaml" >"$work/sluice.log" 2>&1 &
pids+=($!)
have_haproxy=false
if command -v haproxy >/dev/null; then
  have_haproxy=true
  cat > "$work/haproxy.cfg" <<CFG
global
  nbthread 1
  maxconn 4000
defaults
  mode tcp
  timeout connect 3s
  timeout client 5m
  timeout server 5m
frontend bench
  bind 127.0.0.1:$haproxy_port
  default_backend iperf
backend iperf
  server iperf3 127.0.0.1:$backend_port
CFG
  "${pin_proxy[@]}" haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
  pids+=($!)
else
  echo "haproxy not installed: comparing Sluice with a direct connection only" >&2
fi
for _ in $(seq 1 100); do
  (exec 3<>/dev/tcp/127.0.0.1/$proxy_port) 2>/dev/null && break
  sleep 0.2
done

gbps() { # port -> Gbit/s received; retries once if the iperf3 server is still finishing the last test
  local out
  for attempt in 1 2 3; do
    out=$("${pin_load[@]}" iperf3 -c 127.0.0.1 -p "$1" -t "$secs" -P "$streams" -J 2>/dev/null || true)
    if printf '%s' "$out" | python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9))' 2>/dev/null; then
      return 0
    fi
    echo "iperf3 run failed (attempt $attempt): $(printf '%s' "$out" | grep -o '"error":[^}]*' | head -1)" >&2
    sleep 1
  done
  return 1
}

# Warm-up (JIT) through the proxy, not counted.
gbps $proxy_port >/dev/null

direct=(); proxied=(); haproxied=()
$have_haproxy && gbps $haproxy_port >/dev/null   # warm-up, not counted
for i in $(seq 1 "$reps"); do
  d=$(gbps $backend_port)
  h=0; $have_haproxy && h=$(gbps $haproxy_port)
  p=$(gbps $proxy_port)
  direct+=("$d"); proxied+=("$p"); haproxied+=("$h")
  echo "run $i: direct ${d} Gbit/s, haproxy ${h} Gbit/s, sluice ${p} Gbit/s"
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
md=$(median "${direct[@]}"); mp=$(median "${proxied[@]}"); mh=$(median "${haproxied[@]}")
echo "streams=$streams seconds=$secs reps=$reps"
echo "median direct: $md Gbit/s"
echo "median haproxy: $mh Gbit/s"
echo "median sluice: $mp Gbit/s"
awk -v p="$mp" -v d="$md" -v h="$mh" 'BEGIN { printf "ratio sluice/direct: %.2f   sluice/haproxy: %s\n", p/d, (h > 0 ? sprintf("%.2f", p/h) : "n/a") }'
