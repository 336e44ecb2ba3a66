#!/usr/bin/env bash
# Side by side on one machine, over loopback only: each workload through (a) a direct connection to
# the backend, (b) HAProxy in mode tcp, (c) Sluice, interleaved a/b/c in every repetition so machine
# noise hits all three alike. Prints every run, the medians and the ratios sluice/haproxy and
# sluice/direct, and writes machine-readable results (TSV), the GC logs and an SVG chart into an
# output directory.
#
# Workloads (--only, comma-separated; default all, run in this order):
#   keepalive  wrk, keep-alive requests to nginx (`return 200 "ok\n"`, access_log off), --conns
#              connections (default 50 and 500): req/s and latency p50/p99/p99.9 (a wrk Lua `done`
#              function prints them; --latency has no p99.9). One unmeasured run per count and
#              proxy first (the shared warm-up runs 50).
#   connrate   new connections per second: wrk with `Connection: close` (one request per connection).
#   tls        new TLS connections per second, routed on SNI: wrk https to two nginx TLS backends
#              (a.bench.test, b.bench.test, self-signed, made with openssl at start), half the
#              connections each; HAProxy req_ssl_sni, Sluice a mode: tls listener. The handshake is
#              nginx's; the proxies only peek at the ClientHello.
#   tlska      TLS keep-alive, routed on SNI: wrk https keep-alive requests (--conns connections, one
#              handshake each, then requests on it) to the nginx TLS backend a.bench.test; HAProxy
#              req_ssl_sni and Sluice's mode: tls listener route as in 'tls' (b.bench.test is checked
#              to route too). One wrk, so the latency percentiles come from one histogram. req/s,
#              p50/p99/p99.9 and cpu_per_req: after the ClientHello peek both proxies only relay the
#              encrypted records, so this is 'keepalive' with bigger records and nginx's crypto.
#   bulk       iperf3 Gbit/s, 1 and 8 streams.
#   sticky     cost of stickiness: Sluice maglev (source-ip stick table) vs round-robin, HAProxy
#              balance source vs roundrobin, two nginx backends; new conn/s and keep-alive.
#   memory     proxy RSS delta per idle established connection (VmRSS before/after, and after they
#              close: back within 10% of the idle RSS, waited for up to 60 s; for Sluice also
#              the live heap after a full GC (jcmd GC.run) and the direct memory from /metrics).
#              rss_per_conn is read 0.5 s after the last connection was set up (with the garbage
#              and the compiler memory of setting them up), rss_per_conn_settled after holding them
#              idle for --mem-settle seconds more (default 45: Sluice's launcher collects every
#              30 s, returns empty heap regions after 10 s and trims malloc every 10 s); and
#              the time to establish N connections (bench/IdleConns.java: a holder client and an echo
#              backend), N = --mem-conns (default 1000 and 8000), fresh proxies for each measurement.
#              The open-files limit (20000 here) caps N: a proxied connection takes 2 descriptors.
#   storm      a reconnect storm: --storm-conns chat clients (default 9000, the most the open-files
#              limit allows through a proxy) connect at once, each sends one line and waits for its
#              echo (bench/IdleConns.java hold with all of them in flight, echo backend): ms until all
#              are served, and how many failed (refused, reset, no echo); fresh proxies each rep, stormed
#              cold (just started) and again warm (after --warmup seconds of new-connection load).
#   startup    Sluice: ms from starting the JVM to the first accepted connection and to the first
#              proxied response (HAProxy for reference).
# The load workloads (keepalive .. sticky) share one HAProxy and one Sluice, started once and warmed
# up first (--warmup seconds per proxy, not counted). Sluice runs with a GC log (-Xlog:gc*) and the
# GC pauses within each workload's time window are reported (count, max, total).
# CPU: each proxy's CPU time (/proc/PID/stat utime + stime, all its threads) around every measured
# run, divided by what the run did: cpu_per_req (keep-alive), cpu_per_conn (new connections, TLS),
# cpu_per_gb (bulk), in microseconds (seconds per GB for bulk). A rate depends on how much CPU the
# proxy got on a shared machine; CPU per unit of work depends much less on it.
# accept_queue_overflows: the kernel's TcpExtListenOverflows during the run (nstat; every listener
# on the machine): a client whose connection found the accept queue full retransmits its SYN
# after 1 s, which is what a p99 of about a second means.
#
# Usage: bench/compare.sh [--threads 1|2] [--reps N] [--secs S] [--only LIST] [--out DIR]
#                         [--conns "50 500"] [--rate-conns 50] [--mem-conns "1000 8000"] [--mem-settle 45]
#                         [--storm-conns 9000]
#                         [--tls-resume on|off] [--logs off|on] [--warmup S] [--port-base 23100]
#   --logs off (default): neither proxy logs connections. on: HAProxy `option tcplog` and Sluice's
#               access log, one line per connection each, both written to a file in the run's logs/.
#   --warmup: seconds of load per proxy before the load workloads (default 3 x --secs, 6..30).
#   --threads 1 (default): the proxy gets core 0 (Sluice sees one CPU: one event loop; HAProxy
#                nbthread 1), load generators and backends core 1 (nginx 1 worker, wrk 1 thread).
#   --threads 2: everything on cores 0,1; Sluice sees 2 CPUs (2 event loops), HAProxy nbthread 2,
#                nginx 2 workers, wrk 2 threads.
#   Smoke run: bench/compare.sh --reps 1 --secs 2 --mem-settle 0   (about 3 minutes on a busy
#   2-core machine; add --mem-conns 1000 to save half a minute). The defaults (5 reps x 10 s) take
#   about 43 minutes, 15 of them the memory workload's settled readings (45 s per proxy, N and rep).
#   Sluice runs through its launcher (conf/sluice) as operators run it: its JVM flags (G1, 10 ms
#   pause goal, heap SLUICE_HEAP, default 512m here) and its CDS archive. More JVM flags, appended
#   last: SLUICE_JVM_OPTS, e.g. SLUICE_JVM_OPTS="-Dsluice.transport=epoll" bench/compare.sh
#
# Output directory (default ${TMPDIR:-/tmp}/sluice-compare-DATE-tN):
#   runs.tsv     one line per measured value: threads workload variant target rep metric unit better value
#   summary.tsv  medians and ratios: threads workload variant metric unit better direct haproxy sluice
#                sluice_haproxy sluice_direct reps
#   sticky.tsv   hash/round-robin ratios per proxy
#   meta.tsv     machine, versions, JVM flags, settings
#   chart.svg    ratios of medians (bench/Chart.java)
#   gc-main.log  Sluice GC log of the load workloads; gc-memory-*.log one per memory measurement
#   logs/        proxy and backend logs
#
# Things to know (each bit us once):
#   - wrk takes the TLS SNI and the Host header from the URL's host, and sends an IP address as SNI
#     when the URL has one (-H 'Host: ...' changes only the header). Our Lua script overrides
#     wrk.resolve to connect to 127.0.0.1 whatever the host, so https://a.bench.test:PORT/ sends SNI
#     a.bench.test with no /etc/hosts entry.
#   - wrk resumes TLS sessions when it reconnects (nginx has tickets and a session cache), so 'tls'
#     measures resumed handshakes; --tls-resume off makes nginx do a full handshake every time. The
#     handshakes (wrk and nginx, on the load core) limit that workload, not the proxies: for the
#     proxies' own SNI cost see bench/sni-cost.sh.
#   - nginx 1.22: keepalive_requests defaults to 1000 (wrk's keep-alive connections would be closed
#     and reopened), and its default ssl_protocols lack TLSv1.3; both are set here.
#   - HAProxy does not start when maxconn needs more descriptors than the hard limit ("Cannot raise
#     FD limit to 20017, limit is 20000" at maxconn 10000); 9000 fits 20000.
#   - Pinned to one core, the JVM sees one CPU and picks SerialGC (G1 with --threads 2), and its JIT
#     compiler threads share the proxy's core: hence the warm-up. The first Full GC (Metadata GC
#     Threshold) comes some 20 s after start.
#   - Every client is 127.0.0.1, so maglev and balance source send every connection to the same
#     backend: 'sticky' shows the cost of hashing and of the stick table, not a balance.
#
# Needs: haproxy nginx wrk iperf3 openssl (Debian packages), java 17 with javac, taskset, and a built
# lb-core/target/sluice.jar (mvn -B -DskipTests package). Only 127.0.0.0/8 addresses are used; every
# load run is bounded in time (timeout), every wait bounded in count.
set -euo pipefail
export LC_ALL=C
export PATH="$PATH:/usr/sbin:/sbin"
cd "$(dirname "$0")/.."

