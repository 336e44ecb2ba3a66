#!/usr/bin/env bash
# The cost of SNI routing: new connections per second through a tcp listener vs a tls listener
# (which parses each ClientHello and routes on it), to the same backend, plus a direct connection
# and HAProxy in mode tcp (where installed; nbthread 1, same core as Sluice), interleaved
# (direct, haproxy, tcp, tls, direct, ...) in one run. Each connection sends a real TLS
# ClientHello and waits for the backend's first answer, then closes.
#
# Usage: bench/sni-cost.sh [repetitions=5] [seconds-per-run=5] [client-threads=8]
# Needs: a built lb-core/target/sluice.jar (mvn -B -DskipTests package), java 17.
# CPU pinning (2+ cores): the proxy gets core 0, backend and load client core 1.
set -euo pipefail
cd "$(dirname "$0")/.."

reps=${1:-5}; secs=${2:-5}; threads=${3:-8}
backend_port=16201; tcp_port=16202; tls_port=16203; haproxy_port=16204
jar=lb-core/target/sluice.jar
[ -f "$jar" ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }

pin_proxy=(); pin_load=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
  pin_proxy=(taskset -c 0); pin_load=(taskset -c 1)
fi
work=$(mktemp -d); pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# Compile the load tool once (single-file launch would recompile per run).
javac -d "$work" bench/ConnRate.java

cat > "$work/bench.yaml" <<YAML
listeners:
  - { name: plain, bind: 127.0.0.1:$tcp_port, pool: app }
  - name: sni
    bind: 127.0.0.1:$tls_port
    mode: tls
    routes:
      - { sni: chat.example.com, pool: app }
      - { sni: "*.example.com", pool: app }
pools:
  app:
    backends:
      - { name: backend, address: 127.0.0.1:$backend_port }
timeouts:
  idle: 1m
YAML

"${pin_load[@]}" java -cp "$work" ConnRate backend $backend_port &
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
  timeout client 1m
  timeout server 1m
frontend bench
  bind 127.0.0.1:$haproxy_port
  default_backend app
backend app
  server backend 127.0.0.1:$backend_port
CFG
  "${pin_proxy[@]}" haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
  pids+=($!)
fi
for _ in $(seq 1 100); do
  (exec 3<>/dev/tcp/127.0.0.1/$tls_port) 2>/dev/null && break
  sleep 0.2
done

rate() { "${pin_load[@]}" java -cp "$work" ConnRate client "$1" "$secs" "$threads" chat.example.com | awk '{print $1}'; }

rate $tcp_port >/dev/null; rate $tls_port >/dev/null   # warm-up (JIT), not counted

d=(); t=(); s=(); h=()
for i in $(seq 1 "$reps"); do
  a=$(rate $backend_port)
  x=0; $have_haproxy && x=$(rate $haproxy_port)
  b=$(rate $tcp_port); c=$(rate $tls_port)
  d+=("$a"); t+=("$b"); s+=("$c"); h+=("$x")
  echo "run $i: direct $a conn/s, haproxy $x conn/s, sluice tcp listener $b conn/s, sluice tls (SNI) listener $c conn/s"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
md=$(median "${d[@]}"); mt=$(median "${t[@]}"); ms=$(median "${s[@]}"); mh=$(median "${h[@]}")
echo "threads=$threads seconds=$secs reps=$reps"
echo "median: direct $md, haproxy $mh, sluice tcp $mt, sluice tls $ms conn/s"
awk -v s="$ms" -v t="$mt" -v d="$md" -v h="$mh" 'BEGIN { printf "ratio tls/tcp: %.2f   tcp/direct: %.2f   tls/direct: %.2f   tcp/haproxy: %s\n", s/t, t/d, s/d, (h > 0 ? sprintf("%.2f", t/h) : "n/a") }'
