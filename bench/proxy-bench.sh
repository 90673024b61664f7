#!/usr/bin/env bash
# End-to-end proxy benchmark on loopback: the simulated upstream directly, nginx (API-key map + limit_req) in front
# of it, and Portcullis in pass-through in front of it. Interleaved rounds, medians, CPU pinning with taskset.
#
#   bench/proxy-bench.sh            full run (3 rounds, 10 s runs, 10 s warm-up per target); about 8 minutes
#   bench/proxy-bench.sh --quick    3 rounds of 3 s runs, for trying the script out; the numbers mean little
#   bench/proxy-bench.sh --wait-quiet 08:55
#                                   first wait until the 1-minute load average is below 0.6 (checked every 60 s)
#                                   or until that UTC time, whichever comes first
#
# Settings come from the environment (defaults in brackets):
#   ROUNDS [3], DURATION [10] s per measured run, WARMUP [10] s of wrk per target before round 1,
#   CONNS [50] wrk connections, RATE_CLIENTS [16] h2load connections, RATE [half of the median saturation
#   throughput of RATE_FROM, default portcullis], STREAMS [2000] measured streams per TTFT run, STREAM_CONC [1],
#   STREAM_WARMUP [500], LOAD_CORE [0], PROXY_CORE [1], PROFILE [auto: JFR profile when a target is missed; 1; 0],
#   BUILD [auto: build the jar only when it is missing; 1; 0], PORTCULLIS_JAR [portcullis-gateway/target/...],
#   RUN_DIR [a new /tmp/portcullis-bench.*], GW_JVM_OPTS, SIM_JVM_OPTS, SIM_PORT [18000], NGINX_PORT [18080],
#   GW_PORT [18081], GW_NOLOG_PORT [18082], GW_IDLE_PORT [18083], GW_ALT_PORT [18084],
#   WORKAROUND [0; 1 adds the target portcullis-idle1s: upstream idle-timeout 1 s, which bounds how long the
#   re-armed upstream idle timer keeps each finished exchange in memory; see docs/performance-gateway.md],
#   ALT_JAR [unset; a second portcullis.jar, e.g. a candidate fix, measured as the target portcullis-alt].
#
# Only 127.0.0.1 is ever contacted. Every load is bounded in time (wrk -d, h2load -D) or count (STREAMS), and
# everything the script starts is stopped when it exits (trap on EXIT). The report goes to stdout and to
# $RUN_DIR/report.md; raw outputs stay in $RUN_DIR.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-10}
CONNS=${CONNS:-50}
RATE=${RATE:-}
RATE_CLIENTS=${RATE_CLIENTS:-16}
STREAMS=${STREAMS:-2000}
STREAM_CONC=${STREAM_CONC:-1}
STREAM_WARMUP=${STREAM_WARMUP:-500}
LOAD_CORE=${LOAD_CORE:-0}
PROXY_CORE=${PROXY_CORE:-1}
PROFILE=${PROFILE:-auto}
BUILD=${BUILD:-auto}
SIM_PORT=${SIM_PORT:-18000}
NGINX_PORT=${NGINX_PORT:-18080}
GW_PORT=${GW_PORT:-18081}
GW_NOLOG_PORT=${GW_NOLOG_PORT:-18082}
GW_IDLE_PORT=${GW_IDLE_PORT:-18083}
WORKAROUND=${WORKAROUND:-0}
ALT_JAR=${ALT_JAR:-}
GW_ALT_PORT=${GW_ALT_PORT:-18084}
GW_JVM_OPTS=${GW_JVM_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC -XX:+AlwaysPreTouch}
SIM_JVM_OPTS=${SIM_JVM_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC -XX:+AlwaysPreTouch}
CLIENT_JVM_OPTS=${CLIENT_JVM_OPTS:--Xms128m -Xmx128m -XX:+UseSerialGC}
KEY=pk-bench-1
QUIET_UNTIL=""

while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) DURATION=3; WARMUP=3; STREAMS=300; STREAM_WARMUP=200; shift ;;
    --workaround) WORKAROUND=1; shift ;;
    --wait-quiet) QUIET_UNTIL=${2:?--wait-quiet needs a UTC time HH:MM}; shift 2 ;;
    -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "proxy-bench.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
done
if (( ROUNDS < 3 )); then
  echo "proxy-bench.sh: ROUNDS must be at least 3 (medians of interleaved rounds)" >&2
  exit 2
fi

