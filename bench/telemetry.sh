#!/usr/bin/env bash
# Telemetry benchmark: metric ingestion through the API, reading a 1-million-point series
# downsampled, and marker-line parsing throughput, against a real server (SQLite, local executor).
# Run from anywhere:
#
#   bench/telemetry.sh
#
# Knobs (environment):
#   BENCH_POINTS=1000000      points posted for the ingestion figure (batches of 1,000)
#   BENCH_CLIENTS=4           concurrent posting clients (threads, one keep-alive connection each)
#   BENCH_READS=30            reads of the series downsampled to 1,000 points
#   BENCH_MARKER_LINES=1000000  marker lines the parsing job prints
#   BENCH_TIMEOUT=600         seconds any one part may take
#   TRAINYARD_JAVA_OPTS       passed to the JVM by the launcher
#
# Raw material (server log, the summary) is kept in bench/out/<timestamp>/.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
HELPER="$ROOT/bench/telemetry_bench.py"

POINTS="${BENCH_POINTS:-1000000}"
CLIENTS="${BENCH_CLIENTS:-4}"
READS="${BENCH_READS:-30}"
MARKER_LINES="${BENCH_MARKER_LINES:-1000000}"
TIMEOUT="${BENCH_TIMEOUT:-600}"

install_cleanup "the data folder"

main() {
  ensure_tools curl python3
  mkdir -p "$OUT_DIR"
  WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/trainyard-telemetry-bench.XXXXXX")
  chmod 711 "$WORK_DIR" # jobs run as their own uid and must pass through to their folder
  local data="$WORK_DIR/data" cores load_start load_end java_version
  cores=$(nproc)
  load_start=$(cut -d' ' -f1-3 /proc/loadavg)
  warn_if_busy "$cores"
  build_server
  start_server "$data" "$OUT_DIR/server.log" --job-cpus 16 --job-memory-gb 64 --gpus none --stop-grace 1s
  wait_healthy "$OUT_DIR/server.log" >/dev/null
  verify_jvm_pid
  java_version=$(server_java_version)
  API_KEY=$(json_field "$data/initial-admin.json" api_key)
  [ -n "$API_KEY" ] || die "no api_key in $data/initial-admin.json"
  log "server on http://127.0.0.1:$SERVER_PORT (pid $SERVER_PID)"

  local rc=0
  python3 "$HELPER" --port "$SERVER_PORT" --key "$API_KEY" --server-pid "$SERVER_PID" \
    --points "$POINTS" --threads "$CLIENTS" --reads "$READS" --marker-lines "$MARKER_LINES" \
    --timeout "$TIMEOUT" --results "$OUT_DIR/results.txt" || rc=$?
  stop_server
  load_end=$(cut -d' ' -f1-3 /proc/loadavg)
  [ "$rc" -eq 0 ] || die "the measurements failed (exit $rc); server log $OUT_DIR/server.log"
  {
    echo "Trainyard telemetry benchmark ($cores cores, SQLite, local executor)"
    echo "JVM:                 $java_version; options: ${TRAINYARD_JAVA_OPTS:-(launcher defaults)}"
    cat "$OUT_DIR/results.txt"
    echo "load average:        before $load_start, after $load_end"
  } | tee "$OUT_DIR/summary.txt"
  log "raw output in $OUT_DIR"
}

main "$@"
