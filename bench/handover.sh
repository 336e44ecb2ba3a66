#!/usr/bin/env bash
# Connection handover under load, over loopback only: a running daemon (A) hands its listening socket
# and every established connection to a new one (B, `sluice run --takeover SOCKET`) while N "chat"
# clients keep talking through it, and we measure what the clients see.
#
# One run (for every N in --conns and every batch size in --batch):
#   1. an echo backend (bench/IdleConns.java echo: one thread, one Selector) and daemon A, whose
#      config has `handover: { socket: ... }` in a temp dir; no health checks, no access log;
#   2. N client connections through A (bench/ChatConns.java chat), sources 127.0.0.2 .. 127.0.0.50,
#      each sending a 16-byte timestamped ping every second (phases spread over the second) and
#      timing its echo; 3 s of traffic before the handover for a baseline;
#   3. B starts with --takeover (same listener, its own admin port); we wait for A to exit (its exit
#      status must be 0) and for B's GET /api/v1/status to report handover.last.outcome "done";
#      that span is the handover window (the client counts a ping to it when it was sent before the
#      window's end and answered, or still awaited, after its start);
#   4. --after seconds more traffic (default 5), then the client reports, and B is stopped.
# Reported per run: B's handover.last.duration_millis and longest_pause_millis, the wall clock from
# starting B's JVM to A's exit (includes B's JVM start-up), the client's echo latency before the
# handover (p99) and in its window (p50, p99, max, and the p99 over connections of each one's longest
# ping-to-echo time), connections that failed (must be 0), A's exit status, and the RSS of A before
# and of B after the handover. A's batch size is the system property -Dsluice.handover.batch-size
# (read by the old process; 64 when not set).
#
# Usage: bench/handover.sh [--conns "1000 2000 4000"] [--batch "default 64 1024"] [--after S]
#                          [--baseline S] [--out DIR] [--port-base 23500] [--no-pin]
#   Pinning (2+ CPUs, unless --no-pin): both daemons on core 0, the clients and the backend on core 1.
#
# Descriptors: the open-files limit (ulimit -n) is per process. A proxied connection takes 2
# descriptors in each daemon that holds it (and during the handover a batch is open in both), 1 in
# the client process and 1 in the backend process. Runs where a daemon would need more than
# ulimit -n (2 N + 2 batch + 300) are refused: with 20000, N = 9000 fits, 10000 does not.
#
# Output directory (default ${TMPDIR:-/tmp}/sluice-handover-DATE): results.tsv (one line per run),
# logs/ (daemon, client and backend logs of every run). Needs java 17 with javac, curl, jq, taskset,
# and a built lb-core/target/sluice.jar (mvn -B -DskipTests package). Every wait is bounded in count.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

conns="1000 2000 4000"; batches="default"; after=5; baseline=3; out=""; port_base=23500; pin=yes
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --conns) conns=$2; shift 2 ;;
    --batch) batches=$2; shift 2 ;;
    --after) after=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --port-base) port_base=$2; shift 2 ;;
    --no-pin) pin=no; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
for c in java javac curl jq taskset timeout awk; do
  command -v "$c" >/dev/null || { echo "missing: $c" >&2; exit 2; }
done
jar=lb-core/target/sluice.jar
[ -f "$jar" ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }
[[ "$after" =~ ^[1-9][0-9]*$ && "$baseline" =~ ^[1-9][0-9]*$ && "$port_base" =~ ^[1-9][0-9]*$ ]] ||
  { echo "--after, --baseline and --port-base take positive integers" >&2; exit 2; }
limit=$(ulimit -n)
for n in $conns; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "--conns: positive integers" >&2; exit 2; }
  for b in $batches; do
    bs=$b; [ "$b" = default ] && bs=64
    [[ "$bs" =~ ^[1-9][0-9]*$ ]] || { echo "--batch: positive integers or 'default'" >&2; exit 2; }
    need=$(( 2 * n + 2 * bs + 300 ))
    [ "$need" -le "$limit" ] || { echo "N=$n batch=$bs needs about $need descriptors, the limit is $limit" >&2; exit 2; }
  done