RUN_DIR=${RUN_DIR:-$(mktemp -d /tmp/portcullis-bench.XXXXXX)}
mkdir -p "$RUN_DIR"
REPORT="$RUN_DIR/report.md"
CLK_TCK=$(getconf CLK_TCK)

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------------------------------
need_tools() {
  local missing=()
  command -v nginx >/dev/null || missing+=(nginx)
  command -v wrk >/dev/null || missing+=(wrk)
  command -v h2load >/dev/null || missing+=(nghttp2-client)
  command -v taskset >/dev/null || missing+=(util-linux)
  command -v curl >/dev/null || missing+=(curl)
  if (( ${#missing[@]} > 0 )); then
    if [[ $(id -u) -eq 0 ]]; then
      log "installing ${missing[*]} from Debian"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      die "missing ${missing[*]}: run as root so the script installs them, or: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    fi
  fi
  [[ -x "$JAVA" ]] || die "no JDK at $JAVA_HOME (set JAVA_HOME to a JDK 25)"
  (( $(nproc) >= 2 )) || die "needs at least 2 cores (the proxy gets one, load generator and simulator the other)"
}

wait_quiet() {
  [[ -n "$QUIET_UNTIL" ]] || return 0
  local deadline
  deadline=$(date -u -d "$QUIET_UNTIL" +%s)
  while :; do
    local load now
    load=$(cut -d' ' -f1 /proc/loadavg)
    now=$(date +%s)
    if awk -v l="$load" 'BEGIN { exit !(l < 0.6) }'; then
      log "load average $load < 0.6: starting"
      return 0
    fi
    if (( now >= deadline )); then
      log "load average $load, but it is $QUIET_UNTIL UTC: starting anyway"
      return 0
    fi
    log "load average $load >= 0.6: waiting 60 s"
    sleep 60
  done
}

# ---------------------------------------------------------------------------------------------------------------
# Processes: everything started is recorded and stopped on exit
# ---------------------------------------------------------------------------------------------------------------
PIDS=()
stop_all() {
  local pid child
  for pid in "${PIDS[@]}"; do
    # Proxies may be frozen (see focus): wake them first, or they could not act on TERM.
    for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do kill -CONT "$child" 2>/dev/null || true; done
    kill -CONT "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  PIDS=()
}
trap stop_all EXIT
trap 'exit 130' INT TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_http() { # URL NAME PID
  for _ in $(seq 1 300); do
    kill -0 "$3" 2>/dev/null || die "$2 exited during start-up (see $RUN_DIR)"
    if curl -s -o /dev/null --max-time 1 "$1"; then return 0; fi
    sleep 0.1
  done
  die "$2 did not answer on $1 within 30 s"
}

alive_check() {
  local i
  for i in "${!PIDS[@]}"; do
    kill -0 "${PIDS[$i]}" 2>/dev/null || die "${PID_NAMES[$i]} (pid ${PIDS[$i]}) is no longer running"
  done
}

# ---------------------------------------------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------------------------------------------
core_snapshot() { # prints "busy0 total0 busy1 total1" for LOAD_CORE and PROXY_CORE
  awk -v a="cpu$LOAD_CORE" -v b="cpu$PROXY_CORE" '
    $1 == a || $1 == b { t = 0; for (i = 2; i <= NF; i++) t += $i; busy[$1] = t - $5 - $6; tot[$1] = t }
    END { printf "%d %d %d %d\n", busy[a], tot[a], busy[b], tot[b] }' /proc/stat
}

proc_ticks() { # PID...: utime + stime of these processes (all threads), in clock ticks
  local total=0 pid
  for pid in "$@"; do
    [[ -r /proc/$pid/stat ]] || continue
    total=$(( total + $(sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }') ))
  done
  echo "$total"
}

declare -A PID_OF PORT_OF
proxy_pids() { # TARGET: the processes doing the proxying (none for direct)
  case "$1" in
    direct) ;;
    nginx) echo "$NGINX_PID $(ps -o pid= --ppid "$NGINX_PID" | tr '\n' ' ')" ;;
    *) echo "${PID_OF[$1]}" ;;
  esac
}

# Only the proxy under test may run on the proxy core: every other proxy is frozen with SIGSTOP (and woken with
# SIGCONT when its turn comes). An idle proxy is not always idle: a JVM's timers, its JIT and its GC (with a large
# heap, a full collection takes seconds) would otherwise take CPU from the target being measured.
focus() { # TARGET (direct: every proxy frozen)
  local u pid
  for u in "${TARGETS[@]}"; do
    [[ $u == direct ]] && continue
    for pid in $(proxy_pids "$u"); do
      if [[ $u == "$1" ]]; then kill -CONT "$pid" 2>/dev/null || true; else kill -STOP "$pid" 2>/dev/null || true; fi
    done
  done
  sleep 0.2
}

url_of() { echo "http://127.0.0.1:${PORT_OF[$1]}/v1/chat/completions"; }

# wrk latency "350.00us" / "1.20ms" / "1.50s" / "2.00m" -> microseconds
to_us() { awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
  f = (u == "us") ? 1 : (u == "ms") ? 1000 : (u == "s") ? 1000000 : (u == "m") ? 60000000 : 1; printf "%.1f", n * f }'; }

run_wrk() { # TARGET ROUND DURATION OUTFILE -> prints TSV fields
  local target=$1 round=$2 secs=$3 out=$4 pids before_cores after_cores t0 t1
  focus "$target"
  pids=$(proxy_pids "$target")
  before_cores=$(core_snapshot)
  # shellcheck disable=SC2086
  t0=$(proc_ticks $pids)
  BENCH_BODY="$BENCH_DIR/chat.json" BENCH_KEY=$KEY taskset -c "$LOAD_CORE" \
    wrk -t1 -c"$CONNS" -d"${secs}s" --timeout 5s --latency -s "$BENCH_DIR/post.lua" "$(url_of "$target")" >"$out" 2>&1
  # shellcheck disable=SC2086
  t1=$(proc_ticks $pids)
  after_cores=$(core_snapshot)
  local rps p50 p99 reqs non2xx sockerr
  rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
  p50=$(to_us "$(awk '$1 == "50%" { print $2 }' "$out")")
  p99=$(to_us "$(awk '$1 == "99%" { print $2 }' "$out")")
  reqs=$(awk '/requests in/ { print $1 }' "$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
  sockerr=$(awk -F'[ ,]+' '/Socket errors:/ { print $4 + $6 + $8 + $10 }' "$out")
  [[ -n "$rps" && -n "$reqs" ]] || die "could not read wrk output $out"
  awk -v r="$round" -v t="$target" -v rps="$rps" -v p50="$p50" -v p99="$p99" -v n="$reqs" \
      -v bad="${non2xx:-0}" -v err="${sockerr:-0}" -v b="$before_cores" -v a="$after_cores" \
      -v d="$((t1 - t0))" -v tck="$CLK_TCK" 'BEGIN {
    split(b, x, " "); split(a, y, " ");
    c0 = 100 * (y[1] - x[1]) / (y[2] - x[2]); c1 = 100 * (y[3] - x[3]) / (y[4] - x[4]);
    cpu = (t == "direct" || n == 0) ? "-" : sprintf("%.1f", d / tck * 1e6 / n);
    printf "%s\t%s\t%.0f\t%.1f\t%.1f\t%d\t%d\t%d\t%.0f\t%.0f\t%s\n", r, t, rps, p50, p99, n, bad, err, c0, c1, cpu }'
}

run_rate() { # TARGET ROUND -> prints TSV fields
  local target=$1 round=$2 out="$RUN_DIR/h2load-$1-$2.txt" lat="$RUN_DIR/h2load-$1-$2.log"
  rm -f "$lat"
  focus "$target"
  taskset -c "$LOAD_CORE" h2load --h1 -c "$RATE_CLIENTS" -m 1 --rps "$PER_CLIENT_RPS" -D "$DURATION" \
    -d "$BENCH_DIR/chat.json" -H 'Content-Type: application/json' -H "Authorization: Bearer $KEY" \
    --log-file "$lat" "$(url_of "$target")" >"$out" 2>&1 || die "h2load failed, see $out"
  local failed
  failed=$(awk '/^requests:/ { for (i = 1; i <= NF; i++) if ($i ~ /^(failed|errored|timeout),?$/) s += $(i-1) } END { print s + 0 }' "$out")
  sort -t$'\t' -k3,3n "$lat" | awk -F'\t' -v r="$round" -v t="$target" -v d="$DURATION" -v f="$failed" '
    { lat[NR] = $3; if ($2 < 200 || $2 > 299) bad++ }
    function pct(p,  k) { k = int(p / 100 * NR + 0.999999); if (k < 1) k = 1; return lat[k] }
    END { printf "%s\t%s\t%.0f\t%.1f\t%.1f\t%.1f\t%d\t%d\t%d\n", r, t, NR / d, pct(50), pct(99), lat[NR], NR, bad + 0, f }'
}

run_ttft() { # TARGET ROUND -> prints TSV fields
  local target=$1 round=$2 out="$RUN_DIR/ttft-$1-$2.txt"
  focus "$target"
  # shellcheck disable=SC2086
  taskset -c "$LOAD_CORE" "$JAVA" $CLIENT_JVM_OPTS -cp "$RUN_DIR/classes" TtftClient "$(url_of "$target")" \
    "$BENCH_DIR/chat-stream.json" "$KEY" "$STREAMS" "$STREAM_CONC" "$STREAM_WARMUP" >"$out" 2>&1 || true
  awk -v r="$round" -v t="$target" '/^ttft / {
      for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r, t, v["p50_us"], v["p99_us"], v["max_us"], v["ok"], v["non2xx"], v["errors"]; found = 1 }
    END { if (!found) exit 1 }' "$out" || die "TTFT client failed, see $out"
}

median() { # FILE TARGET COLUMN
  awk -F'\t' -v t="$2" -v c="$3" '$2 == t { print $c }' "$1" | sort -g |
    awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
sumcol() { awk -F'\t' -v c="$2" '{ s += $c } END { print s + 0 }' "$1"; }
ms() { awk -v v="$1" 'BEGIN { if (v == "nan" || v == "-") print v; else printf "%.3f", v / 1000 }'; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }

# ---------------------------------------------------------------------------------------------------------------
# Start
# ---------------------------------------------------------------------------------------------------------------
need_tools
for p in "$SIM_PORT" "$NGINX_PORT" "$GW_PORT" "$GW_NOLOG_PORT" "$GW_IDLE_PORT" "$GW_ALT_PORT" $((GW_PORT + 1000)) \
    $((GW_NOLOG_PORT + 1000)) $((GW_IDLE_PORT + 1000)) $((GW_ALT_PORT + 1000)); do
  port_free "$p" || die "port $p on 127.0.0.1 is in use; set SIM_PORT/NGINX_PORT/GW_PORT/GW_NOLOG_PORT/GW_IDLE_PORT"
done
PORT_OF=([direct]=$SIM_PORT [nginx]=$NGINX_PORT [portcullis]=$GW_PORT [portcullis-nolog]=$GW_NOLOG_PORT
  [portcullis-idle1s]=$GW_IDLE_PORT [portcullis-alt]=$GW_ALT_PORT)

wait_quiet
JAR_SRC=${PORTCULLIS_JAR:-$ROOT/portcullis-gateway/target/portcullis.jar}
if [[ "$BUILD" == 1 || ( "$BUILD" == auto && ! -f "$JAR_SRC" ) ]]; then
  log "building portcullis.jar"
  (cd "$ROOT" && ./mvnw -B -q -DskipTests -pl portcullis-gateway -am package)
fi
[[ -f "$JAR_SRC" ]] || die "no $JAR_SRC (run with BUILD=1)"
# A private copy: other builds in the tree must not swap the jar under a running benchmark.
cp "$JAR_SRC" "$RUN_DIR/portcullis.jar"
JAR="$RUN_DIR/portcullis.jar"
JAR_INFO="portcullis.jar built $(date -u -r "$JAR_SRC" '+%Y-%m-%d %H:%M UTC'), tree at $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$ROOT" && [[ -n "$(GIT_OPTIONAL_LOCKS=0 git status --porcelain -- portcullis-gateway portcullis-testkit 2>/dev/null)" ]] && echo ' with uncommitted changes in portcullis-gateway/testkit' || true)"
mkdir -p "$RUN_DIR/classes"
"$JAVA_HOME/bin/javac" -d "$RUN_DIR/classes" "$BENCH_DIR/TtftClient.java"

START_UTC=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
PID_NAMES=()

log "run directory: $RUN_DIR"
# Pass-through: no authentication stage. Newer builds require saying so (identity: {mode: none}); older ones do
# not know the section. Use whichever form this jar accepts.
IDENTITY_YAML=""
for form in "identity: {mode: none}" ""; do
  printf 'upstreams:\n  - {name: sim, base-url: "http://127.0.0.1:%s/v1", models: [sim-small]}\n%s\n' "$SIM_PORT" "$form" \
    >"$RUN_DIR/probe.yaml"
  if "$JAVA" -jar "$JAR" check-config "$RUN_DIR/probe.yaml" >"$RUN_DIR/probe.out" 2>&1; then
    IDENTITY_YAML=$form; break
  fi
  [[ -n "$form" ]] || die "this portcullis.jar accepts no pass-through configuration: $(cat "$RUN_DIR/probe.out")"
done
log "pass-through configuration: ${IDENTITY_YAML:-no identity section}"
log "simulator on core $LOAD_CORE, port $SIM_PORT"
# shellcheck disable=SC2086
taskset -c "$LOAD_CORE" "$JAVA" $SIM_JVM_OPTS -jar "$JAR" simulator --host 127.0.0.1 --port "$SIM_PORT" \
  --event-loops 1 --first-token-delay 0 --token-rate 0 >"$RUN_DIR/simulator.log" 2>&1 &
SIM_PID=$!; PIDS+=("$SIM_PID"); PID_NAMES+=(simulator)
wait_http "http://127.0.0.1:$SIM_PORT/v1/models" simulator "$SIM_PID"

log "nginx on core $PROXY_CORE, port $NGINX_PORT"
mkdir -p "$RUN_DIR/nginx-tmp"
sed -e "s#@RUN_DIR@#$RUN_DIR#g; s#@NGINX_PORT@#$NGINX_PORT#g; s#@SIM_PORT@#$SIM_PORT#g" \
  "$BENCH_DIR/nginx.conf.template" >"$RUN_DIR/nginx.conf"
nginx -q -t -c "$RUN_DIR/nginx.conf" -p "$RUN_DIR/" -e "$RUN_DIR/nginx-error.log" || die "nginx config test failed"
taskset -c "$PROXY_CORE" nginx -c "$RUN_DIR/nginx.conf" -p "$RUN_DIR/" -e "$RUN_DIR/nginx-error.log" \
  >"$RUN_DIR/nginx.out" 2>&1 &
NGINX_PID=$!; PIDS+=("$NGINX_PID"); PID_NAMES+=(nginx)
wait_http "http://127.0.0.1:$NGINX_PORT/" nginx "$NGINX_PID"

start_gateway() { # NAME ACCESS_LEVEL [EXTRA UPSTREAM SETTINGS [JAR]] -> sets PID_OF[NAME]
  local name=$1 port=${PORT_OF[$1]} level=$2 extra=${3:-} jar=${4:-$JAR}
  cat >"$RUN_DIR/$name.yaml" <<EOF
server:
  event-loops: 1
  shutdown-grace: 2s
  listeners: [{name: public, host: 127.0.0.1, port: $port}]
admin: {host: 127.0.0.1, port: $((port + 1000))}
upstreams:
  - {name: sim, base-url: "http://127.0.0.1:$SIM_PORT/v1", models: [sim-small, sim-large, sim-embed], api-key: sk-bench$extra}
$IDENTITY_YAML
EOF
  # shellcheck disable=SC2086
  taskset -c "$PROXY_CORE" "$JAVA" $GW_JVM_OPTS -Dlogback.configurationFile="$BENCH_DIR/logback-bench.xml" \
    -Dbench.access.level="$level" -Dbench.access.file="$RUN_DIR/$name-access.log" -Xlog:gc:file="$RUN_DIR/$name-gc.log" \
    -jar "$jar" serve -c "$RUN_DIR/$name.yaml" >"$RUN_DIR/$name.out" 2>"$RUN_DIR/$name.err" &
  PID_OF[$name]=$!
  PIDS+=("${PID_OF[$name]}"); PID_NAMES+=("$name")
  wait_http "http://127.0.0.1:$port/v1/models" "$name" "${PID_OF[$name]}"
}
log "Portcullis (access log to a file) on core $PROXY_CORE, port $GW_PORT"
start_gateway portcullis INFO
log "Portcullis (access log off) on core $PROXY_CORE, port $GW_NOLOG_PORT"
start_gateway portcullis-nolog OFF
GATEWAYS=(portcullis portcullis-nolog)
if [[ "$WORKAROUND" == 1 ]]; then
  log "Portcullis (access log to a file, upstream idle-timeout 1s) on core $PROXY_CORE, port $GW_IDLE_PORT"
  start_gateway portcullis-idle1s INFO ", idle-timeout: 1s"
  GATEWAYS+=(portcullis-idle1s)
fi
if [[ -n "$ALT_JAR" ]]; then
  [[ -f "$ALT_JAR" ]] || die "ALT_JAR $ALT_JAR is not a file"
  cp "$ALT_JAR" "$RUN_DIR/portcullis-alt.jar"
  log "Portcullis from ALT_JAR (access log to a file) on core $PROXY_CORE, port $GW_ALT_PORT"
  start_gateway portcullis-alt INFO "" "$RUN_DIR/portcullis-alt.jar"
  GATEWAYS+=(portcullis-alt)
fi
GW_PID=${PID_OF[portcullis]}
TARGETS=(direct nginx "${GATEWAYS[@]}")

# Sanity: each target answers the benchmark request with 200; nginx turns away a missing or unknown key with 401.
for t in "${TARGETS[@]}"; do
  code=$(curl -s -o "$RUN_DIR/sanity-$t.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $KEY" --data-binary "@$BENCH_DIR/chat.json" "$(url_of "$t")")
  [[ "$code" == 200 ]] || die "$t answered $code to the benchmark request (see $RUN_DIR/sanity-$t.json)"
done
for hdr in "X-None: 1" "Authorization: Bearer pk-wrong"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -H "$hdr" \
    --data-binary "@$BENCH_DIR/chat.json" "$(url_of nginx)")
  [[ "$code" == 401 ]] || die "nginx answered $code without a valid key; expected 401"