threads=1; reps=5; secs=10; only=all; out=""
ka_conns="50 500"; rate_conns=50; mem_conns="1000 8000"; mem_settle=45; storm_conns=9000; tls_resume=on; logs=off; port_base=23100; warmup=""
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --secs) secs=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --conns) ka_conns=$2; shift 2 ;;
    --rate-conns) rate_conns=$2; shift 2 ;;
    --mem-conns) mem_conns=$2; shift 2 ;;
    --storm-conns) storm_conns=$2; shift 2 ;;
    --mem-settle) mem_settle=$2; shift 2 ;;
    --tls-resume) tls_resume=$2; shift 2 ;;
    --logs) logs=$2; shift 2 ;;
    --port-base) port_base=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$threads" in 1|2) ;; *) echo "--threads must be 1 or 2" >&2; exit 2 ;; esac
case "$tls_resume" in on|off) ;; *) echo "--tls-resume must be on or off" >&2; exit 2 ;; esac
case "$logs" in on|off) ;; *) echo "--logs must be on or off" >&2; exit 2 ;; esac
[[ "$reps" =~ ^[1-9][0-9]*$ && "$secs" =~ ^[1-9][0-9]*$ && "$rate_conns" =~ ^[1-9][0-9]*$ && "$storm_conns" =~ ^[1-9][0-9]*$ && "$port_base" =~ ^[1-9][0-9]*$ && "${warmup:=$(( secs * 3 > 30 ? 30 : (secs * 3 < 6 ? 6 : secs * 3) ))}" =~ ^[1-9][0-9]*$ ]] ||
  { echo "--reps, --secs, --rate-conns, --storm-conns, --port-base and --warmup take positive integers" >&2; exit 2; }
