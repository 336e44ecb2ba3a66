#!/usr/bin/env bash
# Per-connection costs of a running proxy under new connections (wrk, `Connection: close`, one
# request per connection): system calls by name (strace -c over every thread, or the thread named
# by --thread), and CPU time (utime + stime from /proc/PID/stat, in a separate run without strace),
# each divided by the connections wrk completed. With --keepalive, per request instead: wrk keeps
# its --conns connections open and sends request after request on them. Counts do not depend on how busy the machine is;
# CPU time does, less than rates do (docs/performance.md, "Round 2").
#
# With --where (needs perf): where that CPU time goes, from a third run sampled with `perf record
# -F 4999 -g` (kernel and user stacks): microseconds per connection in user space and in the kernel
# under each system call (including the loopback packet processing the call runs inline), and per
# thread. Compare two proxies with the same command: the difference is in the lines that differ.
#
# Usage: bench/per-connection.sh PID URL [--secs 3] [--conns 20] [--thread NAME] [--pin-load 1] [--where]
#                                [--keepalive] [--sni NAME]
#   PID     the proxy process (for Sluice the java process, e.g. pgrep -f 'sluice.jar run')
#   URL     what wrk requests through it, e.g. http://127.0.0.1:23200/
#   --thread  count only this thread's calls (Sluice's event loop: sluice-io-1-1)
#   --pin-load  the core wrk runs on (default 1; empty for none)
#   --keepalive  keep-alive requests instead of new connections; everything is per request
#   --sni NAME  (https URLs) send NAME as the TLS server name and Host header, for a tls listener
#               that routes on it; wrk still connects to the URL's loopback address
# Needs: strace, wrk, awk, bc. Loopback addresses only; each run is bounded by --secs.
set -euo pipefail
export LC_ALL=C
[ $# -ge 2 ] || { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }
pid=$1; url=$2; shift 2
secs=3; conns=20; thread=""; pin=1; where=no; unit=connection; sni=""
while [ $# -gt 0 ]; do
  case "$1" in
    --secs) secs=$2; shift 2 ;;
    --conns) conns=$2; shift 2 ;;
    --thread) thread=$2; shift 2 ;;
    --pin-load) pin=$2; shift 2 ;;
    --where) where=yes; shift ;;
    --keepalive) unit=request; shift ;;
    --sni) sni=$2; shift 2 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
[ -d "/proc/$pid" ] || { echo "no process $pid" >&2; exit 2; }
[[ "$url" =~ ^https?://(127\.[0-9.]+|\[::1\]|localhost)[:/] ]] || { echo "loopback URLs only: $url" >&2; exit 2; }
needs=(strace wrk bc); [ "$where" = yes ] && needs+=(perf)
for c in "${needs[@]}"; do command -v "$c" >/dev/null || { echo "missing: $c" >&2; exit 2; }; done
load=(); [ -n "$pin" ] && load=(taskset -c "$pin")
out=$(mktemp -d -t per-connection.XXXXXX); trap 'rm -rf "$out"' EXIT

close=(-H 'Connection: close'); [ "$unit" = request ] && close=()
# --sni: the URL names the server; a wrk.resolve script sends the connection to the loopback address.
wrk_url=$url; script=()
if [ -n "$sni" ]; then
  [[ "$sni" =~ ^[A-Za-z0-9.-]+$ ]] || { echo "--sni: a host name, not $sni" >&2; exit 2; }
  [[ "$url" =~ ^https://(127\.[0-9.]+|localhost)(:[0-9]+)?(/.*)?$ ]] || { echo "--sni needs an https URL on an IPv4 loopback address: $url" >&2; exit 2; }
  addr=${BASH_REMATCH[1]}; wrk_url="https://$sni${BASH_REMATCH[2]}${BASH_REMATCH[3]}"
  printf 'function wrk.resolve(host, service)\n  wrk.addrs = wrk.lookup("%s", service)\nend\n' "$addr" > "$out/resolve.lua"
  script=(-s "$out/resolve.lua")
fi
run_wrk() { "${load[@]}" timeout $((secs + 10)) wrk -t1 -c"$conns" -d"${secs}s" ${close[@]+"${close[@]}"} ${script[@]+"${script[@]}"} "$wrk_url" | awk '/requests in/ {print $1}'; }

targets=()
for t in /proc/"$pid"/task/*; do
  if [ -z "$thread" ] || [ "$(cat "$t/comm")" = "$thread" ]; then targets+=(-p "$(basename "$t")"); fi
done
[ ${#targets[@]} -gt 0 ] || { echo "no thread named $thread in $pid" >&2; exit 2; }
# -f only for the whole process (threads started during the run): with -f, strace attaches every
# thread of the process of a -p TID, so --thread would count them all.
follow=(-f); [ -n "$thread" ] && follow=()
strace -c ${follow[@]+"${follow[@]}"} "${targets[@]}" -o "$out/strace.txt" 2>/dev/null &
tracer=$!
sleep 1
n=$(run_wrk)
sleep 0.5; kill -INT "$tracer"; wait "$tracer" 2>/dev/null || true
echo "system calls per $unit (${thread:-all threads}), $n ${unit}s:"
awk -v n="$n" '$1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" {
    calls = $4; err = (NF == 6 ? $5 : 0); total += calls
    printf "  %-18s %6.3f", $NF, calls / n; if (err > 0) printf "  (failed %.3f)", err / n; print "" }
  END { printf "  %-18s %6.2f\n", "total", total / n }' "$out/strace.txt" | sort -k2 -nr

tick=$(getconf CLK_TCK)
t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
n=$(run_wrk)
t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
echo "CPU per $unit (whole process, no strace): $(echo "scale=1; ($t1 - $t0) * 1000000 / $tick / $n" | bc) us over $n ${unit}s"

[ "$where" = yes ] || exit 0
# perf samples at 4999 Hz: each sample stands for about 200 us of CPU on one thread.
perf record -q -F 4999 -g -p "$pid" -o "$out/perf.data" -- sleep $((secs + 1)) >/dev/null 2>&1 &
sampler=$!
sleep 0.5
n=$(run_wrk)
wait "$sampler" || true
echo "where the CPU goes, us per $unit ($n ${unit}s, perf -F 4999; all threads):"
perf report -i "$out/perf.data" --stdio --sort comm -n 2>/dev/null |
  awk -v n="$n" '$1 ~ /%$/ && $3 ~ /^[0-9]+$/ { c = $4; for (i = 5; i <= NF; i++) c = c " " $i
    printf "  %-32s %7.2f\n", "thread " c, $3 * 200 / n }'
total=$(perf report -i "$out/perf.data" --stdio --sort comm -n 2>/dev/null | awk '$1 ~ /%$/ && $3 ~ /^[0-9]+$/ { s += $3 } END { print s + 0 }')
perf report -i "$out/perf.data" --children --stdio --sort sym -g none 2>/dev/null |
  awk -v n="$n" -v total="$total" '
    $3 == "[k]" && ($4 ~ /^__x64_sys_/ || $4 == "do_syscall_64") {
      share = $1; sub(/%/, "", share); us = share / 100 * total * 200 / n
      name = $4; sub(/^__x64_sys_/, "", name); if (name == "do_syscall_64") { sys = us; next }
      if (us >= 0.01) printf "  %-32s %7.2f\n", "kernel " name, us }
    END { printf "  %-32s %7.2f\n  %-32s %7.2f\n  %-32s %7.2f\n", "kernel (all system calls)", sys,
      "user space and the rest", total * 200 / n - sys, "total", total * 200 / n }'