done
log "sanity checks passed: 200 with the key on every target, 401 from nginx without a valid key"

# ---------------------------------------------------------------------------------------------------------------
# Warm-up, then the three interleaved phases
# ---------------------------------------------------------------------------------------------------------------
for t in "${TARGETS[@]}"; do
  log "warm-up $t: wrk ${WARMUP}s"
  run_wrk "$t" 0 "$WARMUP" "$RUN_DIR/wrk-warmup-$t.txt" >/dev/null
done
alive_check

SAT="$RUN_DIR/saturation.tsv"; RATE_TSV="$RUN_DIR/rate.tsv"; TTFT="$RUN_DIR/ttft.tsv"
: >"$SAT"; : >"$RATE_TSV"; : >"$TTFT"
for r in $(seq 1 "$ROUNDS"); do
  for t in "${TARGETS[@]}"; do
    log "saturation round $r/$ROUNDS: $t (wrk -t1 -c$CONNS -d${DURATION}s)"
    run_wrk "$t" "$r" "$DURATION" "$RUN_DIR/wrk-$t-$r.txt" >>"$SAT"
  done
done
alive_check

RATE_FROM=${RATE_FROM:-portcullis}
GW_SAT=$(median "$SAT" "$RATE_FROM" 3)
if [[ -z "$RATE" ]]; then
  RATE=$(awk -v s="$GW_SAT" -v c="$RATE_CLIENTS" 'BEGIN { r = int(s / 2 / c) * c; if (r < c) r = c; print r }')
  RATE_WHY="half of the median saturation throughput of $RATE_FROM ($GW_SAT req/s)"