[[ "$mem_settle" =~ ^[0-9]+$ ]] || { echo "--mem-settle takes a number of seconds (0: no settled reading)" >&2; exit 2; }
[ "$storm_conns" -le 9000 ] || { echo "--storm-conns: at most 9000 (a proxied connection takes two of the 20000 descriptors)" >&2; exit 2; }
[ "$port_base" -ge 1024 ] && [ "$port_base" -le 32000 ] || { echo "--port-base: 1024..32000 (below the ephemeral range)" >&2; exit 2; }
all_workloads="keepalive connrate tls tlska bulk sticky memory storm startup"   # the order they run in
[ "$only" = all ] && only=$all_workloads
only=${only//,/ }
for w in $only; do
  [[ " $all_workloads " == *" $w "* ]] || { echo "unknown workload '$w' (known: $all_workloads)" >&2; exit 2; }
done
want() { [[ " $only " == *" $1 "* ]]; }

# ------------------------------------------------------------------ prerequisites
missing=()
for c in haproxy nginx wrk iperf3 openssl; do command -v "$c" >/dev/null || missing+=("$c"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "missing: ${missing[*]}" >&2
  echo "install them all with:  apt-get install -y haproxy nginx wrk iperf3 openssl" >&2
  exit 2
fi
for c in java javac taskset timeout awk; do
  command -v "$c" >/dev/null || { echo "missing: $c (java 17 JDK: apt-get install -y openjdk-17-jdk-headless; taskset: util-linux)" >&2; exit 2; }
done
jar=lb-core/target/sluice.jar
[ -f "$jar" ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 2; }

SLUICE_JVM_OPTS=${SLUICE_JVM_OPTS-}
sluice_heap=${SLUICE_HEAP:-512m}
launcher=conf/sluice

# CPU pinning
ncpu=$(nproc)
if [ "$ncpu" -lt 2 ]; then
  echo "note: $ncpu CPU: no pinning, proxies and load share it" >&2
  pin_proxy=(); pin_load=(); wrk_threads=1; nginx_workers=1
elif [ "$threads" = 1 ]; then
  pin_proxy=(taskset -c 0); pin_load=(taskset -c 1); wrk_threads=1; nginx_workers=1
  taskset -p -c 1 $$ >/dev/null   # this script and its helpers (polling, awk) stay off the proxy's core
else
  pin_proxy=(taskset -c 0,1); pin_load=(taskset -c 0,1); wrk_threads=2; nginx_workers=2
fi

# Ports on 127.0.0.1: backends base+0.., HAProxy base+100.., Sluice base+200..
b=$port_base
P_HTTP=$b; P_HTTP2=$((b+1)); P_TLS_A=$((b+2)); P_TLS_B=$((b+3)); P_IPERF=$((b+4)); P_ECHO=$((b+5))
H_HTTP=$((b+100)); H_TLS=$((b+101)); H_IPERF=$((b+102)); H_IDLE=$((b+103)); H_RR=$((b+104)); H_SRC=$((b+105))
S_HTTP=$((b+200)); S_TLS=$((b+201)); S_IPERF=$((b+202)); S_IDLE=$((b+203)); S_RR=$((b+204)); S_MAGLEV=$((b+205)); S_ADMIN=$((b+299))
for p in $P_HTTP $P_HTTP2 $P_TLS_A $P_TLS_B $P_IPERF $P_ECHO $H_HTTP $H_TLS $H_IPERF $H_IDLE $H_RR $H_SRC \
         $S_HTTP $S_TLS $S_IPERF $S_IDLE $S_RR $S_MAGLEV $S_ADMIN; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "port 127.0.0.1:$p is already in use (another benchmark?): choose other ports with --port-base N" >&2; exit 2
  fi
done

[ -n "$out" ] || out="${TMPDIR:-/tmp}/sluice-compare-$(date +%Y%m%d-%H%M%S)-t$threads"
mkdir -p "$out/logs"
out=$(cd "$out" && pwd)

printf 'threads\tworkload\tvariant\ttarget\trep\tmetric\tunit\tbetter\tvalue\n' >"$out/runs.tsv"
work=$(mktemp -d -t sluice-compare.XXXXXX)

nginx_pid=""; iperf_pid=""; echo_pid=""; haproxy_pid=""; sluice_pid=""; holder_pid=""
source "$(dirname "$0")/processes.sh"   # alive, stop_pid
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for p in $holder_pid $sluice_pid $haproxy_pid $nginx_pid $iperf_pid $echo_pid $(jobs -p); do stop_pid "$p"; done
  cp "$work"/*.log "$out/logs/" 2>/dev/null || true
  rm -rf "$work"
  [ $rc -eq 0 ] || echo "stopped (exit $rc); logs in $out/logs" >&2
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "error: $*" >&2; exit 1; }
now_us() { echo "${EPOCHREALTIME/./}"; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { # port what [tries*0.1s]
  for _ in $(seq 1 "${3:-300}"); do port_open "$1" && return 0; sleep 0.1; done
  die "$2 did not open 127.0.0.1:$1 (logs in $work, copied to $out/logs)"
}
http_get() { # port path -> body (HTTP/1.0, bash only)
  local l body="" inbody=false
  exec 3<>"/dev/tcp/127.0.0.1/$1"
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
  while IFS= read -r -t 5 l <&3; do
    l=${l%$'\r'}
    if $inbody; then body+="$l"$'\n'; elif [ -z "$l" ]; then inbody=true; fi
  done
  exec 3>&-
  printf '%s' "$body"
}
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
metric() { # prometheus text, metric name with labels (exact) -> value
  awk -v m="$2" '$1 == m {print $2; exit}' <<<"$1"
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {if (NR==0) print "NA"; else print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
record() { # workload variant target rep metric unit better value
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$threads" "$@" >>"$out/runs.tsv"
}
kv() { # "k=v k=v" key -> v
  awk -v k="$2" '{for (i=1;i<=NF;i++) {split($i,a,"="); if (a[1]==k) {print a[2]; exit}}}' <<<"$1"
}

# ------------------------------------------------------------------ setup: tools, certs, configs
echo "output: $out"
javac -d "$work/classes" bench/IdleConns.java

for n in a b; do
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -keyout "$work/$n.key" -out "$work/$n.crt" -subj "/CN=$n.bench.test" \
    -addext "subjectAltName=DNS:$n.bench.test" 2>/dev/null
done

if [ "$tls_resume" = on ]; then tls_session="ssl_session_cache shared:bench:10m;"; else tls_session="ssl_session_tickets off; ssl_session_cache off;"; fi
mkdir -p "$work/nginx"
cat >"$work/nginx.conf" <<CFG
worker_processes $nginx_workers;
worker_rlimit_nofile 16000;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 8000; }
http {
  access_log off;
  keepalive_requests 100000000;   # default 1000 would reconnect wrk's keep-alive connections
  keepalive_timeout 600s;
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi; uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  ssl_protocols TLSv1.2 TLSv1.3;  # nginx 1.22 defaults to TLSv1 TLSv1.1 TLSv1.2
  $tls_session
  server {
    listen 127.0.0.1:$P_HTTP; listen 127.0.0.1:$P_HTTP2;
    location / { return 200 "ok\n"; }
  }
  server {
    listen 127.0.0.1:$P_TLS_A ssl;
    ssl_certificate $work/a.crt; ssl_certificate_key $work/a.key;
    location / { return 200 "a \$ssl_server_name\n"; }
  }
  server {
    listen 127.0.0.1:$P_TLS_B ssl;
    ssl_certificate $work/b.crt; ssl_certificate_key $work/b.key;
    location / { return 200 "b \$ssl_server_name\n"; }
  }
}
CFG

if [ "$logs" = on ]; then   # one line per connection, as Sluice's access log writes
  haproxy_log_global="  log stdout format raw local0 info"; haproxy_log_defaults=$'  log global\n  option tcplog'
else
  haproxy_log_global=""; haproxy_log_defaults=""
fi
cat >"$work/haproxy.cfg" <<CFG
global
  nbthread $threads
  maxconn 9000          # a proxied connection takes 2 descriptors; the fd limit here is 20000
$haproxy_log_global
defaults
  mode tcp
$haproxy_log_defaults
  maxconn 9000
  timeout connect 3s
  timeout client 10m
  timeout server 10m
frontend web
  bind 127.0.0.1:$H_HTTP
  default_backend web
backend web
  server nginx 127.0.0.1:$P_HTTP
frontend tls
  bind 127.0.0.1:$H_TLS
  tcp-request inspect-delay 5s
  tcp-request content accept if { req_ssl_hello_type 1 }
  use_backend tls-a if { req_ssl_sni -i a.bench.test }
  use_backend tls-b if { req_ssl_sni -i b.bench.test }
backend tls-a
  server a 127.0.0.1:$P_TLS_A
backend tls-b
  server b 127.0.0.1:$P_TLS_B
frontend iperf
  bind 127.0.0.1:$H_IPERF
  default_backend iperf
backend iperf
  server iperf3 127.0.0.1:$P_IPERF
frontend idle
  bind 127.0.0.1:$H_IDLE
  default_backend idle
backend idle
  server echo 127.0.0.1:$P_ECHO
frontend rr
  bind 127.0.0.1:$H_RR
  default_backend web-rr
backend web-rr
  balance roundrobin
  server nginx-1 127.0.0.1:$P_HTTP
  server nginx-2 127.0.0.1:$P_HTTP2
frontend source
  bind 127.0.0.1:$H_SRC
  default_backend web-source
backend web-source
  balance source
  server nginx-1 127.0.0.1:$P_HTTP
  server nginx-2 127.0.0.1:$P_HTTP2
CFG

cat >"$work/sluice.yaml" <<YAML
# No health checks (HAProxy's servers have none either); the access log per --logs (off by default:
# HAProxy logs nothing here and nginx has access_log off).
listeners:
  - { name: web, bind: 127.0.0.1:$S_HTTP, pool: web }
  - name: tls
    bind: 127.0.0.1:$S_TLS
    mode: tls
    routes:
      - { sni: a.bench.test, pool: tls-a }
      - { sni: b.bench.test, pool: tls-b }
  - { name: iperf, bind: 127.0.0.1:$S_IPERF, pool: iperf }
  - { name: idle, bind: 127.0.0.1:$S_IDLE, pool: idle }
  - { name: rr, bind: 127.0.0.1:$S_RR, pool: web-rr }
  - { name: maglev, bind: 127.0.0.1:$S_MAGLEV, pool: web-maglev }
pools:
  web:
    health: { type: none }
    backends: [ { name: nginx, address: 127.0.0.1:$P_HTTP } ]
  tls-a:
    health: { type: none }
    backends: [ { name: a, address: 127.0.0.1:$P_TLS_A } ]
  tls-b:
    health: { type: none }
    backends: [ { name: b, address: 127.0.0.1:$P_TLS_B } ]
  iperf:
    health: { type: none }
    backends: [ { name: iperf3, address: 127.0.0.1:$P_IPERF } ]
  idle:
    health: { type: none }
    backends: [ { name: echo, address: 127.0.0.1:$P_ECHO } ]
  web-rr:
    balance: round-robin
    health: { type: none }
    backends:
      - { name: nginx-1, address: 127.0.0.1:$P_HTTP }
      - { name: nginx-2, address: 127.0.0.1:$P_HTTP2 }
  web-maglev:
    balance: maglev          # sticky key source-ip (the default for maglev): Maglev + stick table
    health: { type: none }
    backends:
      - { name: nginx-1, address: 127.0.0.1:$P_HTTP }
      - { name: nginx-2, address: 127.0.0.1:$P_HTTP2 }
timeouts:
  idle: 10m
  shutdown-grace: 1s
admin:
  bind: 127.0.0.1:$S_ADMIN
state:
  file: $work/sluice.state.json
YAML


cat >"$work/report.lua" <<'LUA'
-- Connect to 127.0.0.1 whatever host the URL names: wrk takes both the TLS SNI and the Host header
-- from the URL's host, so https://a.bench.test:PORT/ sends SNI a.bench.test (no /etc/hosts needed).
-- With an IP address in the URL wrk sends that IP as SNI.
function wrk.resolve(host, service)
  wrk.addrs = wrk.lookup("127.0.0.1", service)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d rps=%.1f p50_us=%d p99_us=%d p999_us=%d max_us=%d errors=%d err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max,
    e.connect + e.read + e.write + e.status + e.timeout, e.connect, e.read, e.write, e.status, e.timeout))
end
LUA

sluice_log_flag() { [ "$logs" = on ] || echo "-Dsluice.access-log=off"; }
sluice_cmd() { # gc-log-name or "" -> the java command line (pinned)
  local gc=()
  [ -n "$1" ] && gc=("-Xlog:gc*:file=$out/$1:uptime,level,tags")
  echo "SLUICE_HEAP=$sluice_heap SLUICE_CDS_DIR=$work/cds SLUICE_JAVA_OPTS=\"$SLUICE_JVM_OPTS $(sluice_log_flag) ${gc[*]}\" ${pin_proxy[*]} $launcher run --config $work/sluice.yaml"
}
start_sluice() { # gc-log-name or ""
  local gc=()
  [ -n "$1" ] && gc=("-Xlog:gc*:file=$out/$1:uptime,level,tags")
  # The launcher, as operators run it: its JVM flags and its CDS archive (written at the first
  # graceful stop, so the startup workload, which runs last, starts with it). Access log per --logs.
  SLUICE_HEAP=$sluice_heap SLUICE_CDS_DIR="$work/cds" SLUICE_JAVA_OPTS="$SLUICE_JVM_OPTS $(sluice_log_flag) ${gc[*]}" \
    "${pin_proxy[@]}" "$launcher" run --config "$work/sluice.yaml" >>"$work/sluice.log" 2>&1 &
  sluice_pid=$!
}
start_haproxy() {
  "${pin_proxy[@]}" haproxy -db -f "$work/haproxy.cfg" >>"$work/haproxy.log" 2>&1 &
  haproxy_pid=$!
}
start_proxies() { # label: fresh HAProxy and Sluice (Sluice with GC log gc-LABEL.log)
  start_haproxy
  start_sluice "gc-$1.log"
  wait_port $H_HTTP haproxy; wait_port $S_HTTP sluice 600; wait_port $S_ADMIN "sluice admin" 100
}
stop_proxies() {
  if [ -n "$sluice_pid" ] && ! alive "$sluice_pid"; then die "sluice died (see $out/logs/sluice.log)"; fi
  if [ -n "$haproxy_pid" ] && ! alive "$haproxy_pid"; then die "haproxy died (see $out/logs/haproxy.log)"; fi
  stop_pid "$sluice_pid"; sluice_pid=""
  stop_pid "$haproxy_pid"; haproxy_pid=""
}

# Backends: nginx (plain + TLS), iperf3 server, echo server; all on the load cores, for the whole run.
"${pin_load[@]}" nginx -p "$work/nginx" -c "$work/nginx.conf" -e "$work/nginx-error.log" -g 'daemon off;' >>"$work/nginx-error.log" 2>&1 &
nginx_pid=$!
"${pin_load[@]}" iperf3 -s -B 127.0.0.1 -p $P_IPERF >"$work/iperf3-server.log" 2>&1 &
iperf_pid=$!
"${pin_load[@]}" java -cp "$work/classes" IdleConns echo $P_ECHO >"$work/echo.log" 2>&1 &
echo_pid=$!
wait_port $P_HTTP nginx; wait_port $P_TLS_A nginx; wait_port $P_IPERF iperf3; wait_port $P_ECHO "echo backend"

# ------------------------------------------------------------------ machine, versions, flags
{
  printf 'key\tvalue\n'
  printf 'date\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  printf 'nproc\t%s\n' "$ncpu"
  printf 'cpu\t%s\n' "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
  printf 'kernel\t%s\n' "$(uname -sr)"
  printf 'memory\t%s\n' "$(awk '/^MemTotal:/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  printf 'open_files_limit\t%s\n' "$(ulimit -n)"
  printf 'haproxy\t%s\n' "$(haproxy -v | head -1)"
  printf 'nginx\t%s\n' "$(nginx -v 2>&1)"
  printf 'wrk\t%s\n' "$(wrk -v 2>&1 | head -1 | sed 's/ Copyright.*//')"
  printf 'iperf3\t%s\n' "$(iperf3 --version | head -1)"
  printf 'openssl\t%s\n' "$(openssl version)"
  printf 'java\t%s\n' "$(java -version 2>&1 | sed -n 2p)"
  printf 'sluice\t%s\n' "$(java -jar "$jar" version 2>/dev/null | head -1)"
  printf 'sluice_commit\t%s\n' "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  printf 'SLUICE_JVM_OPTS\t%s\n' "$SLUICE_JVM_OPTS"
  printf 'sluice_command\t%s\n' "$(sluice_cmd gc-main.log | sed "s|$work|\$WORK|g")"
  # `version` does not probe the collector as `run` does (conf/sluice): name the one `run` picks.
  printf 'sluice_jvm_final_flags\t%s\n' "$(SLUICE_GC=${SLUICE_GC:-$(java -XX:+UseShenandoahGC -version >/dev/null 2>&1 && echo shenandoah || echo g1)} SLUICE_CDS=off SLUICE_HEAP=$sluice_heap SLUICE_JAVA_OPTS="$SLUICE_JVM_OPTS -XX:+PrintCommandLineFlags" "${pin_proxy[@]}" "$launcher" version 2>&1 | head -1)"
  printf 'threads_mode\t%s\n' "$threads"
  printf 'pinning\tproxy: %s; load and backends: %s\n' "${pin_proxy[*]:-none}" "${pin_load[*]:-none}"
  printf 'haproxy_nbthread\t%s\n' "$threads"
  printf 'nginx_workers\t%s\n' "$nginx_workers"
  printf 'wrk_threads\t%s\n' "$wrk_threads"
  printf 'reps\t%s\n' "$reps"
  printf 'secs\t%s\n' "$secs"
  printf 'keepalive_conns\t%s\n' "$ka_conns"
  printf 'rate_conns\t%s\n' "$rate_conns"
  printf 'mem_conns\t%s\n' "$mem_conns"
  printf 'storm_conns\t%s\n' "$storm_conns"
  printf 'mem_settle_secs\t%s\n' "$mem_settle"
  printf 'tls_session_resumption\t%s\n' "$tls_resume"
  printf 'connection_logs\t%s\n' "$logs"
  printf 'warmup_secs\t%s\n' "$warmup"
  printf 'workloads\t%s\n' "$only"
} >"$out/meta.tsv"
echo "machine: $(awk -F'\t' '$1=="nproc"{n=$2} $1=="cpu"{c=$2} $1=="kernel"{k=$2} END{print n" x "c", "k}' "$out/meta.tsv")"
echo "sluice JVM: $SLUICE_JVM_OPTS ($(awk -F'\t' '$1=="sluice_jvm_final_flags"{print $2}' "$out/meta.tsv" | grep -o -- "-XX:+Use[A-Za-z0-9]*GC" || true) under ${pin_proxy[*]:-no pinning})"
echo "pinning: proxy ${pin_proxy[*]:-none}, load+backends ${pin_load[*]:-none}; reps=$reps secs=$secs"

# ------------------------------------------------------------------ load runners
run_wrk() { # url conns secs [wrk args...] -> the BENCH line
  local url=$1 c=$2 s=$3; shift 3
  local t=$wrk_threads; [ "$c" -lt "$t" ] && t=$c
  timeout -k 5 $((s + 30)) "${pin_load[@]}" wrk -t"$t" -c"$c" -d"${s}s" -s "$work/report.lua" "$@" "$url" 2>&1 |
    grep '^BENCH ' || echo "BENCH rps=0 p50_us=0 p99_us=0 p999_us=0 errors=-1"
}
err_detail() { # BENCH line -> the non-zero error kinds
  local k v r=""
  for k in connect read write status timeout; do v=$(kv "$1" "err_$k"); [ "${v:-0}" = 0 ] || r+=" $k $v"; done
  echo "${r:- unknown}"
}
ms() { awk -v u="$1" 'BEGIN {printf "%.3f", u/1000}'; }
int() { awk -v x="$1" 'BEGIN {printf "%.0f", x}'; }
clk_tck=$(getconf CLK_TCK)
overflows() { # the kernel's accept-queue overflows so far, all listeners (nstat TcpExtListenOverflows); "" without nstat
  command -v nstat >/dev/null && nstat -asz TcpExtListenOverflows 2>/dev/null | awk '$1 == "TcpExtListenOverflows" {print $2}'
}
cpu_ticks() { # target -> the proxy's CPU time so far in clock ticks (utime + stime, all threads); "" for direct
  local pid
  case $1 in haproxy) pid=$haproxy_pid ;; sluice) pid=$sluice_pid ;; *) return 0 ;; esac
  awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || true
}
cpu_per() { # ticks-before ticks-after units scale -> CPU seconds x scale per unit ("" when unknown)
  [ -n "$1" ] && [ -n "$2" ] || return 0
  awk -v a="$1" -v b="$2" -v n="$3" -v k="$4" -v hz="$clk_tck" 'BEGIN {if (n > 0) printf "%.2f", (b - a) / hz * k / n}'
}
port_of() { # workload-kind target -> port
  case "$1:$2" in
    http:direct) echo $P_HTTP ;; http:haproxy) echo $H_HTTP ;; http:sluice) echo $S_HTTP ;;
    tls:direct) echo $P_TLS_A ;; tls:haproxy) echo $H_TLS ;; tls:sluice) echo $S_TLS ;;
    iperf:direct) echo $P_IPERF ;; iperf:haproxy) echo $H_IPERF ;; iperf:sluice) echo $S_IPERF ;;
    idle:direct) echo $P_ECHO ;; idle:haproxy) echo $H_IDLE ;; idle:sluice) echo $S_IDLE ;;
    *) die "no port for $1:$2" ;;
  esac
}
targets="direct haproxy sluice"

