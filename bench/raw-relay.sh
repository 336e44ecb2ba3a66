#!/usr/bin/env bash
# Builds and runs bench/prototype/RawRelay.java, a measuring prototype (not part of Sluice): the
# smallest TCP relay over Netty's native epoll and socket calls, without Netty channels. It answers
# how close a data plane of our own could come to HAProxy's CPU per connection (docs/performance.md,
# Round 6, "What a relay without Netty channels would cost (a prototype)"). Compare it with
# bench/per-connection.sh like any proxy.
#
# Usage: bench/raw-relay.sh BIND_PORT BACKEND_PORT   (127.0.0.1 both; needs mvn -DskipTests package first)
#   Pin it as the other proxies are pinned: taskset -c 0 bench/raw-relay.sh 23300 23201
#   SLUICE_JAVA_OPTS  more JVM flags, appended last
set -euo pipefail
[ $# -eq 2 ] || { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
jar=$here/../lb-core/target/sluice.jar
[ -f "$jar" ] || { echo "build first: mvn -B -q -DskipTests package" >&2; exit 2; }
out=$(mktemp -d -t raw-relay.XXXXXX); trap 'rm -rf "$out"' EXIT
# The class joins Netty's package, so it must come from the same class loader as Netty: compiled
# classes on the class path, not the single-file source launcher.
javac -nowarn -cp "$jar" -d "$out" "$here/prototype/RawRelay.java"
# The collector and heap of Sluice's launcher (conf/sluice), so the JVM's own threads cost what they
# cost Sluice; G1 where the JVM has no Shenandoah, as the launcher does.
gc=(-XX:+UseShenandoahGC -Xms16m); java "${gc[@]}" -version >/dev/null 2>&1 || gc=(-XX:+UseG1GC -Xms512m)
# shellcheck disable=SC2086 # SLUICE_JAVA_OPTS is a list of flags
java "${gc[@]}" -Xmx512m ${SLUICE_JAVA_OPTS:-} -cp "$out:$jar" io.netty.channel.epoll.RawRelay "$1" "$2"
