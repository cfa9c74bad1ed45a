#!/usr/bin/env bash
# Dataset upload benchmark: one file of BENCH_UPLOAD_BYTES (1 GiB) POSTed with curl to a real server
# (streamed to the blob store, SHA-256 and CSV row count on the way), then downloaded back.
# Run from anywhere:
#
#   bench/datasets.sh
#
# Knobs: BENCH_UPLOAD_BYTES (1073741824), BENCH_RUNS (3), TRAINYARD_JAVA_OPTS.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BYTES="${BENCH_UPLOAD_BYTES:-1073741824}"
RUNS="${BENCH_RUNS:-3}"
TARGET_MBS=200

install_cleanup "the data folder"

main() {
  ensure_tools curl python3
  mkdir -p "$OUT_DIR"
  WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/trainyard-datasets-bench.XXXXXX")
  chmod 711 "$WORK_DIR"
  local data="$WORK_DIR/data" file="$WORK_DIR/upload.csv" cores load_start load_end
  cores=$(nproc)
  load_start=$(cut -d' ' -f1-3 /proc/loadavg)
  warn_if_busy "$cores"
  log "writing a ${BYTES}-byte CSV file ..."
  python3 - "$file" "$BYTES" <<'PY'
import sys
path, size = sys.argv[1], int(sys.argv[2])
line = b"0.123456,7.891011,12.131415,16.171819,label_a\n"
with open(path, "wb") as f:
    f.write(b"a,b,c,d,label\n")
    written = 14
    block = line * (1 << 16)
    while written + len(block) <= size:
        f.write(block); written += len(block)
    while written + len(line) <= size:
        f.write(line); written += len(line)
    f.write(b"x" * (size - written))
PY
  local expected_sha
  expected_sha=$(sha256sum "$file" | cut -d' ' -f1)
  build_server
  start_server "$data" "$OUT_DIR/server.log" --max-dataset-bytes $((BYTES * 2)) --gpus none
  wait_healthy "$OUT_DIR/server.log" >/dev/null
  verify_jvm_pid
  API_KEY=$(json_field "$data/initial-admin.json" api_key)
  local base="http://127.0.0.1:$SERVER_PORT" project
  project=$(curl -fsS -X POST "$base/api/projects" -H "X-API-KEY: $API_KEY" -H 'Content-Type: application/json' \
    -d '{"name":"bench-datasets"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

  local results=() run up_s dataset_id sha rows down_s
  for run in $(seq 1 "$RUNS"); do
    log "upload $run of $RUNS ..."
    local answer="$OUT_DIR/upload-$run.json" timing
    timing=$(curl -fsS -o "$answer" -w '%{time_total}' -X POST "$base/api/projects/$project/datasets?name=bench.csv" \
      -H "X-API-KEY: $API_KEY" -H 'Content-Type: text/csv' -H 'Expect:' -T "$file")
    up_s="$timing"
    sha=$(json_field "$answer" sha256)
    rows=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rows"])' "$answer")
    dataset_id=$(json_field "$answer" id)
    [ "$sha" = "$expected_sha" ] || die "the server's SHA-256 $sha differs from the file's $expected_sha"
    down_s=$(curl -fsS -o /dev/null -w '%{time_total}' "$base/api/projects/$project/datasets/$dataset_id/download" \
      -H "X-API-KEY: $API_KEY")
    results+=("$(awk -v b="$BYTES" -v u="$up_s" -v d="$down_s" 'BEGIN { printf "%.0f %.0f %.2f %.2f", b / u / 1e6, b / d / 1e6, u, d }')")
  done
  stop_server
  load_end=$(cut -d' ' -f1-3 /proc/loadavg)

  local ups downs median_up median_down
  ups=$(printf '%s\n' "${results[@]}" | awk '{print $1}' | sort -n | tr '\n' ' ')
  downs=$(printf '%s\n' "${results[@]}" | awk '{print $2}' | sort -n | tr '\n' ' ')
  median_up=$(printf '%s\n' "${results[@]}" | awk '{print $1}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  median_down=$(printf '%s\n' "${results[@]}" | awk '{print $2}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  {
    echo "Trainyard dataset benchmark ($cores cores, SQLite, curl on the same host)"
    echo "upload:        ${BYTES} bytes (CSV, $rows rows), median ${median_up} MB/s over $RUNS runs (${ups}MB/s)  [target >= ${TARGET_MBS} MB/s: $(awk -v v="$median_up" -v t="$TARGET_MBS" 'BEGIN { print (v >= t) ? "PASS" : "MISS" }')]"
    echo "               streamed to a temporary file, SHA-256 and row count on the way, forced to disk, renamed; checksum matches the file's"
    echo "download:      median ${median_down} MB/s (${downs}MB/s)"
    echo "load average:  before $load_start, after $load_end"
  } | tee "$OUT_DIR/summary.txt"
  log "raw output in $OUT_DIR"
}

main "$@"