# keep-alive or Connection: close request run; records and prints one line
http_run() { # workload variant target rep port conns secs close(yes|no) [scheme://host, default http://127.0.0.1]
  local wl=$1 var=$2 tg=$3 rep=$4 port=$5 c=$6 s=$7 close=$8 base=${9:-http://127.0.0.1} line extra=()
  [ "$close" = yes ] && extra=(-H "Connection: close")
  local t0 t1 o0 o1 ovf=""
  t0=$(cpu_ticks "$tg"); o0=$(overflows)
  line=$(run_wrk "$base:$port/" "$c" "$s" "${extra[@]}")
  t1=$(cpu_ticks "$tg"); o1=$(overflows)
  [ -n "$o0" ] && [ -n "$o1" ] && ovf=$(( o1 - o0 ))
  if [ -n "$rep" ]; then
    local rps p50 p99 p999 err cpu
    cpu=$(cpu_per "$t0" "$t1" "$(kv "$line" requests)" 1e6)   # "" when wrk failed (no requests=)
    rps=$(int "$(kv "$line" rps)"); p50=$(ms "$(kv "$line" p50_us)"); p99=$(ms "$(kv "$line" p99_us)")
    p999=$(ms "$(kv "$line" p999_us)"); err=$(kv "$line" errors)
    if [ "$close" = yes ]; then
      record "$wl" "$var" "$tg" "$rep" conn_rate conn/s higher "$rps"
      [ -z "$cpu" ] || record "$wl" "$var" "$tg" "$rep" cpu_per_conn us lower "$cpu"
    else
      record "$wl" "$var" "$tg" "$rep" req_rate req/s higher "$rps"
      [ -z "$cpu" ] || record "$wl" "$var" "$tg" "$rep" cpu_per_req us lower "$cpu"
    fi
    record "$wl" "$var" "$tg" "$rep" p50 ms lower "$p50"
    record "$wl" "$var" "$tg" "$rep" p99 ms lower "$p99"
    record "$wl" "$var" "$tg" "$rep" p99.9 ms lower "$p999"
    record "$wl" "$var" "$tg" "$rep" errors count lower "$err"
    [ -z "$ovf" ] || record "$wl" "$var" "$tg" "$rep" accept_queue_overflows count lower "$ovf"
    printf '  %-8s %9s %s/s  p50 %7s  p99 %7s  p99.9 %7s ms%s%s%s\n' "$tg" "$rps" "$([ "$close" = yes ] && echo conn || echo req)" \
      "$p50" "$p99" "$p999" "${cpu:+  cpu ${cpu} us}" "$([ "${ovf:-0}" = 0 ] || echo "  accept-queue overflows $ovf")" "$([ "$err" != 0 ] && echo "  ERRORS $err:$(err_detail "$line")")"
  fi
}

# ------------------------------------------------------------------ workloads
sluice_uptime() { # seconds since the JVM started (admin /metrics), or "" when unknown
  metric "$(http_get $S_ADMIN /metrics 2>/dev/null || true)" process_uptime_seconds
}
gc_summary() { # label gc-log-file [from-uptime to-uptime]: records the pauses in that window
  local label=$1 f="$out/$2" from=${3:-} to=${4:-} line
  [ -f "$f" ] || return 0
  line=$(awk -v from="${from:-0}" -v to="${to:-1e18}" '
              /Using [A-Za-z0-9]+$/ && !g {g=$NF}
              /\[gc *\] GC\([0-9]+\) Pause/ {
                u = $1; sub(/^\[/, "", u); sub(/s\].*$/, "", u)
                if (u + 0 < from + 0 || u + 0 > to + 0) next
                v = $NF; sub(/ms$/, "", v); n++; t += v
                if (v + 0 > m + 0) { m = v; c = $0; sub(/^.*Pause /, "", c); sub(/\).*$/, ")", c); gsub(/ /, "_", c) } }
              END {printf "%s %d %.3f %.3f %s", (g == "" ? "?" : g), n, t, m, (c == "" ? "-" : c)}' "$f")
  set -- $line
  record gc "$label" sluice 1 pauses count lower "$2"
  record gc "$label" sluice 1 max_pause ms lower "$4"
  record gc "$label" sluice 1 total_pause ms lower "$3"
  local cause=""; [ "$5" = - ] || cause=" (${5//_/ })"
  echo "  sluice GC ($1) during $label: $2 pauses, max $4 ms$cause, total $3 ms  ($f${from:+, JVM uptime ${from}s..${to}s})"
}

# The load workloads share one HAProxy and one Sluice, started and warmed up once (a load balancer
# in service is warm; a fresh JVM on one core would spend the first runs compiling). Sluice's GC
# log is gc-main.log; each workload reports the pauses of its own time window.
main_up=false
ensure_main() {
  $main_up && return 0
  start_proxies main
  main_up=true
  sluice_uptime >/dev/null   # the first /metrics scrape loads classes (and may trigger a metadata GC): before, not during, a window
  local w3=$(( (warmup + 2) / 3 ))
  echo "== warm-up: ${w3}s keep-alive + ${w3}s new connections + ${w3}s TLS per proxy (JIT; not counted)"
  for tg in haproxy sluice; do
    http_run warmup warm "$tg" "" "$(port_of http $tg)" 50 "$w3" no
    http_run warmup warm "$tg" "" "$(port_of http $tg)" "$rate_conns" "$w3" yes
    tls_run "$tg" "" "$w3"
  done
}
stop_main() { if $main_up; then stop_proxies; main_up=false; fi; }
window_start() { ensure_main; win_from=$(sluice_uptime); }
window_end() { gc_summary "$1" gc-main.log "$win_from" "$(sluice_uptime)"; }

wl_keepalive() {
  echo "== keepalive: wrk keep-alive to nginx, connections: $ka_conns"
  ensure_main
  # The shared warm-up runs 50 connections. Each larger count first meets Sluice's JIT with paths of
  # its own: the first 500-connection run after it deoptimised connection set-up (IdleSweeper, the
  # scheduled-task queue growing) and recompiled it during the run, which doubled that run's p99
  # (docs/performance.md, "Round 6"). So one unmeasured run per count and proxy first, as for the
  # other warm-ups; a cold start is what the storm workload measures.
  echo " warm-up: one ${secs}s run per connection count and proxy (JIT; not counted)"
  for c in $ka_conns; do
    for tg in haproxy sluice; do http_run keepalive "c$c" "$tg" "" "$(port_of http $tg)" "$c" "$secs" no; done
  done
  window_start
  for rep in $(seq 1 "$reps"); do
    for c in $ka_conns; do
      echo " rep $rep/$reps, $c connections"
      for tg in $targets; do http_run keepalive "c$c" "$tg" "$rep" "$(port_of http $tg)" "$c" "$secs" no; done
    done
  done
  window_end keepalive
}

wl_connrate() {
  echo "== connrate: wrk 'Connection: close' (one request per connection), $rate_conns connections"
  window_start
  for rep in $(seq 1 "$reps"); do
    echo " rep $rep/$reps"
    for tg in $targets; do http_run connrate "c$rate_conns" "$tg" "$rep" "$(port_of http $tg)" "$rate_conns" "$secs" yes; done
  done
  window_end connrate
}

tls_check() { # port-for-a port-for-b label: the right backend answers each name
  local pa=$1 pb=$2 who=$3 a b
  a=$(printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 openssl s_client -quiet -connect "127.0.0.1:$pa" -servername a.bench.test 2>/dev/null | tail -1)
  b=$(printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 openssl s_client -quiet -connect "127.0.0.1:$pb" -servername b.bench.test 2>/dev/null | tail -1)
  [ "$a" = "a a.bench.test" ] && [ "$b" = "b b.bench.test" ] ||
    die "TLS routing check failed through $who: a.bench.test -> '$a', b.bench.test -> '$b'"
}
tls_run() { # target rep secs -> records conn/s (a and b in parallel, half the connections each)
  local tg=$1 rep=$2 s=$3 pa pb ca cb fa fb la lb rps err
  if [ "$tg" = direct ]; then pa=$P_TLS_A; pb=$P_TLS_B; else pa=$(port_of tls "$tg"); pb=$pa; fi
  ca=$(( (rate_conns + 1) / 2 )); cb=$(( rate_conns / 2 )); [ "$cb" -ge 1 ] || cb=1
  fa="$work/wrk-a.out"; fb="$work/wrk-b.out"
  local t0 t1 cpu
  t0=$(cpu_ticks "$tg")
  run_wrk "https://a.bench.test:$pa/" "$ca" "$s" -H "Connection: close" >"$fa" &
  local wa=$!
  run_wrk "https://b.bench.test:$pb/" "$cb" "$s" -H "Connection: close" >"$fb" &
  local wb=$!
  wait $wa || true; wait $wb || true
  t1=$(cpu_ticks "$tg")
  la=$(cat "$fa"); lb=$(cat "$fb")
  [ -n "$rep" ] || return 0
  local ra rb; ra=$(kv "$la" requests); rb=$(kv "$lb" requests)
  cpu=$(cpu_per "$t0" "$t1" "$(( ${ra:-0} + ${rb:-0} ))" 1e6)
  [ -z "$cpu" ] || record tls "sni-c$rate_conns" "$tg" "$rep" cpu_per_conn us lower "$cpu"
  rps=$(awk -v a="$(kv "$la" rps)" -v b="$(kv "$lb" rps)" 'BEGIN {printf "%.0f", a+b}')
  err=$(( $(kv "$la" errors) + $(kv "$lb" errors) ))
  record tls "sni-c$rate_conns" "$tg" "$rep" conn_rate conn/s higher "$rps"
  record tls "sni-c$rate_conns" "$tg" "$rep" p99 ms lower "$(ms "$(kv "$la" p99_us)")"
  record tls "sni-c$rate_conns" "$tg" "$rep" errors count lower "$err"
  printf '  %-8s %9s conn/s (a.bench.test %s + b.bench.test %s)  p99(a) %s ms%s%s\n' "$tg" "$rps" \
    "$(int "$(kv "$la" rps)")" "$(int "$(kv "$lb" rps)")" "$(ms "$(kv "$la" p99_us)")" "${cpu:+  cpu ${cpu} us}" "$([ "$err" != 0 ] && echo "  ERRORS $err:$(err_detail "$la") /$(err_detail "$lb")")"
}
wl_tls() {
  echo "== tls: new TLS connections (SNI routed; nginx does the handshake; session resumption $tls_resume), $rate_conns connections"
  window_start
  tls_check $P_TLS_A $P_TLS_B direct; tls_check $H_TLS $H_TLS haproxy; tls_check $S_TLS $S_TLS sluice
  for rep in $(seq 1 "$reps"); do
    echo " rep $rep/$reps"
    for tg in $targets; do tls_run "$tg" "$rep" "$secs"; done
  done
  window_end tls
}

wl_tlska() {
  echo "== tlska: TLS keep-alive (SNI routed to a.bench.test; one handshake per connection), connections: $ka_conns"
  window_start
  tls_check $P_TLS_A $P_TLS_B direct; tls_check $H_TLS $H_TLS haproxy; tls_check $S_TLS $S_TLS sluice
  for tg in haproxy sluice; do   # the warm-up's TLS runs were new connections: warm this path too (not counted)
    http_run warmup warm "$tg" "" "$(port_of tls "$tg")" 50 "$(( secs < 3 ? secs : 3 ))" no https://a.bench.test
  done
  for rep in $(seq 1 "$reps"); do
    for c in $ka_conns; do
      echo " rep $rep/$reps, $c connections"
      for tg in $targets; do http_run tlska "sni-c$c" "$tg" "$rep" "$(port_of tls "$tg")" "$c" "$secs" no https://a.bench.test; done
    done
  done
  window_end tlska
}

iperf_gbps() { # port streams secs -> Gbit/s received (retries: the server may still be finishing the last test)
  local o g
  for attempt in 1 2 3; do
    o=$(timeout -k 5 $(( $3 + 30 )) "${pin_load[@]}" iperf3 -c 127.0.0.1 -p "$1" -t "$3" -P "$2" -f g 2>&1 || true)
    g=$(awk '/receiver/ {v=$0} END {if (v!="") {n=split(v,f," "); for (i=1;i<=n;i++) if (f[i]=="Gbits/sec") print f[i-1]}}' <<<"$o")
    if [ -n "$g" ]; then echo "$g"; return 0; fi
    echo "  iperf3 run failed (attempt $attempt): $(grep -m1 -i error <<<"$o")" >&2
    sleep 1
  done
  echo 0
}
wl_bulk() {
  echo "== bulk: iperf3 Gbit/s"
  window_start
  for tg in haproxy sluice; do iperf_gbps "$(port_of iperf $tg)" 1 "$(( secs < 3 ? secs : 3 ))" >/dev/null; done
  for rep in $(seq 1 "$reps"); do
    for p in 1 8; do
      local line=" rep $rep/$reps, $p stream(s):"
      for tg in $targets; do
        local t0 t1 cpu
        t0=$(cpu_ticks "$tg")
        g=$(iperf_gbps "$(port_of iperf $tg)" "$p" "$secs")
        t1=$(cpu_ticks "$tg")
        record bulk "streams$p" "$tg" "$rep" throughput Gbit/s higher "$g"
        # seconds of CPU per GB relayed (GB = Gbit/s x seconds / 8)
        cpu=$(cpu_per "$t0" "$t1" "$(awk -v g="$g" -v s="$secs" 'BEGIN {print g * s / 8}')" 1)
        [ -z "$cpu" ] || record bulk "streams$p" "$tg" "$rep" cpu_per_gb s lower "$cpu"
        line+="  $tg $g${cpu:+ (cpu ${cpu} s/GB)}"
      done
      echo "$line Gbit/s"
    done
  done
  window_end bulk
}

hold_start() { # port n: starts the holder (holder_pid) with a 200-connection warm-up; returns after the warm-up
  rm -f "$work/go" "$work/release"
  # The holder lets go after its time limit: 120 s plus the settled reading's wait.
  "${pin_load[@]}" java -cp "$work/classes" IdleConns hold "$1" "$2" 200 200 "$work" $((120 + mem_settle)) >"$work/holder.out" 2>&1 &
  holder_pid=$!
  hold_wait WARM
}
hold_wait() { # WARM|ESTABLISHED: waits (bounded) for the holder's line
  for _ in $(seq 1 1200); do
    grep -q "^$1" "$work/holder.out" 2>/dev/null && return 0
    alive "$holder_pid" || break
    sleep 0.1
  done
  die "holder: $(tr '\n' ' ' <"$work/holder.out")"
}
hold_release() {
  touch "$work/release"
  local rc=0
  wait "$holder_pid" || rc=$?
  holder_pid=""
  [ $rc -eq 0 ] || die "holder failed (exit $rc): $(tr '\n' ' ' <"$work/holder.out")"
}
sluice_direct() { # -> "netty_direct jvm_direct" bytes
  local m
  m=$(http_get $S_ADMIN /metrics)
  echo "$(metric "$m" sluice_netty_direct_memory_used_bytes) $(metric "$m" 'jvm_buffer_memory_used_bytes{id="direct"}')"
}
live_heap() { # sluice pid -> heap bytes in use right after a full GC (jcmd GC.run), or NA
  command -v jcmd >/dev/null && jcmd "$1" GC.run >/dev/null 2>&1 || { echo NA; return 0; }
  http_get $S_ADMIN /metrics | awk '/^jvm_memory_used_bytes\{area="heap"/ {s += $NF} END {printf "%.0f", s}'
}
wl_memory() {
  echo "== memory: idle established connections (each proven by an echo), N = $mem_conns"
  stop_main   # fresh proxies for every measurement
  echo "   note: the open-files limit here is $(ulimit -n) per process and cannot be raised; a proxied connection"
  echo "   costs the proxy two descriptors (client and backend side), so N stays at or below ~9000."
  for rep in $(seq 1 "$reps"); do
    for n in $mem_conns; do
      echo " rep $rep/$reps, N=$n (fresh proxies)"
      start_proxies "memory-r$rep-n$n"
      sluice_direct >/dev/null   # first /metrics scrape (class loading) before any baseline
      for tg in $targets; do
        local port pid="" est ms_ rb ra db da hb ha
        port=$(port_of idle "$tg")
        case $tg in haproxy) pid=$haproxy_pid ;; sluice) pid=$sluice_pid ;; esac
        hold_start "$port" "$n"   # opens and closes 200 connections first (warm-up, not counted)
        sleep 0.5
        [ "$tg" = sluice ] && hb=$(live_heap "$pid")
        [ -n "$pid" ] && rb=$(rss_kb "$pid")
        [ "$tg" = sluice ] && read -r db jb <<<"$(sluice_direct)"
        touch "$work/go"; hold_wait ESTABLISHED
        est=$(grep '^ESTABLISHED' "$work/holder.out"); ms_=$(kv "$est" ms)
        sleep 0.5
        [ -n "$pid" ] && ra=$(rss_kb "$pid")
        [ "$tg" = sluice ] && read -r da ja <<<"$(sluice_direct)"
        # The same connections held idle for --mem-settle seconds, nothing done to either proxy:
        # Sluice's launcher collects at least every 30 s, returns heap regions empty for 10 s and
        # trims malloc every 10 s, so this is what an idle node holds, without the garbage and the
        # compiler's memory of setting the connections up.
        local rs=""
        if [ -n "$pid" ] && [ "$mem_settle" -gt 0 ]; then sleep "$mem_settle"; rs=$(rss_kb "$pid"); fi
        [ "$tg" = sluice ] && ha=$(live_heap "$pid")
        hold_release
        local rc_="" settle=""
        if [ -n "$pid" ]; then   # after the close: back within 10% of the idle RSS, and how soon (up to 60 s)
          local t_=0
          while rc_=$(rss_kb "$pid"); [ "$rc_" -gt $(( rb + rb / 10 )) ] && [ $t_ -lt 60 ]; do sleep 1; t_=$((t_ + 1)); done
          settle=$t_
          record memory "n$n" "$tg" "$rep" rss_after_close_over_idle ratio lower "$(awk -v a="$rc_" -v b="$rb" 'BEGIN {printf "%.3f", a/b}')"
        fi
        record memory "n$n" "$tg" "$rep" establish_time ms lower "$ms_"
        local msg
        msg=$(printf '  %-8s established %5s in %6s ms' "$tg" "$n" "$ms_")
        if [ -n "$pid" ]; then
          local per; per=$(( (ra - rb) * 1024 / n ))
          record memory "n$n" "$tg" "$rep" rss_per_conn bytes lower "$per"
          [ -n "$rs" ] && record memory "n$n" "$tg" "$rep" rss_per_conn_settled bytes lower "$(( (rs - rb) * 1024 / n ))"
          record memory "n$n" "$tg" "$rep" rss_before MiB lower "$(awk -v k="$rb" 'BEGIN {printf "%.1f", k/1024}')"
          record memory "n$n" "$tg" "$rep" rss_after MiB lower "$(awk -v k="$ra" 'BEGIN {printf "%.1f", k/1024}')"
          msg+=$(printf '   RSS %6.1f -> %6.1f MiB = %6s bytes/conn, closed: %6.1f MiB after %s s' "$(awk -v k="$rb" 'BEGIN{print k/1024}')" \
            "$(awk -v k="$ra" 'BEGIN{print k/1024}')" "$per" "$(awk -v k="$rc_" 'BEGIN{print k/1024}')" "$settle")
          [ -z "$rs" ] || msg+=$(printf ' (after %s s idle: %s bytes/conn)' "$mem_settle" "$(( (rs - rb) * 1024 / n ))")
        fi
        if [ "$tg" = sluice ]; then
          local dn=NA dj=NA dh=NA
          [[ "$ha" =~ ^[0-9]+$ && "$hb" =~ ^[0-9]+$ ]] && dh=$(( (ha - hb) / n ))
          record memory "n$n" sluice "$rep" live_heap_per_conn bytes lower "$dh"
          [[ "$da" =~ ^[0-9.e+E-]+$ && "$db" =~ ^[0-9.e+E-]+$ && "$da" != -1 ]] && dn=$(awk -v a="$da" -v b="$db" -v n="$n" 'BEGIN {printf "%.0f", (a-b)/n}')
          [[ "$ja" =~ ^[0-9.e+E-]+$ && "$jb" =~ ^[0-9.e+E-]+$ ]] && dj=$(awk -v a="$ja" -v b="$jb" -v n="$n" 'BEGIN {printf "%.0f", (a-b)/n}')
          record memory "n$n" sluice "$rep" netty_direct_per_conn bytes lower "$dn"
          record memory "n$n" sluice "$rep" jvm_direct_per_conn bytes lower "$dj"
          msg+=$(printf '; per conn: live heap %s, direct: netty %s, jvm buffers %s bytes' "$dh" "$dn" "$dj")
        fi
        echo "$msg"
      done
      stop_proxies   # (its GC log has our own jcmd GC.run pauses: not summarized)
    done
  done
}

