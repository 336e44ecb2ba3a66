#!/usr/bin/env bash
# Per-call time of sluicectl, for every typical call: `--version` and `--help` (no network), `status`,
# `backends chat`, `explain --client ...`, `drain chat/app-1` and `undrain chat/app-1` against a running
# daemon, N calls each (drain and undrain alternate), through the shipped launcher
# (lb-cli/src/main/dist/sluicectl: its JVM flags and class-data-sharing archive), and for comparison
# plain `java -jar sluicectl.jar` for `--version` and `status`. The launcher's archive is written by
# its first call (a training run, not counted) before the timed runs.
#
# The daemon: the one at --admin URL if given (with --token-file FILE for drain/undrain, which then
# need a pool `chat` with a backend `app-1`), else one this script starts (lb-core/target/sluice.jar
# run) on loopback with a generated config (two pools, no health checks, an admin token) in a temp
# dir, and stops.
#
# Usage: bench/cli-startup.sh [--runs N (default 20, 1..500)] [--admin URL] [--token-file FILE]
#                             [--port-base 23700] [--only launcher]
# Prints one line per (variant, call): wall milliseconds min / median / max and CPU milliseconds
# (user + system, all threads) min / median / max per call, with the machine's load average.
# Needs java 17, a built lb-cli/target/sluicectl.jar and lb-core/target/sluice.jar
# (mvn -B -DskipTests package). Every wait is bounded.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

runs=20; admin=""; token_file=""; port_base=23700; only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --admin) admin=$2; shift 2 ;;
    --token-file) token_file=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --port-base) port_base=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ && "$runs" -le 500 ]] || { echo "--runs: 1..500" >&2; exit 2; }
[ -z "$only" ] || [ "$only" = launcher ] || { echo "--only: launcher (the launcher's calls alone)" >&2; exit 2; }
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
  token-file: admin.token
state:
  file: state.json
YAML
  printf 'cli-startup-bench-token\n' > "$work/admin.token"
  chmod 600 "$work/admin.token"
  token_file=$work/admin.token
  java -jar lb-core/target/sluice.jar run --config "$work/sluice.yaml" > "$work/daemon.log" 2>&1 &
  daemon_pid=$!
  for _ in $(seq 1 300); do   # at most 30 s
    if java -jar "$ctl_jar" --admin "$admin" --timeout 1s status >/dev/null 2>&1; then break; fi
    kill -0 "$daemon_pid" 2>/dev/null || { echo "the daemon exited:" >&2; cat "$work/daemon.log" >&2; exit 1; }
    sleep 0.1
  done
fi

# One line of statistics over "wall_ms cpu_ms" lines on stdin: min / median / max of each. CPU time
# (user + system, all threads) is the steadier number on a shared machine: wall time there includes
# waiting for a core.
stats() {
  cat > "$work/samples"
  local wall cpu
  wall=$(sort -n -k1,1 "$work/samples" | awk '{ v[NR] = $1 } END { printf "wall min/median/max %4d %4d %4d ms", v[1], v[int((NR + 1) / 2)], v[NR] }')
  cpu=$(sort -n -k2,2 "$work/samples" | awk '{ v[NR] = $2 } END { printf "cpu %4d %4d %4d ms (%d runs)", v[1], v[int((NR + 1) / 2)], v[NR], NR }')
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
[ -z "$token_file" ] || export SLUICE_TOKEN_FILE=$token_file
"$launcher" --version >/dev/null   # the launcher's first call writes its archive (not counted)
echo "sluicectl per-call time, $runs runs each; admin $admin; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$only" != "launcher" ]; then
  time_calls "java -jar: --version" java -jar "$ctl_jar" --version
  time_calls "java -jar: status" java -jar "$ctl_jar" status
fi
time_calls "launcher: --version" "$launcher" --version
time_calls "launcher: --help" "$launcher" --help
time_calls "launcher: status" "$launcher" status
time_calls "launcher: backends" "$launcher" backends chat
time_calls "launcher: explain" "$launcher" explain --listener chat --client 192.0.2.7
if [ -n "$token_file" ]; then
  # drain and undrain alternate, so each call changes the state (and neither is a no-op).
  for _ in $(seq 1 "$runs"); do
    for action in drain undrain; do
      /usr/bin/time -f '%e %U %S' -o "$work/time" "$launcher" "$action" chat/app-1 >/dev/null 2>"$work/err" \
        || { echo "$action failed:" >&2; cat "$work/err" >&2; exit 1; }
      awk -v a="$action" '{ printf "%s %d %d\n", a, $1 * 1000, ($2 + $3) * 1000 }' "$work/time"
    done
  done > "$work/actions"
  for action in drain undrain; do
    awk -v a="$action" '$1 == a { print $2, $3 }' "$work/actions" | { printf '%-24s ' "launcher: $action"; stats; }
  done
else
  echo "drain/undrain: skipped (an --admin daemon needs --token-file)"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
