#!/usr/bin/env bash
# Foundation benchmark: cold start, warm restart, idle memory and read throughput of the
# Trainyard server, printed as one summary block. Run from anywhere:
#
#   bench/foundation.sh
#
# Knobs (environment):
#   BENCH_DURATION=15s      wrk run length per credential kind
#   BENCH_WARMUP=3s         wrk warm-up before each measured run (JIT, connection pools)
#   BENCH_CONNECTIONS=32    wrk connections
#   BENCH_THREADS=2         wrk threads
#   BENCH_COLD_RUNS=5       cold starts on a fresh data folder
#   BENCH_WARM_RUNS=3       restarts on an existing data folder
#   BENCH_PROJECTS=20       projects created before the throughput runs
#   BENCH_IDLE_SECONDS=5    idle time before the idle RSS reading
#   BENCH_KEEP=1            keep the temporary data folders (printed at the end)
#   TRAINYARD_JAVA_OPTS     passed to the JVM by the launcher, e.g. "-XX:+UseSerialGC -Xmx256m"
#
# Raw material (wrk output, server logs, the summary) is kept in bench/out/<timestamp>/.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION="${BENCH_DURATION:-15s}"
WARMUP="${BENCH_WARMUP:-3s}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
THREADS="${BENCH_THREADS:-2}"
COLD_RUNS="${BENCH_COLD_RUNS:-5}"
WARM_RUNS="${BENCH_WARM_RUNS:-3}"
PROJECTS="${BENCH_PROJECTS:-20}"
IDLE_SECONDS="${BENCH_IDLE_SECONDS:-5}"
LIST_PATH="/api/projects?take=20"

install_cleanup "data folders"

# --- small helpers ------------------------------------------------------------------------------
# Median of the numbers given as arguments (mean of the two middle ones for an even count).
median() {
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
    if (NR % 2) print v[(NR + 1) / 2]; else printf "%d\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
min_of() { printf '%s\n' "$@" | sort -n | head -1; }
max_of() { printf '%s\n' "$@" | sort -n | tail -1; }

# Resident set size of the server JVM in MiB (one decimal).
rss_mib() {
  verify_jvm_pid
  awk '/^VmRSS:/ { printf "%.1f\n", $2 / 1024 }' "/proc/$SERVER_PID/status"
}

# "started in N ms, JVM up M ms" as "N M" from a server log.
server_reported() {
  sed -n 's/.*started in \([0-9]*\) ms, JVM up \([0-9]*\) ms.*/\1 \2/p' "$1" | tail -1
}

# --- API helpers --------------------------------------------------------------------------------
api() {
  curl -fsS --max-time 10 "$@"
}

# --- benchmarks ---------------------------------------------------------------------------------
# Cold start: fresh data folder each time, so this includes migrations, creating the administrator
# (Argon2id hashing) and generating signing keys, on top of JVM start and class loading.
bench_cold_start() {
  local i data ms reported
  COLD_MS=()
  COLD_REPORTED=()
  COLD_JVM_UP=()
  for i in $(seq 1 "$COLD_RUNS"); do
    data="$WORK_DIR/cold-$i"
    start_server "$data" "$OUT_DIR/cold-$i.log"
    ms=$(wait_healthy "$OUT_DIR/cold-$i.log")
    stop_server
    read -r reported jvmup <<<"$(server_reported "$OUT_DIR/cold-$i.log")"
    COLD_MS+=("$ms")
    COLD_REPORTED+=("${reported:-0}")
    COLD_JVM_UP+=("${jvmup:-0}")
    log "cold start $i/$COLD_RUNS: $ms ms (server: started in ${reported:-?} ms, JVM up ${jvmup:-?} ms)"
  done
  # The last cold run's folder becomes the existing data folder for the rest.
  DATA_DIR="$WORK_DIR/cold-$COLD_RUNS"
}

# Warm restart: the database, administrator and keys already exist.
bench_warm_restart() {
  local i ms reported jvmup
  WARM_MS=()
  WARM_REPORTED=()
  for i in $(seq 1 "$WARM_RUNS"); do
    start_server "$DATA_DIR" "$OUT_DIR/warm-$i.log"
    ms=$(wait_healthy "$OUT_DIR/warm-$i.log")
    stop_server
    read -r reported jvmup <<<"$(server_reported "$OUT_DIR/warm-$i.log")"
    WARM_MS+=("$ms")
    WARM_REPORTED+=("${reported:-0}")
    log "warm restart $i/$WARM_RUNS: $ms ms (server: started in ${reported:-?} ms, JVM up ${jvmup:-?} ms)"
  done
}

# Starts the server for the load part, logs in with the initial API key, creates the projects.
prepare_load() {
  local base i
  start_server "$DATA_DIR" "$OUT_DIR/load.log"
  wait_healthy "$OUT_DIR/load.log" >/dev/null
  verify_jvm_pid
  BASE="http://127.0.0.1:$SERVER_PORT"
  base="$BASE"

  API_KEY=$(json_field "$DATA_DIR/initial-admin.json" api_key)
  [ -n "$API_KEY" ] || die "no api_key in $DATA_DIR/initial-admin.json"
  # The token endpoint answers the JWT as a JSON string; strip the quotes.
  JWT=$(api -X POST -H "x-api-key: $API_KEY" "$base/api/auth/token" | tr -d '"[:space:]')
  [ -n "$JWT" ] || die "empty token from /api/auth/token"

  for i in $(seq -w 1 "$PROJECTS"); do
    api -o /dev/null -X POST -H "Authorization: Bearer $JWT" -H 'Content-Type: application/json' \
      -d "{\"name\": \"bench-project-$i\"}" "$base/api/projects"
  done

  # A few ordinary requests, so the idle reading is of a server that has served something.
  for i in 1 2 3 4 5; do
    api -o /dev/null "$base/healthz"
    api -o /dev/null -H "Authorization: Bearer $JWT" "$base$LIST_PATH"
    api -o /dev/null -H "X-API-KEY: $API_KEY" "$base$LIST_PATH"
  done
  LIST_BYTES=$(api -H "Authorization: Bearer $JWT" "$base$LIST_PATH" | wc -c)
  log "server on $base (pid $SERVER_PID), $PROJECTS projects created, list response $LIST_BYTES bytes"
}

bench_idle_rss() {
  log "idle for ${IDLE_SECONDS}s before reading VmRSS ..."
  sleep "$IDLE_SECONDS"
  IDLE_RSS=$(rss_mib)
  log "idle RSS: $IDLE_RSS MiB"
}

# wrk latency figures come as e.g. 812.00us, 2.10ms or 1.02s; print milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
    else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.2f", v * 60000 }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 }
    else print v }'
}