storm_once() { # variant rep -> records serve_time and failed for each target; prints one line
  local var=$1 rep=$2 line="" tg
  for tg in $targets; do
    local est ms_ failed
    # Warm-up of 200 (not counted), then all $storm_conns in flight at once.
    rm -f "$work/go" "$work/release"
    "${pin_load[@]}" java -cp "$work/classes" IdleConns hold "$(port_of idle "$tg")" "$storm_conns" "$storm_conns" 200 "$work" 120 \
      >"$work/holder.out" 2>&1 &
    holder_pid=$!
    hold_wait WARM
    local o0 o1 ovf=""; o0=$(overflows)
    touch "$work/go"; hold_wait ESTABLISHED
    o1=$(overflows); [ -n "$o0" ] && [ -n "$o1" ] && ovf=$(( o1 - o0 ))
    est=$(grep '^ESTABLISHED' "$work/holder.out"); ms_=$(kv "$est" ms); failed=$(kv "$est" failed)
    touch "$work/release"; wait "$holder_pid" || true; holder_pid=""
    record storm "$var" "$tg" "$rep" serve_time ms lower "$ms_"
    record storm "$var" "$tg" "$rep" failed count lower "$failed"
    [ -z "$ovf" ] || record storm "$var" "$tg" "$rep" accept_queue_overflows count lower "$ovf"
    line+=$(printf '  %s %s ms (%s failed, %s overflows)' "$tg" "$ms_" "$failed" "${ovf:-?}")
  done
  echo "  $var:$line"
}
wl_storm() {
  echo "== storm: $storm_conns clients connect at once, each sends a line and waits for its echo"
  echo "   cold: into freshly started proxies (Sluice's JIT has compiled little); warm: the same proxies"
  echo "   after ${warmup}s of new-connection load each (a balancer in service when its clients reconnect)"
  stop_main   # fresh proxies for every repetition
  for rep in $(seq 1 "$reps"); do
    echo " rep $rep/$reps"
    start_proxies "storm-r$rep"
    storm_once "cold-n$storm_conns" "$rep"
    for tg in haproxy sluice; do http_run warmup warm "$tg" "" "$(port_of http $tg)" "$rate_conns" "$warmup" yes; done
    sleep 2   # let the warm-up's connections leave the proxies
    storm_once "n$storm_conns" "$rep"
    stop_proxies
  done
}

