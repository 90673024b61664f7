#!/usr/bin/env bash
# Redis limit-store latency on this machine, from the floor up: C client PING and script, the JVM client's PING,
# then store decisions at 10,000, 25,000 and 50,000/s (open loop) through the event-loop store (the gateway's, ADR
# 0048) and the Lettuce store, interleaved, then the Lettuce store again with Redis at real-time priority.
# Needs redis-server and redis-benchmark (Debian's redis-tools), a built portcullis-bench, and root for chrt.
# Traffic goes to 127.0.0.1 only; every run is bounded (20 s each, about 6 minutes in all).
#   bench/redis-latency.sh [PORT]        # default 6390; starts its own redis-server there and stops it after
set -euo pipefail
cd "$(dirname "$0")/.."
port="${1:-6390}"
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
jar=portcullis-bench/target/benchmarks.jar
[ -f "$jar" ] || { echo "build first: ./mvnw -B -q -pl portcullis-bench -am package -DskipTests" >&2; exit 2; }
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes --logfile /dev/null
trap 'redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true' EXIT
sleep 0.5
pid=$(redis-cli -p "$port" info server | sed -n 's/^process_id:\([0-9]*\).*/\1/p')
load() { "$java" -cp "$jar" dev.portcullis.bench.limit.RedisDecisionLoad "redis://127.0.0.1:$port" "$@" 2>&1 \
  | grep -E "^target|latency"; }
echo "== $(nproc) cores; $(uptime)"
echo "== CPU steal (vmstat st column) over 5 s:"; vmstat 1 6 | awk 'NR>3 {printf "%s ", $NF} END {print ""}'
echo "== C client PING, 1 connection"; redis-benchmark -p "$port" -n 100000 -c 1 -t ping_mbulk 2>&1 | tail -2
sha=$(redis-cli -p "$port" SCRIPT LOAD "$(cat portcullis-limit/src/main/resources/dev/portcullis/limit/store/acquire.lua)")
now=$(($(date +%s%N) / 1000))
for c in 1 8; do
  echo "== C client EVALSHA acquire.lua, $c connections"
  redis-benchmark -p "$port" -n 100000 -c "$c" -r 10000 evalsha "$sha" 2 'b:{limits}:k:__rand_int__' \
    'b:{limits}:res:x' "$now" rid 60000000 1 g r 1 600 60000000 600 2>&1 | tail -2
done
for i in 1 2; do echo "== JVM client PING, 10,000/s, run $i"; load 10000 10 10 ping; done
for i in 1 2; do
  echo "== event-loop store, 10,000/s, run $i"; load 10000 10 10 loop
  echo "== Lettuce store, 10,000/s, run $i"; load 10000 10 10
done
for rate in 25000 50000; do
  echo "== event-loop store, $rate/s"; load "$rate" 10 10 loop
  echo "== Lettuce store, $rate/s"; load "$rate" 10 10
done
if chrt -f -p 50 "$pid" 2>/dev/null; then
  for i in 1 2; do echo "== Redis at SCHED_FIFO 50: store decision, 10,000/s, run $i"; load 10000 10 10; done
  chrt -o -p 0 "$pid"
fi
redis-cli -p "$port" info commandstats | grep -E "evalsha|ping"