else
  RATE_WHY="set by RATE"
fi
PER_CLIENT_RPS=$(( RATE / RATE_CLIENTS ))
(( PER_CLIENT_RPS >= 1 )) || die "RATE must be at least RATE_CLIENTS"
RATE=$(( PER_CLIENT_RPS * RATE_CLIENTS ))
for r in $(seq 1 "$ROUNDS"); do
  for t in "${TARGETS[@]}"; do
    log "constant-rate round $r/$ROUNDS: $t (h2load $RATE req/s for ${DURATION}s)"
    run_rate "$t" "$r" >>"$RATE_TSV"
  done
done
alive_check

for r in $(seq 1 "$ROUNDS"); do
  for t in "${TARGETS[@]}"; do
    log "time-to-first-token round $r/$ROUNDS: $t ($STREAMS streams, concurrency $STREAM_CONC)"
    run_ttft "$t" "$r" >>"$TTFT"
  done
done
alive_check

# ---------------------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------------------
S_RPS_N=$(median "$SAT" nginx 3)
declare -A RATIO_OF ADD_P99 ADD_TTFT
for t in "${GATEWAYS[@]}"; do RATIO_OF[$t]=$(calc '%.2f' "$(median "$SAT" "$t" 3) / $S_RPS_N"); done
RATIO=${RATIO_OF[portcullis]}
R_P99_D=$(median "$RATE_TSV" direct 5)
T_P99_D=$(median "$TTFT" direct 4)
for t in nginx "${GATEWAYS[@]}"; do
  ADD_P99[$t]=$(calc '%.3f' "($(median "$RATE_TSV" "$t" 5) - $R_P99_D) / 1000")
  ADD_TTFT[$t]=$(calc '%.3f' "($(median "$TTFT" "$t" 4) - $T_P99_D) / 1000")