sticky_target() { # proxy mode -> port
  case "$1:$2" in
    haproxy:rr) echo $H_RR ;; haproxy:hash) echo $H_SRC ;; sluice:rr) echo $S_RR ;; sluice:hash) echo $S_MAGLEV ;;
  esac
}
wl_sticky() {
  local c; c=$(awk '{print $1}' <<<"$ka_conns")
  echo "== sticky: rr = HAProxy roundrobin / Sluice round-robin; hash = HAProxy balance source / Sluice maglev (source-ip stick table)"
  echo "   two nginx backends; every client is 127.0.0.1, so the hash sends all of them to one backend"
  window_start
  for tg in haproxy sluice; do for m in rr hash; do http_run sticky warm "$tg" "" "$(sticky_target $tg $m)" "$rate_conns" "$(( secs < 2 ? secs : 2 ))" yes; done; done
  for rep in $(seq 1 "$reps"); do
    echo " rep $rep/$reps: new connections (Connection: close, $rate_conns connections)"
    for tg in haproxy sluice; do for m in rr hash; do
      printf '  %s:' "$m"; http_run sticky "connclose-$m" "$tg" "$rep" "$(sticky_target $tg $m)" "$rate_conns" "$secs" yes
    done; done
    echo " rep $rep/$reps: keep-alive ($c connections)"
    for tg in haproxy sluice; do for m in rr hash; do
      printf '  %s:' "$m"; http_run sticky "keepalive-c$c-$m" "$tg" "$rep" "$(sticky_target $tg $m)" "$c" "$secs" no
    done; done
  done
  window_end sticky
}

