#!/usr/bin/env bash
# What the access log costs per new connection, split by thread, for one or more Sluice jars side by
# side: for each round, each jar, access log on then off, a fresh Sluice (the launcher, pinned to
# core 0) relays wrk `Connection: close` load (core 1) to one nginx; after --warmup seconds, CPU time
# (utime + stime from /proc/PID/task/*/stat) over --secs seconds is divided by the connections closed
# (sluice_connections_closed_total), per thread group: the event loop (sluice-io-*), the access-log
# writer (sluice-log-*), everything else (GC, JIT, timers), and the process total.
#
# Why per thread: on a shared machine the rate Sluice gets swings with the load, and the JVM's
# per-second work (GC, JIT, timers) divided by fewer connections swings CPU per connection with it
# (bench/compare.sh's cpu_per_conn for Sluice varied 3x run to run at a load average of 15). The
# event loop's and the writer's CPU per connection hardly depend on the rate.
#
# Usage: bench/log-cost.sh [--rounds 2] [--warmup 20] [--secs 15] [--port-base 27100] LABEL=JAR...
#   e.g. bench/log-cost.sh before=old/sluice.jar after=lb-core/target/sluice.jar
# Prints one tab-separated line per run: label logs round conns total_us loop_us writer_us other_us load.
# Needs: java 17, nginx, wrk, curl, taskset. Loopback only; every run is bounded by --warmup + --secs.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
rounds=2; warmup=20; secs=15; base=27100
jars=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --secs) secs=$2; shift 2 ;;
    --port-base) base=$2; shift 2 ;;
    *=*) jars+=("$1"); shift ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
  esac
done
[ ${#jars[@]} -gt 0 ] || { echo "give at least one LABEL=JAR" >&2; exit 2; }
for j in "${jars[@]}"; do [ -f "${j#*=}" ] || { echo "no jar: ${j#*=}" >&2; exit 2; }; done
[[ "$rounds" =~ ^[1-9][0-9]*$ && "$warmup" =~ ^[1-9][0-9]*$ && "$secs" =~ ^[1-9][0-9]*$ && "$base" =~ ^[1-9][0-9]*$ ]] ||
  { echo "--rounds, --warmup, --secs and --port-base take positive integers" >&2; exit 2; }
for c in nginx wrk curl taskset java; do command -v "$c" >/dev/null || { echo "missing: $c" >&2; exit 2; }; done

source bench/processes.sh   # alive, stop_pid
p_http=$base; s_http=$((base + 200)); s_admin=$((base + 299))
work=$(mktemp -d -t sluice-log-cost.XXXXXX)
nginx_pid=""; sluice_pid=""
cleanup() { stop_pid "$sluice_pid"; [ -f "$work/nginx.pid" ] && stop_pid "$(cat "$work/nginx.pid")"; rm -rf "$work"; }
trap cleanup EXIT

cat >"$work/nginx.conf" <<CFG
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 8000; }
http {
  access_log off;
  client_body_temp_path $work/nb; proxy_temp_path $work/np; fastcgi_temp_path $work/nf; uwsgi_temp_path $work/nu; scgi_temp_path $work/ns;
  server { listen 127.0.0.1:$p_http; location / { return 200 "ok\n"; } }
}
CFG
cat >"$work/sluice.yaml" <<CFG
listeners:
  - { name: web, bind: 127.0.0.1:$s_http, pool: web }
pools:
  web:
    health: { type: none }
    backends: [ { name: nginx, address: 127.0.0.1:$p_http } ]
timeouts:
  idle: 10m
  shutdown-grace: 1s
admin:
  bind: 127.0.0.1:$s_admin
CFG
taskset -c 1 nginx -c "$work/nginx.conf" -p "$work"

# Sum of utime + stime, in clock ticks, of pid $1's threads whose name matches the regex $2.
ticks() {
  local pid=$1 pattern=$2 s=0 t comm st
  for t in /proc/"$pid"/task/*; do
    comm=$(cat "$t/comm" 2>/dev/null) || continue
    [[ "$comm" =~ $pattern ]] || continue
    st=$(sed 's/^.*) //' "$t/stat" 2>/dev/null) || continue
    set -- $st
    s=$(( s + ${12} + ${13} ))   # stat fields 14 and 15 (utime, stime), counted after "pid (comm) "
  done
  echo "$s"
}
closed() { curl -s "127.0.0.1:$s_admin/metrics" | awk '/^sluice_connections_closed_total/ {s += $2} END {printf "%d", s}'; }
hz=$(getconf CLK_TCK)

printf 'label\tlogs\tround\tconns\ttotal_us\tloop_us\twriter_us\tother_us\tload\n'
for r in $(seq 1 "$rounds"); do
  for j in "${jars[@]}"; do
    label=${j%%=*}; jar=${j#*=}
    for logs in on off; do
      flag=""; [ "$logs" = off ] && flag="-Dsluice.access-log=off"
      SLUICE_JAR="$jar" SLUICE_HEAP=512m SLUICE_CDS_DIR="$work/cds-$label" SLUICE_JAVA_OPTS="$flag" \
        taskset -c 0 conf/sluice run --config "$work/sluice.yaml" >"$work/sluice.log" 2>&1 &
      sluice_pid=$!
      for _ in $(seq 1 150); do curl -s -o /dev/null "127.0.0.1:$s_admin/metrics" && break; sleep 0.2; done
      alive "$sluice_pid" || { cat "$work/sluice.log" >&2; exit 1; }
      timeout -k 5 $((warmup + 30)) taskset -c 1 wrk -t1 -c50 -d"${warmup}s" -H 'Connection: close' "http://127.0.0.1:$s_http/" >/dev/null 2>&1 || true
      c0=$(closed); a0=$(ticks "$sluice_pid" .); l0=$(ticks "$sluice_pid" '^sluice-io'); w0=$(ticks "$sluice_pid" '^sluice-log')
      load=$(cut -d' ' -f1 /proc/loadavg)
      timeout -k 5 $((secs + 30)) taskset -c 1 wrk -t1 -c50 -d"${secs}s" -H 'Connection: close' "http://127.0.0.1:$s_http/" >/dev/null 2>&1 || true
      sleep 0.3   # the last connections' close
      c1=$(closed); a1=$(ticks "$sluice_pid" .); l1=$(ticks "$sluice_pid" '^sluice-io'); w1=$(ticks "$sluice_pid" '^sluice-log')
      awk -v n=$((c1 - c0)) -v hz="$hz" -v a=$((a1 - a0)) -v l=$((l1 - l0)) -v w=$((w1 - w0)) \
          -v label="$label" -v logs="$logs" -v r="$r" -v load="$load" \
        'BEGIN { if (n <= 0) { printf "%s\t%s\t%d\t0\tno connections\n", label, logs, r; exit }
                 f = 1e6 / hz / n
                 printf "%s\t%s\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%s\n", label, logs, r, n, a * f, l * f, w * f, (a - l - w) * f, load }'
      stop_pid "$sluice_pid"; sluice_pid=""
    done
  done
done