done

if [ "$pin" = yes ] && [ "$(nproc)" -ge 2 ]; then
  pin_proxy=(taskset -c 0); pin_load=(taskset -c 1)
  taskset -p -c 1 $$ >/dev/null
else
  pin_proxy=(); pin_load=()
fi

P_ECHO=$port_base; P_LB=$((port_base + 1)); P_ADMIN_A=$((port_base + 2)); P_ADMIN_B=$((port_base + 3))
for p in $P_ECHO $P_LB $P_ADMIN_A $P_ADMIN_B; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "port 127.0.0.1:$p is in use: choose others with --port-base N" >&2; exit 2
  fi
done

[ -n "$out" ] || out="${TMPDIR:-/tmp}/sluice-handover-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out/logs"
out=$(cd "$out" && pwd)
work=$(mktemp -d -t sluice-ho.XXXXXX)   # short: the handover socket's path must fit a UNIX socket
launcher=conf/sluice
export SLUICE_CDS_DIR="$work/cds"        # a fresh archive, made by a priming run below

echo_pid=""; a_pid=""; b_pid=""; chat_pid=""
source "$(dirname "$0")/processes.sh"   # alive, stop_pid
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for p in $chat_pid $b_pid $a_pid $echo_pid; do stop_pid "$p"; done
  rm -rf "$work"
  [ $rc -eq 0 ] || echo "stopped (exit $rc); logs in $out/logs" >&2
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
die() { echo "error: $*" >&2; exit 1; }
now_ms() { local t=${EPOCHREALTIME/./}; echo $(( t / 1000 )); }
rss_mib() { awk '/^VmRSS:/ {printf "%.0f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo -; }
status() { curl -s -m 2 "http://127.0.0.1:$1/api/v1/status"; }
wait_admin() { # port what
  for _ in $(seq 1 300); do status "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done
  die "$2: admin API on 127.0.0.1:$1 did not answer"
}

config() { # admin-port file
  cat >"$2" <<YAML
listeners:
  - { name: chat, bind: 127.0.0.1:$P_LB, pool: chat }
pools:
  chat:
    health: { type: none }
    backends: [ { name: echo, address: 127.0.0.1:$P_ECHO } ]
timeouts:
  idle: 10m
  shutdown-grace: 1s
admin:
  bind: 127.0.0.1:$1
handover:
  socket: $work/handover.sock
YAML
}
config "$P_ADMIN_A" "$work/a.yaml"
config "$P_ADMIN_B" "$work/b.yaml"

javac -d "$work/classes" bench/ChatConns.java bench/IdleConns.java
"${pin_load[@]}" java -Xmx256m -cp "$work/classes" IdleConns echo "$P_ECHO" >"$out/logs/echo.log" 2>&1 &
echo_pid=$!

export SLUICE_HEAP=${SLUICE_HEAP:-512m}
# Priming: one start and graceful stop writes the class-data-sharing archive, so that no measured
# daemon writes it at exit (seconds) and both start as operators' daemons do.
SLUICE_JAVA_OPTS="-Dsluice.access-log=off" "${pin_proxy[@]}" "$launcher" run --config "$work/a.yaml" >"$out/logs/prime.log" 2>&1 &
a_pid=$!
wait_admin "$P_ADMIN_A" "priming daemon"
stop_pid "$a_pid"; a_pid=""

printf 'n\tbatch\tduration_ms\twall_ms\tlongest_pause_ms\tbefore_p99_ms\twin_p50_ms\twin_p99_ms\twin_max_ms\tconn_max_p99_ms\tslow100\tfailed\ta_exit\ta_rss_mib\tb_rss_mib\n' >"$out/results.tsv"

run() { # n batch
  local n=$1 batch=$2 tag="n$1-b$2" dir="$work/run-n$1-b$2" opts="-Dsluice.access-log=off"
  [ "$batch" = default ] || opts="$opts -Dsluice.handover.batch-size=$batch"
  mkdir -p "$dir"
  echo "== N=$n batch=$batch"
  SLUICE_JAVA_OPTS="$opts" "${pin_proxy[@]}" "$launcher" run --config "$work/a.yaml" >"$out/logs/$tag-a.log" 2>&1 &
  a_pid=$!
  wait_admin "$P_ADMIN_A" "daemon A"
  "${pin_load[@]}" java -Xmx512m -cp "$work/classes" ChatConns chat "$P_LB" "$n" "$dir" 300 >"$out/logs/$tag-chat.log" 2>&1 &
  chat_pid=$!
  for _ in $(seq 1 1200); do grep -q '^READY' "$out/logs/$tag-chat.log" && break; alive "$chat_pid" || break; sleep 0.1; done
  grep '^READY' "$out/logs/$tag-chat.log" || die "clients not ready: $(tail -3 "$out/logs/$tag-chat.log")"
  sleep "$baseline"
  local a_rss; a_rss=$(rss_mib "$a_pid")

  : >"$dir/window-start"
  local t_b; t_b=$(now_ms)
  SLUICE_JAVA_OPTS="-Dsluice.access-log=off" "${pin_proxy[@]}" "$launcher" run --config "$work/b.yaml" --takeover "$work/handover.sock" >"$out/logs/$tag-b.log" 2>&1 &
  b_pid=$!
  local i
  for i in $(seq 1 6000); do alive "$a_pid" || break; sleep 0.01; done
  local t_a; t_a=$(now_ms)
  local a_rc=0
  if alive "$a_pid"; then a_rc=timeout; else wait "$a_pid" || a_rc=$?; fi
  [ "$a_rc" != timeout ] && a_pid=""
  local st="" outcome=""
  for i in $(seq 1 300); do
    st=$(status "$P_ADMIN_B" 2>/dev/null || true)
    outcome=$(jq -r '.handover.last.outcome // empty' <<<"$st" 2>/dev/null || true)
    [ -n "$outcome" ] && [ "$outcome" != null ] && break
    alive "$b_pid" || break
    sleep 0.05
  done
  : >"$dir/window-end"
  echo "$st" | jq -c '.handover' >"$out/logs/$tag-b-status.json" 2>/dev/null || echo "$st" >"$out/logs/$tag-b-status.json"
  sleep "$after"
  local b_rss; b_rss=$(rss_mib "$b_pid")
  : >"$dir/stop"
  for i in $(seq 1 300); do alive "$chat_pid" || break; sleep 0.1; done
  wait "$chat_pid" || true; chat_pid=""
  stop_pid "$b_pid"; b_pid=""
  [ -n "$a_pid" ] && { stop_pid "$a_pid"; a_pid=""; }

  local res; res=$(grep '^RESULT' "$out/logs/$tag-chat.log" || echo "RESULT missing")
  get() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $res"; }
  local dur pause
  dur=$(jq -r '.handover.last.duration_millis // "-"' <<<"$st" 2>/dev/null || echo -)
  pause=$(jq -r '.handover.last.longest_pause_millis // "-"' <<<"$st" 2>/dev/null || echo -)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$batch" "$dur" "$((t_a - t_b))" "$pause" \
    "$(get before_p99_ms)" "$(get window_p50_ms)" "$(get window_p99_ms)" "$(get window_max_ms)" "$(get conn_max_p99_ms)" \
    "$(get slow100)" "$(get failed)" "$a_rc" "$a_rss" "$b_rss" | tee -a "$out/results.tsv"
  echo "   status: $(cat "$out/logs/$tag-b-status.json")"
  echo "   client: $res"
  grep -h 'FAILED' "$out/logs/$tag-chat.log" | head -5 | sed 's/^/   /' || true
  grep -hi 'took over\|handed over\|handover' "$out/logs/$tag-a.log" "$out/logs/$tag-b.log" | head -6 | sed 's/^/   log: /' || true
  [ "$outcome" = done ] || echo "   !! B's handover outcome: '${outcome:-none}'"
  [ "$a_rc" = 0 ] || echo "   !! daemon A exit status: $a_rc"
}

for n in $conns; do
  for b in $batches; do run "$n" "$b"; done
done
echo "== results ($out/results.tsv)"
column -t -s $'\t' "$out/results.tsv"