startup_probe() { # port t0_us -> "accept_ms response_ms" (bounded: 30 s)
  local port=$1 t0=$2 ta="" tr="" l
  for _ in $(seq 1 6000); do
    if port_open "$port"; then ta=$(now_us); break; fi
    sleep 0.005
  done
  [ -n "$ta" ] || { echo "NA NA"; return; }
  for _ in $(seq 1 3000); do
    l=$( (exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'GET / HTTP/1.0\r\n\r\n' >&3 && IFS= read -r -t 2 l <&3 && echo "$l") 2>/dev/null || true)
    if [[ "$l" == *" 200 "* ]]; then tr=$(now_us); break; fi
    sleep 0.005
  done
  awk -v a="$ta" -v r="${tr:-0}" -v t="$t0" 'BEGIN {printf "%.1f %s", (a-t)/1000, (r>0 ? sprintf("%.1f", (r-t)/1000) : "NA")}'
}
wl_startup() {
  echo "== startup: start to first accepted connection / first proxied response (poll every ~5 ms)"
  stop_main
  for rep in $(seq 1 "$reps"); do
    local t0 r line=" rep $rep/$reps:"
    t0=$(now_us); start_haproxy; r=$(startup_probe $H_HTTP "$t0"); stop_pid "$haproxy_pid"; haproxy_pid=""
    record startup first_conn haproxy "$rep" first_accept ms lower "${r% *}"
    record startup first_conn haproxy "$rep" first_response ms lower "${r#* }"
    line+="  haproxy accept ${r% *} ms, response ${r#* } ms;"
    t0=$(now_us); start_sluice ""; r=$(startup_probe $S_HTTP "$t0"); stop_pid "$sluice_pid"; sluice_pid=""
    record startup first_conn sluice "$rep" first_accept ms lower "${r% *}"
    record startup first_conn sluice "$rep" first_response ms lower "${r#* }"
    echo "$line  sluice accept ${r% *} ms, response ${r#* } ms"
  done
}

