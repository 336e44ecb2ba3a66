# Process helpers the benchmark scripts share (sourced, not run).

# Whether pid $1 runs (a zombie does not count).
alive() { local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1; [ -n "$st" ] && [ "$st" != Z ]; }

# Stops pid $1: TERM, up to 15 s (Sluice's first stop writes its CDS archive), then KILL; reaps it.
stop_pid() {
  local p=$1
  [ -n "$p" ] || return 0
  if alive "$p"; then
    kill -TERM "$p" 2>/dev/null || true
    for _ in $(seq 1 300); do alive "$p" || break; sleep 0.05; done
    alive "$p" && kill -KILL "$p" 2>/dev/null || true
  fi
  wait "$p" 2>/dev/null || true
}
