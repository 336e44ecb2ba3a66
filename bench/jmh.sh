#!/usr/bin/env bash
# JMH microbenchmarks of the data plane's hot paths (lb-core's test sources: io.sluice.bench.*,
# io.sluice.proxy.RelayBenchmark): ClientHello parsing, route lookup, Maglev vs round-robin pick,
# stick table, the relay handlers, the access-log line. They are never run by `mvn verify`; this script runs them.
#
# Usage: bench/jmh.sh [JMH options and benchmark regexps]
#   bench/jmh.sh                          # everything, short defaults (4-5 minutes)
#   bench/jmh.sh RouteLookup              # one class (a regexp on benchmark names)
#   bench/jmh.sh -p routes=1000 Route     # one parameter value
#   bench/jmh.sh -prof gc Relay           # allocation per op (gc.alloc.rate.norm)
#   bench/jmh.sh -h                       # JMH's own help; -l lists the benchmarks
# Defaults, each overridden by giving the option: -f 1 -wi 2 -w 1s -i 4 -r 1s (a fork, two 1 s
# warmups, four 1 s measurements per benchmark). Results are ns/op (average time).
# Needs: java 17, mvn. Builds lb-core's test classes first (quietly). Pinned with taskset to one core,
# JMH_CPU (default: the last one), so a benchmark does not migrate between cores; JMH's own threads
# share it. Pinning does not keep other work off that core: on a shared machine, watch the error column.
set -euo pipefail
cd "$(dirname "$0")/.."

cp_file="$PWD/lb-core/target/jmh.classpath"
# One reactor build: the sibling modules (lb-common, lb-testing, ...) resolve to their target/classes,
# so nothing has to be installed into the local repository. Each module writes the file; lb-core, last, wins.
mvn -B -q -pl lb-core -am -DskipTests test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
classpath="lb-core/target/test-classes:lb-core/target/classes:$(cat "$cp_file")"

# Defaults for options the caller did not give.
defaults=()
has() { local o; for o in "${args[@]}"; do [ "$o" = "$1" ] && return 0; done; return 1; }
args=("$@")
has -f || defaults+=(-f 1)
has -wi || defaults+=(-wi 2)
has -w || defaults+=(-w 1s)
has -i || defaults+=(-i 4)
has -r || defaults+=(-r 1s)

pin=()
if command -v taskset >/dev/null; then
  pin=(taskset -c "${JMH_CPU:-$(( $(nproc) - 1 ))}")
fi

exec "${pin[@]}" java -cp "$classpath" org.openjdk.jmh.Main "${defaults[@]}" "$@"
