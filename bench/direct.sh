#!/usr/bin/env bash
# Download-heavy throughput through a balancer, four ways, in a lab of network namespaces:
#   none    the client talks to the backend directly (no balancer)
#   direct  through Sluice direct routing (the kernel forwards; replies bypass the balancer)
#   proxy   through Sluice proxy mode (a tcp listener on the balancer)
#   haproxy through HAProxy (mode tcp, one thread) on the balancer, where installed
# iperf3 in reverse mode (the server sends) with many parallel streams, interleaved
# (none, direct, proxy, haproxy, none, ...) so machine noise hits all alike; medians of repetitions.
# Also: the bytes the balancer's interface carried per byte the client received, and the balancer
# processes' CPU seconds per GB delivered (Sluice's own process for direct: the kernel's forwarding
# work is softirq time no process is charged with; see docs/performance.md).
#
# Usage (root): bench/direct.sh [repetitions=5] [seconds-per-run=5] [streams=8]
# Needs: iperf3, nftables, iproute2 (apt-get install iperf3 nftables iproute2), a built
# lb-core/target/sluice.jar (mvn -B -DskipTests package).
# Only namespaces this script creates (removed on exit) and addresses of 198.51.100.0/24 (hosts)
# and 203.0.113.0/24 (the VIP) are used; the host's own namespace is never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/processes.sh

reps=${1:-5}
secs=${2:-5}
streams=${3:-8}
jar=$PWD/lb-core/target/sluice.jar
[ -f "$jar" ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "run as root (network namespaces)" >&2; exit 2; }
for tool in iperf3 nft ip; do command -v $tool >/dev/null || { echo "$tool missing" >&2; exit 2; }; done

s=b$$
ns() { echo "slb$1-$s"; }
VIP=203.0.113.10; CLIENT=198.51.100.2; BAL=198.51.100.3; BACKEND=198.51.100.11
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do stop_pid "$p"; done
  for r in br c b k; do ip netns del "$(ns $r)" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$(ns br)"