done
verdict() { awk -v v="$1" -v lim="$2" -v dir="$3" 'BEGIN {
  ok = (dir == "ge") ? (v >= lim) : (v <= lim);
  if (ok) print "met"; else if (dir == "ge") printf "MISSED by %.2f\n", lim - v; else printf "MISSED by %.3f ms\n", v - lim }'; }
V_RATIO=$(verdict "$RATIO" 0.5 ge)
V_P99=$(verdict "${ADD_P99[portcullis]}" 1 le)
V_TTFT=$(verdict "${ADD_TTFT[portcullis]}" 1 le)

BAD_WRK=$(( $(sumcol "$SAT" 7) + $(sumcol "$SAT" 8) ))
BAD_RATE=$(( $(sumcol "$RATE_TSV" 8) + $(sumcol "$RATE_TSV" 9) ))
BAD_TTFT=$(( $(sumcol "$TTFT" 7) + $(sumcol "$TTFT" 8) ))
N_WRK=$(sumcol "$SAT" 6); N_RATE=$(sumcol "$RATE_TSV" 7); N_TTFT=$(sumcol "$TTFT" 6)

# Profile Portcullis under saturation when a target is missed (or when asked): JFR with the CPU-time sampler of
# JDK 25 (jdk.CPUTimeSample, experimental, Linux; it also catches time spent in native socket calls) next to the
# classic execution sampler, plus the CPU time of each JVM thread during the run.
top_frames() { # EVENT FILE: top frames, top-frame packages, selected inclusive frames
  local events="$2.$1.txt"
  "$JAVA_HOME/bin/jfr" print --stack-depth 64 --events "$1" "$2" >"$events"
  local n
  n=$(grep -c "^$1" "$events" || true)
  echo "$1: $n samples (all threads)"
  (( n > 0 )) || return 0
  echo "top frames:"
  awk '/stackTrace = \[/ { getline; sub(/^[ \t]+/, ""); sub(/[ \t]+line:.*/, ""); top[$0]++; n++ }
    END { for (m in top) printf "%6.1f%%  %s\n", 100 * top[m] / n, m }' "$events" | sort -rn | head -20
  echo "by package of the top frame:"
  awk '/stackTrace = \[/ { getline; sub(/^[ \t]+/, ""); sub(/\(.*/, ""); n++;
      k = split($0, p, "."); key = (k >= 4) ? p[1] "." p[2] "." p[3] : $0; pk[key]++ }
    END { for (m in pk) printf "%6.1f%%  %s\n", 100 * pk[m] / n, m }' "$events" | sort -rn | head -12
  echo "inclusive (class anywhere on the stack, up to 64 frames; gateway, JSON, logging, metrics, HTTP codec classes):"
  awk '/stackTrace = \[/ { n++; delete seen; inside = 1; next }
    inside && /^[ \t]*\]/ { inside = 0; next }
    inside { f = $0; sub(/^[ \t]+/, "", f); sub(/\(.*/, "", f); sub(/\.[^.]*$/, "", f); sub(/\$.*/, "", f);
      if (f ~ /^(dev\.portcullis|com\.fasterxml|ch\.qos|io\.micrometer|io\.vertx\.core\.http|io\.netty\.handler)/ && !(f in seen)) {
        seen[f] = 1; inc[f]++ } }
    END { for (m in inc) printf "%6.1f%%  %s\n", 100 * inc[m] / n, m }' "$events" | sort -rn | head -15
}
thread_ticks() { # PID: "thread-name ticks" per thread name (summed)
  local t
  for t in /proc/"$1"/task/*; do
    printf '%s\t%s\n' "$(cat "$t/comm" 2>/dev/null)" "$(sed 's/.*) //' "$t/stat" 2>/dev/null | awk '{ print $12 + $13 }')"
  done | awk -F'\t' '{ c[$1] += $2 } END { for (k in c) print k "\t" c[k] }' | sort
}
profile_target() { # NAME: JFR recording under wrk saturation, summarised
  local name=$1 pid=${PID_OF[$1]} jfr="$RUN_DIR/$1.jfr"
  log "profiling $name with JFR under wrk -c$CONNS -d${DURATION}s"
  focus "$name"
  "$JAVA_HOME/bin/jcmd" "$pid" JFR.start name=bench settings=profile 'jdk.CPUTimeSample#enabled=true' \
    'jdk.CPUTimeSample#throttle=2ms' >"$RUN_DIR/jfr-start-$name.txt" 2>&1 || log "JFR.start: $(tail -1 "$RUN_DIR/jfr-start-$name.txt")"
  sleep 1
  thread_ticks "$pid" >"$RUN_DIR/threads-before-$name.tsv"
  run_wrk "$name" profile "$DURATION" "$RUN_DIR/wrk-profile-$name.txt" >"$RUN_DIR/profile-$name.tsv"
  thread_ticks "$pid" >"$RUN_DIR/threads-after-$name.tsv"
  "$JAVA_HOME/bin/jcmd" "$pid" JFR.dump name=bench filename="$jfr" >/dev/null
  "$JAVA_HOME/bin/jcmd" "$pid" JFR.stop name=bench >/dev/null
  echo "### $name"
  echo
  echo '```'
  echo "wrk during the recording: $(cut -f3 "$RUN_DIR/profile-$name.tsv") req/s, proxy CPU $(cut -f11 "$RUN_DIR/profile-$name.tsv") µs/req"
  echo
  echo "CPU time per JVM thread during the run (ms):"
  join -t$'\t' "$RUN_DIR/threads-before-$name.tsv" "$RUN_DIR/threads-after-$name.tsv" |
    awk -F'\t' -v tck="$CLK_TCK" '$3 > $2 { printf "%8.0f  %s\n", ($3 - $2) * 1000 / tck, $1 }' | sort -rn | head -8
  echo
  top_frames jdk.CPUTimeSample "$jfr"
  echo
  top_frames jdk.ExecutionSample "$jfr"
  echo
  echo "GC during the recording:"
  "$JAVA_HOME/bin/jfr" print --events jdk.GarbageCollection "$jfr" | awk '
    /name = / { n = $3 } /sumOfPauses = / { v = $3; if ($4 == "s") v *= 1000; else if ($4 == "us") v /= 1000;
      c[n]++; t[n] += v; if (v > m[n]) m[n] = v }
    END { for (k in c) printf "  %s: %d collections, %.0f ms paused in all, longest %.0f ms\n", k, c[k], t[k], m[k] }'
  echo "JFR file: $jfr"
  echo '```'
  echo
}
PROFILE_TXT=""
if [[ "$PROFILE" == 1 || ( "$PROFILE" == auto && "$V_RATIO$V_P99$V_TTFT" == *MISSED* ) ]]; then
  PROFILE_TXT=$(
    profile_target portcullis
    if [[ -n "$ALT_JAR" ]]; then profile_target portcullis-alt; fi
  )
fi

# Stop everything, then read the logs (the access log's buffer is flushed at shutdown).
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
alive_check
stop_all
GW_ACCESS_LINES=$(cat "$RUN_DIR"/portcullis*-access.log | wc -l)
GW_ACCESS_NON200=$(cat "$RUN_DIR"/portcullis*-access.log | grep -vc '"http.response.status_code":200' || true)
# "identity mode none: requests are not authenticated" is the expected start-up warning of a pass-through gateway.
GW_WARN=$(cat "$RUN_DIR"/portcullis*.err | grep -E ' (WARN|ERROR) ' | grep -vc 'identity mode none' || true)
GW_WARN_TEXT=$(cat "$RUN_DIR"/portcullis*.err | grep -E ' (WARN|ERROR) ' | grep -v 'identity mode none' | cut -c1-160 | head -8 || true)
GW_OOM=$(grep -l OutOfMemoryError "$RUN_DIR"/portcullis*.err 2>/dev/null | xargs -r -n1 basename | sed 's/\.err$//' | paste -sd' ' - || true)
NGINX_ERR=$(grep -cE '\[(error|crit|alert|emerg)\]' "$RUN_DIR/nginx-error.log" || true)
# curl made the start-up probes and the two deliberate 401 checks; wrk, h2load and the TTFT client send no curl agent.
# 499 is nginx's note that the client closed the connection: wrk does that to requests in flight when its time is up.
NGINX_499=$(awk '$9 == 499 && $0 !~ /"curl\//' "$RUN_DIR/nginx-access.log" | wc -l)
NGINX_NON200=$(awk '$9 != 200 && $9 != 499 && $0 !~ /"curl\//' "$RUN_DIR/nginx-access.log" | wc -l)

row_sat() {
  local t=$1
  printf '| %s | %s | %s | %s | %s | %s / %s |\n' "$t" "$(median "$SAT" "$t" 3)" "$(ms "$(median "$SAT" "$t" 4)")" \
    "$(ms "$(median "$SAT" "$t" 5)")" "$(median "$SAT" "$t" 11)" "$(median "$SAT" "$t" 9)" "$(median "$SAT" "$t" 10)"
}
row_rate() {
  local t=$1 add=$2
  printf '| %s | %s | %s | %s | %s | %s |\n' "$t" "$(median "$RATE_TSV" "$t" 3)" "$(ms "$(median "$RATE_TSV" "$t" 4)")" \
    "$(ms "$(median "$RATE_TSV" "$t" 5)")" "$(ms "$(median "$RATE_TSV" "$t" 6)")" "$add"
}
row_ttft() {
  local t=$1 add=$2
  printf '| %s | %s | %s | %s | %s |\n' "$t" "$(ms "$(median "$TTFT" "$t" 3)")" "$(ms "$(median "$TTFT" "$t" 4)")" \
    "$(ms "$(median "$TTFT" "$t" 5)")" "$add"
}

gc_row() { # NAME: one table row from NAME-gc.log ("Pause Young (...) 181M->109M(491M) 171.384ms")
  awk -v t="$1" '/ Pause (Young|Full)/ { if ($0 ~ /Pause Young/) y++; else f++;
      ms = $NF; sub(/ms$/, "", ms); tot += ms; if (ms + 0 > max) max = ms + 0;
      for (i = 1; i <= NF; i++) if ($i ~ /->/) { a = $i; sub(/.*->/, "", a); sub(/M.*/, "", a); if (a + 0 > heap) heap = a + 0 } }
    END { printf "| %s | %d / %d | %.2f | %.0f | %d |\n", t, y, f, tot / 1000, max, heap }' "$RUN_DIR/$1-gc.log"
}