# Runs warm-up + measured wrk against the list endpoint with one header; prints the summary line.
# Any non-2xx answer or socket error fails the run: a fast 401 is not a result.
bench_wrk() {
  local label="$1" header="$2" raw="$OUT_DIR/wrk-$1.txt" rps p50 p99 non2xx errors
  log "wrk ($label): warm-up $WARMUP, then -t$THREADS -c$CONNECTIONS -d$DURATION ..."
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -H "$header" "$BASE$LIST_PATH" >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "$header" "$BASE$LIST_PATH" >"$raw"
  rps=$(awk '/^Requests\/sec:/ { printf "%d", $2 }' "$raw")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$raw")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$raw")")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$raw")
  errors=$(sed -n 's/.*Socket errors: *//p' "$raw")
  [ -z "$non2xx" ] || die "wrk ($label) saw $non2xx non-2xx answers; see $raw"
  [ -n "$rps" ] || die "could not read wrk output; see $raw"
  WRK_LINE="$rps req/s, p50 $p50 ms, p99 $p99 ms${errors:+ (socket errors: $errors)}"
  log "wrk ($label): $WRK_LINE"
}

# --- main ---------------------------------------------------------------------------------------
main() {
  ensure_tools wrk curl
  mkdir -p "$OUT_DIR"
  WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/trainyard-bench.XXXXXX")

  local cores load_start load_end java_version
  cores=$(nproc)
  # Read before our own build, which would otherwise show up in the (lagging) load average.
  load_start=$(cut -d' ' -f1-3 /proc/loadavg)
  warn_if_busy "$cores"

  # Build once up front so no measured start pays for compilation.
  build_server

  bench_cold_start
  bench_warm_restart
  prepare_load
  java_version=$(server_java_version)
  bench_idle_rss
  bench_wrk jwt "Authorization: Bearer $JWT"
  local jwt_line="$WRK_LINE"
  bench_wrk key "X-API-KEY: $API_KEY"
  local key_line="$WRK_LINE"
  LOAD_RSS=$(rss_mib)
  stop_server
  load_end=$(cut -d' ' -f1-3 /proc/loadavg)

  {
    echo "Trainyard foundation benchmark ($cores cores, SQLite)"
    echo "JVM:                             $java_version; options: ${TRAINYARD_JAVA_OPTS:-(launcher defaults)}"
    printf 'cold start (fresh data folder):  min %s ms, median %s ms, max %s ms  (server log: started in %s ms, JVM up %s ms, medians)\n' \
      "$(min_of "${COLD_MS[@]}")" "$(median "${COLD_MS[@]}")" "$(max_of "${COLD_MS[@]}")" \
      "$(median "${COLD_REPORTED[@]}")" "$(median "${COLD_JVM_UP[@]}")"
    printf 'warm restart (existing data):    median %s ms  (of %s: %s; server log median %s ms)\n' \
      "$(median "${WARM_MS[@]}")" "$WARM_RUNS" "${WARM_MS[*]}" "$(median "${WARM_REPORTED[@]}")"
    echo "idle RSS:                        $IDLE_RSS MiB (after load: $LOAD_RSS MiB)"
    echo "GET $LIST_PATH (JWT): $jwt_line"
    echo "GET $LIST_PATH (key): $key_line"
    echo "wrk:                             -t$THREADS -c$CONNECTIONS -d$DURATION (warm-up $WARMUP), $LIST_BYTES-byte answers, wrk on the same host"
    echo "load average:                    before $load_start, after $load_end"
  } | tee "$OUT_DIR/summary.txt"
  log "raw output in $OUT_DIR"
}

main "$@"