ip -n "$(ns br)" link add br0 type bridge
ip -n "$(ns br)" link set br0 up
for spec in c:$CLIENT b:$BAL k:$BACKEND; do
  r=${spec%%:*}; a=${spec#*:}
  ip netns add "$(ns $r)"
  ip -n "$(ns $r)" link add eth0 type veth peer name p$r netns "$(ns br)"
  ip -n "$(ns br)" link set p$r master br0 up
  ip -n "$(ns $r)" addr add $a/24 dev eth0
  ip -n "$(ns $r)" link set eth0 up
  ip -n "$(ns $r)" link set lo up
done
ip netns exec "$(ns b)" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 \
  net.ipv4.conf.eth0.send_redirects=0 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0
ip -n "$(ns k)" addr add $VIP/32 dev lo
ip netns exec "$(ns k)" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
ip -n "$(ns c)" route add $VIP/32 via $BAL

cat > "$work/sluice.yaml" <<YAML
listeners:
  - { name: proxy, bind: $BAL:5202, pool: iperf }
direct:
  table: sluice_bench
  listeners:
    - { name: iperf, vip: $VIP, ports: [5201], pool: iperf }
pools:
  iperf:
    balance: maglev
    maglev-table-size: 251
    backends:
      - { name: k1, address: $BACKEND:5201 }
timeouts:
  idle: 5m
YAML
ip netns exec "$(ns k)" iperf3 -s -p 5201 >"$work/iperf3-server.log" 2>&1 &
pids+=($!)
ip netns exec "$(ns b)" java -Dsluice.access-log=off -jar "$jar" run --config "$work/sluice.yaml" >"$work/sluice.log" 2>&1 &
sluice=$!; pids+=($sluice)
have_haproxy=false; haproxy_pid=
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
  bind $BAL:5203
  default_backend iperf
backend iperf
  server k1 $BACKEND:5201
CFG
  ip netns exec "$(ns b)" haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
  haproxy_pid=$!; pids+=($haproxy_pid)
fi
for _ in $(seq 1 150); do grep -q "Sluice started" "$work/sluice.log" && break; sleep 0.2; done
grep -q "Sluice started" "$work/sluice.log" || { cat "$work/sluice.log"; exit 1; }

ticks=$(getconf CLK_TCK)
cpu() { awk -v t="$ticks" '{printf "%.3f", ($14 + $15) / t}' "/proc/$1/stat"; }
bytes() { ip netns exec "$(ns $1)" cat /sys/class/net/eth0/statistics/rx_bytes /sys/class/net/eth0/statistics/tx_bytes | awk '{s+=$1} END {print s}'; }
rx() { ip netns exec "$(ns $1)" cat /sys/class/net/eth0/statistics/rx_bytes; }

# run MODE HOST PORT PID -> "Gbit/s cpu-s-per-GB balancer-bytes-per-client-byte"
run() {
  local host=$2 port=$3 pid=$4 out c0 c1 b0 b1 r0 r1
  for attempt in 1 2 3; do
    c0=0; [ -n "$pid" ] && c0=$(cpu "$pid"); b0=$(bytes b); r0=$(rx c)
    out=$(ip netns exec "$(ns c)" iperf3 -c "$host" -p "$port" -R -t "$secs" -P "$streams" -J 2>/dev/null || true)
    c1=0; [ -n "$pid" ] && c1=$(cpu "$pid"); b1=$(bytes b); r1=$(rx c)
    if printf '%s' "$out" | python3 -c 'import json,sys; json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]' 2>/dev/null; then
      printf '%s' "$out" | python3 -c '
import json, sys
gbit = json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9
c0, c1, b0, b1, r0, r1 = map(float, sys.argv[1:])
gb = (r1 - r0) / 1e9
print("%.2f %.3f %.4f" % (gbit, (c1 - c0) / gb if gb > 0 else 0, (b1 - b0) / (r1 - r0) if r1 > r0 else 0))' "$c0" "$c1" "$b0" "$b1" "$r0" "$r1"
      return 0
    fi
    echo "iperf3 $1 failed (attempt $attempt)" >&2; sleep 1
  done
  return 1
}

run proxy $BAL 5202 "$sluice" >/dev/null   # warm-up (JIT), not counted
modes=(none direct proxy); $have_haproxy && modes+=(haproxy)
declare -A res
for i in $(seq 1 "$reps"); do
  line="run $i:"
  for m in "${modes[@]}"; do
    case $m in
      none) r=$(run none $BACKEND 5201 "") ;;
      direct) r=$(run direct $VIP 5201 "$sluice") ;;
      proxy) r=$(run proxy $BAL 5202 "$sluice") ;;
      haproxy) r=$(run haproxy $BAL 5203 "$haproxy_pid") ;;
    esac
    res[$m]+="$r"$'\n'
    line+=" $m $r;"
  done
  echo "$line"
done

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "streams=$streams seconds=$secs reps=$reps (reverse: server to client)"
printf '%-8s %12s %18s %26s\n' mode "Gbit/s" "CPU s per GB" "balancer bytes/client byte"
for m in "${modes[@]}"; do
  g=$(printf '%s' "${res[$m]}" | awk 'NF {print $1}' | median)
  c=$(printf '%s' "${res[$m]}" | awk 'NF {print $2}' | median)
  b=$(printf '%s' "${res[$m]}" | awk 'NF {print $3}' | median)
  printf '%-8s %12s %18s %26s\n' "$m" "$g" "$c" "$b"
  eval "med_$m=$g; cpu_$m=$c"
done
awk -v d="$med_direct" -v n="$med_none" -v cd="$cpu_direct" -v cp="$cpu_proxy" \
  'BEGIN { printf "direct/none throughput: %.2f; daemon CPU per GB direct/proxy: %s\n", d/n, (cp > 0 ? sprintf("%.4f", cd/cp) : "n/a") }'