{
  echo "# Portcullis proxy benchmark — $START_UTC"
  echo
  echo "Machine: $(nproc) cores, $(lscpu | awk -F: '/Model name/ { gsub(/^ +/, "", $2); print $2 }'), kernel $(uname -r);"
  echo "JDK: $("$JAVA" -version 2>&1 | sed -n 2p); $(nginx -v 2>&1); wrk $(wrk -v 2>&1 | awk 'NR == 1 { print $2 }'); $(h2load --version)."
  echo "Load average at start: $LOAD_START; at end: $LOAD_END."
  echo
  echo "Pinning (taskset): the proxy under test (nginx: worker_processes 1, master and worker; Portcullis:"
  echo "server.event-loops 1, the whole JVM) on core $PROXY_CORE; the load generators (wrk -t1, h2load, the TTFT"
  echo "client) and the simulator (one event loop) on core $LOAD_CORE. All the proxies stay up for the whole run,"
  echo "but only the one under test runs: the others are frozen with SIGSTOP (their timers, JIT and GC stay off core $PROXY_CORE)."
  echo "Portcullis JVM: $GW_JVM_OPTS (the JVM sees 1 CPU under taskset). Simulator JVM: $SIM_JVM_OPTS."
  echo "Request: POST /v1/chat/completions, $(wc -c <"$BENCH_DIR/chat.json") bytes of JSON, Authorization: Bearer <key>;"
  echo "reply: $(wc -c <"$RUN_DIR/sanity-direct.json") bytes of JSON. Warm-up: ${WARMUP}s of wrk per target. Rounds: $ROUNDS,"
  echo "interleaved (${TARGETS[*]}, then again); every figure is the median over rounds."
  echo "Jar: $JAR_INFO.${ALT_JAR:+ portcullis-alt runs $ALT_JAR (built $(date -u -r "$ALT_JAR" '+%Y-%m-%d %H:%M UTC')).}"
  echo
  echo "## Saturation: wrk -t1 -c$CONNS -d${DURATION}s"
  echo
  echo "| target | req/s | p50 ms | p99 ms | proxy CPU µs/req | core $LOAD_CORE / core $PROXY_CORE busy % |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: |"
  for t in "${TARGETS[@]}"; do row_sat "$t"; done
  echo
  echo "Portcullis / nginx requests/s: **$RATIO** with the access log to a file (target ≥ 0.5: $V_RATIO);"
  for t in "${GATEWAYS[@]:1}"; do echo "$t / nginx: ${RATIO_OF[$t]}."; done
  echo
  echo "## Constant rate: h2load --h1 -c$RATE_CLIENTS --rps $PER_CLIENT_RPS (= $RATE req/s) -D $DURATION"
  echo
  echo "Rate: $RATE_WHY."
  echo
  echo "| target | achieved req/s | p50 ms | p99 ms | max ms | added p99 ms vs direct |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: |"
  row_rate direct "-"
  for t in nginx "${GATEWAYS[@]}"; do row_rate "$t" "${ADD_P99[$t]}"; done
  echo
  SHORT=$(awk -F'\t' -v r="$RATE" '$3 < 0.95 * r { print $2 " (round " $1 ": " $3 " req/s)" }' "$RATE_TSV" | paste -sd, - | sed 's/,/, /g')
  if [[ -n "$SHORT" ]]; then
    echo "Achieved rate below 95 % of $RATE req/s (the target fell behind; its latencies include that backlog): $SHORT."
    echo
  fi
  echo "Added p99 latency at half of saturation, Portcullis: **${ADD_P99[portcullis]} ms** (target ≤ 1 ms: $V_P99)."
  echo
  echo "## Time to first token: $STREAMS streams, concurrency $STREAM_CONC, after $STREAM_WARMUP unmeasured ones"
  echo
  echo "| target | p50 ms | p99 ms | max ms | added p99 ms vs direct |"
  echo "| --- | ---: | ---: | ---: | ---: |"
  row_ttft direct "-"
  for t in nginx "${GATEWAYS[@]}"; do row_ttft "$t" "${ADD_TTFT[$t]}"; done
  echo
  echo "Added time-to-first-token p99, Portcullis: **${ADD_TTFT[portcullis]} ms** (target ≤ 1 ms: $V_TTFT)."
  echo
  echo "## Responses"
  echo
  echo "- wrk: $N_WRK responses measured, non-2xx + socket errors: $BAD_WRK."
  echo "- h2load: $N_RATE responses, non-2xx + failed: $BAD_RATE."
  echo "- TTFT client: $N_TTFT measured streams, non-2xx + errors: $BAD_TTFT."
  echo "- Portcullis access logs: $GW_ACCESS_LINES lines, $GW_ACCESS_NON200 not 200; WARN/ERROR lines on stderr (besides the expected \"identity mode none\" warning at start): $GW_WARN."
  if [[ -n "$GW_WARN_TEXT" ]]; then echo; echo '```'; echo "$GW_WARN_TEXT"; echo '```'; echo; fi
  echo "- nginx: non-200 access-log lines from the load tools: $NGINX_NON200, plus $NGINX_499 × 499 (wrk closing"
  echo "  connections with a request in flight when its time is up; no client saw them); error-log lines (error and worse): $NGINX_ERR."
  echo "- every process started was still running at the end${GW_OOM:+; but OutOfMemoryError in: $GW_OOM (a JVM whose event loop died of it stays up without answering)}."
  echo
  echo "GC of the Portcullis JVMs over the whole run (from -Xlog:gc; the counts are exact, but a pause during which"
  echo "the JVM was frozen by SIGSTOP includes the frozen time, and so do event-loop \"blocked\" warnings of ~40 s):"
  echo
  echo "| JVM | collections (young / full) | total pause s | longest pause ms | largest heap after GC MB |"
  echo "| --- | ---: | ---: | ---: | ---: |"
  for t in "${GATEWAYS[@]}"; do gc_row "$t"; done
  if [[ -n "$PROFILE_TXT" ]]; then
    echo
    echo "## Profile under saturation (JFR: CPU-time and execution samples, per-thread CPU, GC)"
    echo
    echo "$PROFILE_TXT"
  fi
  echo
  echo "Raw outputs: $RUN_DIR"
} | tee "$REPORT"
