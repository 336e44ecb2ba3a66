#!/usr/bin/env bash
# Builds and runs bench/prototype/RawRelay.java, a measuring prototype (not part of Sluice): the
# smallest TCP relay over Netty's native epoll and socket calls, without Netty channels. It answers
# how close a data plane of our own could come to HAProxy's CPU per connection (docs/performance.md,
# Round 6, "What a relay without Netty channels would cost (a prototype)"). Compare it with
# bench/per-connection.sh like any proxy.
#
# Usage: bench/raw-relay.sh BIND_PORT BACKEND_PORT   (127.0.0.1 both; needs mvn -DskipTests package first)
#   SLUICE_JAVA_OPTS  more JVM flags (e.g. taskset is the caller's: taskset -c 0 bench/raw-relay.sh ...)
set -euo pipefail
[ $# -eq 2 ] || { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
jar=$here/../lb-core/target/sluice.jar
[ -f "$jar" ] || { echo "build first: mvn -B -q -DskipTests package" >&2; exit 2; }
out=$(mktemp -d -t raw-relay.XXXXXX); trap 'rm -rf "$out"' EXIT
# The class joins Netty's package, so it must come from the same class loader as Netty: compiled
# classes on the class path, not the single-file source launcher.
javac -nowarn -cp "$jar" -d "$out" "$here/prototype/RawRelay.java"
# shellcheck disable=SC2086 # SLUICE_JAVA_OPTS is a list of flags
java -XX:+UseShenandoahGC -Xms16m -Xmx512m -Dio.netty.leakDetection.level=disabled ${SLUICE_JAVA_OPTS:-} \
  -cp "$out:$jar" io.netty.channel.epoll.RawRelay "$1" "$2"