started=$(date +%s)
for w in $all_workloads; do
  want "$w" || continue
  t=$(date +%s); "wl_$w"; echo "   ($w took $(( $(date +%s) - t )) s)"
done

# ------------------------------------------------------------------ summary
awk -F'\t' -v OFS='\t' '
  NR == 1 || $5 == "" || $3 == "warm" || $6 == "errors" { next }
  {
    k = $2 SUBSEP $3 SUBSEP $6
    if (!(k in seen)) { seen[k] = 1; order[++nk] = k; unit[k] = $7; better[k] = $8 }
    v[k, $4, ++cnt[k, $4]] = $9
    if ($9 != "NA") { ok[k, $4]++ }
  }
  function med(k, t,   n, i, j, a, x) {
    n = 0
    for (i = 1; i <= cnt[k, t]; i++) if (v[k, t, i] != "NA") a[++n] = v[k, t, i] + 0
    if (n == 0) return "NA"
    for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  function ratio(a, b) { return (a == "NA" || b == "NA" || b == 0) ? "NA" : sprintf("%.3f", a / b) }
  BEGIN { print "threads", "workload", "variant", "metric", "unit", "better", "direct", "haproxy", "sluice", "sluice_haproxy", "sluice_direct", "reps" }
  {
    th = $1
  }
  END {
    for (i = 1; i <= nk; i++) {
      k = order[i]; split(k, p, SUBSEP)
      d = med(k, "direct"); h = med(k, "haproxy"); s = med(k, "sluice")
      n = cnt[k, "sluice"] > cnt[k, "haproxy"] ? cnt[k, "sluice"] : cnt[k, "haproxy"]
      print th, p[1], p[2], p[3], unit[k], better[k], d, h, s, ratio(s, h), ratio(s, d), n
    }
  }' "$out/runs.tsv" >"$out/summary.tsv"

# stickiness cost: hash / rr per proxy
awk -F'\t' -v OFS='\t' 'NR > 1 && $2 == "sticky" {
    base = $3; mode = base; sub(/-(rr|hash)$/, "", base); sub(/^.*-/, "", mode)
    h[base, $4, mode] = $8; s[base, $4, mode] = $9; u[base, $4] = $5; if (!((base, $4) in seen)) { seen[base, $4] = 1; o[++n] = base SUBSEP $4 } }
  function r(a, b) { return (a == "NA" || b == "NA" || b == 0) ? "NA" : sprintf("%.3f", a / b) }
  BEGIN { print "variant", "metric", "unit", "haproxy_source_over_roundrobin", "sluice_maglev_over_roundrobin" }
  END { for (i = 1; i <= n; i++) { split(o[i], p, SUBSEP); print p[1], p[2], u[p[1], p[2]], r(h[p[1], p[2], "hash"], h[p[1], p[2], "rr"]), r(s[p[1], p[2], "hash"], s[p[1], p[2], "rr"]) } }' \
  "$out/summary.tsv" >"$out/sticky.tsv"

echo
echo "== summary: medians of $reps rep(s) x ${secs}s, threads mode $threads ($out)"
awk -F'\t' 'NR == 1 { printf "%-10s %-22s %-20s %-8s %10s %10s %10s %8s %8s\n", "workload", "variant", "metric", "unit", "direct", "haproxy", "sluice", "s/h", "s/d"; next }
  { printf "%-10s %-22s %-20s %-8s %10s %10s %10s %8s %8s\n", $2, $3, $4, $5, $7, $8, $9, $10, $11 }' "$out/summary.tsv"
if [ "$(wc -l <"$out/sticky.tsv")" -gt 1 ]; then
  echo
  echo "cost of stickiness (hash / round-robin; below 1 for a rate, above 1 for a latency = a cost):"
  awk -F'\t' 'NR == 1 { printf "  %-18s %-10s %-8s %16s %16s\n", "variant", "metric", "unit", "haproxy src/rr", "sluice maglev/rr"; next }
    { printf "  %-18s %-10s %-8s %16s %16s\n", $1, $2, $3, $4, $5 }' "$out/sticky.tsv"
fi
errs=$(awk -F'\t' '$6 == "errors" && $5 != "" && $9 != 0 {print $2 "/" $3 "/" $4 " rep " $5 ": " $9}' "$out/runs.tsv")
[ -z "$errs" ] || { echo; echo "runs with errors (wrk socket errors or non-2xx; see runs.tsv):"; echo "$errs" | sed 's/^/  /'; }
if grep -qi 'warn\|alert' "$work/haproxy.log" 2>/dev/null; then
  echo; echo "haproxy warnings:"; grep -i 'warn\|alert' "$work/haproxy.log" | sort -u | head -5 | sed 's/^/  /'
fi

java bench/Chart.java "$out/summary.tsv" "$out/chart.svg" \
  "Sluice vs HAProxy vs direct, threads=$threads, median of $reps x ${secs}s ($(date +%Y-%m-%d))" ||
  echo "chart failed (summary.tsv is complete)" >&2
echo
echo "total $(( $(date +%s) - started )) s; results: $out (runs.tsv summary.tsv sticky.tsv meta.tsv chart.svg gc-*.log)"
