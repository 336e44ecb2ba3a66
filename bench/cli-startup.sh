#!/usr/bin/env bash
# Per-call time of sluicectl: `sluicectl --version` (no network) and `sluicectl status` against a
# running daemon, N calls each, for plain `java -jar sluicectl.jar` and for the shipped launcher
# (lb-cli/src/main/dist/sluicectl: its JVM flags and class-data-sharing archive). The launcher's
# archive is written by its first call, which is made (and not counted) before the timed runs.
#
# The daemon: the one at --admin URL if given, else one this script starts (lb-core/target/sluice.jar
# run) on loopback with a generated config (two pools, no health checks) in a temp dir, and stops.
#
# Usage: bench/cli-startup.sh [--runs N (default 20, 1..500)] [--admin URL] [--port-base 23700]
# Prints one line per (variant, command): median and min wall and CPU milliseconds per call.
# Needs java 17, a built lb-cli/target/sluicectl.jar and lb-core/target/sluice.jar
# (mvn -B -DskipTests package). Every wait is bounded.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

runs=20; admin=""; port_base=23700
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --admin) admin=$2; shift 2 ;;
    --port-base) port_base=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ && "$runs" -le 500 ]] || { echo "--runs: 1..500" >&2; exit 2; }
ctl_jar=lb-cli/target/sluicectl.jar
launcher=lb-cli/src/main/dist/sluicectl
[ -f "$ctl_jar" ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (GNU time)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-cli-startup.XXXXXX")
daemon_pid=""
cleanup() {
  if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "$admin" ]; then
  [ -f lb-core/target/sluice.jar ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }
  admin=http://127.0.0.1:$port_base
  cat > "$work/sluice.yaml" <<YAML
listeners:
  - { name: chat, bind: "127.0.0.1:$((port_base + 1))", pool: chat }
  - { name: web, bind: "127.0.0.1:$((port_base + 2))", pool: web }
pools:
  chat:
    health: { type: none }
    backends:
      - { name: app-1, address: "127.0.0.1:$((port_base + 3))" }
      - { name: app-2, address: "127.0.0.1:$((port_base + 4))" }
  web:
    health: { type: none }
    backends:
      - { name: web-1, address: "127.0.0.1:$((port_base + 5))" }
admin:
  bind: "127.0.0.1:$port_base"
YAML
  java -jar lb-core/target/sluice.jar run --config "$work/sluice.yaml" > "$work/daemon.log" 2>&1 &
  daemon_pid=$!
  for _ in $(seq 1 300); do   # at most 30 s
    if java -jar "$ctl_jar" --admin "$admin" --timeout 1s status >/dev/null 2>&1; then break; fi
    kill -0 "$daemon_pid" 2>/dev/null || { echo "the daemon exited:" >&2; cat "$work/daemon.log" >&2; exit 1; }
    sleep 0.1
  done
fi

# One line of statistics over "wall_ms cpu_ms" lines on stdin. CPU time (user + system, all threads)
# is the steadier number on a shared machine: wall time there includes waiting for a core.
stats() {
  cat > "$work/samples"
  local wall cpu
  wall=$(sort -n -k1,1 "$work/samples" | awk '{ v[NR] = $1 } END { printf "wall median %5d min %5d ms", v[int((NR + 1) / 2)], v[1] }')
  cpu=$(sort -n -k2,2 "$work/samples" | awk '{ v[NR] = $2 } END { printf "cpu median %5d min %5d ms (%d runs)", v[int((NR + 1) / 2)], v[1], NR }')
  echo "$wall | $cpu"
}

# time_calls LABEL CMD...: runs CMD $runs times; a failing call stops the benchmark.
time_calls() {
  local label=$1; shift
  for _ in $(seq 1 "$runs"); do
    /usr/bin/time -f '%e %U %S' -o "$work/time" "$@" >/dev/null 2>"$work/err" \
      || { echo "$label failed:" >&2; cat "$work/err" >&2; exit 1; }
    awk '{ printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000 }' "$work/time"
  done | { printf '%-24s ' "$label"; stats; }
}

export SLUICE_ADMIN=$admin
export SLUICECTL_CDS_DIR=$work/cds
"$launcher" status >/dev/null   # the launcher's first call writes its archive (not counted)
echo "sluicectl per-call time, $runs runs each; admin $admin; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
time_calls "java -jar: --version" java -jar "$ctl_jar" --version
time_calls "java -jar: status" java -jar "$ctl_jar" status
time_calls "launcher: --version" "$launcher" --version
time_calls "launcher: status" "$launcher" status
