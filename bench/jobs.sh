#!/usr/bin/env bash
# Jobs benchmark: submit throughput, submit->RUNNING latency, job starts per second, log capture
# throughput and log follow latency of the Trainyard server with the local executor, printed as one
# summary block with the targets next to the figures. Run from anywhere:
#
#   bench/jobs.sh
#
# Knobs (environment):
#   BENCH_JOBS=1000           short jobs ("true") submitted for the start figures
#   BENCH_CLIENTS=8           concurrent submitting clients (threads, one keep-alive connection each)
#   BENCH_WARMUP_JOBS=500     jobs run (and waited for) before the measured batch, not counted
#   BENCH_PACED_JOBS=100      jobs of the paced part, one client ...
#   BENCH_PACED_RATE=10       ... submitting this many per second
#   BENCH_LOG_BYTES=1073741824  bytes the log capture job writes to stdout
#   BENCH_LINE_CHARS=99       characters per line of that output (plus '\n')
#   BENCH_FOLLOW_LINES=200    timestamp lines of the follow job, one every ~50 ms
#   BENCH_PARTS=starts,paced,burst,follow,capture   which parts to run
#   BENCH_TIMEOUT=600         seconds any one part may take
#   BENCH_KEEP=1              keep the temporary data folder (printed at the end)
#   TRAINYARD_JAVA_OPTS       passed to the JVM by the launcher
#
# Raw material (server log, every job of the batch with its transitions, the SSE stream as
# received, the capture job, the summary) is kept in bench/out/<timestamp>/.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
HELPER="$ROOT/bench/jobs_bench.py"

JOBS="${BENCH_JOBS:-1000}"
CLIENTS="${BENCH_CLIENTS:-8}"
WARMUP_JOBS="${BENCH_WARMUP_JOBS:-500}"
LOG_BYTES="${BENCH_LOG_BYTES:-1073741824}"
LINE_CHARS="${BENCH_LINE_CHARS:-99}"
FOLLOW_LINES="${BENCH_FOLLOW_LINES:-200}"
PACED_JOBS="${BENCH_PACED_JOBS:-100}"
PACED_RATE="${BENCH_PACED_RATE:-10}"
PARTS="${BENCH_PARTS:-starts,paced,burst,follow,capture}"
TIMEOUT="${BENCH_TIMEOUT:-600}"
JOB_CPUS=1000

# Targets (printed next to the figures).
TARGET_START_P50_MS=50
TARGET_STARTS_PER_S=200
TARGET_CAPTURE_MBS=300
TARGET_FOLLOW_P50_MS=100

install_cleanup "the data folder"

# --- summary helpers ----------------------------------------------------------------------------
# Value of one result from the helper's key=value file ("?" when the part did not run).
r() { sed -n "s/^$1=//p" "$OUT_DIR/results.txt" | head -1 | grep . || echo "?"; }

# PASS when value <= target (mode le) or >= target (mode ge); "-" when there is no value.
verdict() {
  local value="$1" mode="$2" target="$3"
  [ "$value" != "?" ] || { echo "-"; return; }
  awk -v v="$value" -v t="$target" -v m="$mode" 'BEGIN {
    ok = (m == "le") ? (v + 0 <= t + 0) : (v + 0 >= t + 0); print ok ? "PASS" : "MISS" }'
}

has_part() { case ",$PARTS," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

# --- main ---------------------------------------------------------------------------------------
main() {
  ensure_tools curl python3
  mkdir -p "$OUT_DIR"
  WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/trainyard-jobs-bench.XXXXXX")
  # mktemp makes the folder 0700. As root the server runs each job as its own user id, which must
  # be able to pass through every parent of the data folder to reach its job folder (otherwise
  # every job fails with exit code 126, "Permission denied" on run.sh).
  chmod 711 "$WORK_DIR"
  local data="$WORK_DIR/data"

  local cores load_start load_end java_version isolate
  cores=$(nproc)
  load_start=$(cut -d' ' -f1-3 /proc/loadavg)
  warn_if_busy "$cores"

  build_server

  # Capacity is set far above what the batch needs, so no job ever waits for cores or memory:
  # the start figures are the server's own overhead, not queueing.
  start_server "$data" "$OUT_DIR/server.log" \
    --job-cpus "$JOB_CPUS" --job-memory-gb 1000 --gpus none --stop-grace 5s
  wait_healthy "$OUT_DIR/server.log" >/dev/null
  verify_jvm_pid
  java_version=$(server_java_version)
  API_KEY=$(json_field "$data/initial-admin.json" api_key)
  [ -n "$API_KEY" ] || die "no api_key in $data/initial-admin.json"
  if grep -q 'each job as its own user: true' "$OUT_DIR/server.log"; then isolate="each job as its own uid"; else isolate="jobs as the server's uid"; fi
  log "server on http://127.0.0.1:$SERVER_PORT (pid $SERVER_PID), $isolate"

  local helper_rc=0
  python3 "$HELPER" --port "$SERVER_PORT" --key "$API_KEY" --out "$OUT_DIR" \
    --results "$OUT_DIR/results.txt" --data "$data" --server-pid "$SERVER_PID" \
    --jobs "$JOBS" --threads "$CLIENTS" --warmup-jobs "$WARMUP_JOBS" \
    --log-bytes "$LOG_BYTES" --line-chars "$LINE_CHARS" --follow-lines "$FOLLOW_LINES" \
    --paced-jobs "$PACED_JOBS" --paced-rate "$PACED_RATE" --timeout "$TIMEOUT" --parts "$PARTS" --capacity-cores "$JOB_CPUS" || helper_rc=$?
  local rss
  rss=$(awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVER_PID/status" 2>/dev/null || echo "?")
  stop_server
  load_end=$(cut -d' ' -f1-3 /proc/loadavg)
  [ "$helper_rc" -eq 0 ] || die "the measurements failed (exit $helper_rc); partial results in $OUT_DIR/results.txt, server log $OUT_DIR/server.log"

  local p50 rate mbs fp50
  p50=$(r start_p50_ms); rate=$(r starts_rate); mbs=$(r capture_mbs); fp50=$(r follow_p50_ms)
  {
    echo "Trainyard jobs benchmark ($cores cores, SQLite, local executor, $isolate)"
    echo "JVM:                 $java_version; options: ${TRAINYARD_JAVA_OPTS:-(launcher defaults)}"
    if has_part starts; then
      printf 'submit:              %s jobs from %s clients in %s s = %s jobs/s  (POST p50 %s ms, p99 %s ms)\n' \
        "$(r submit_jobs)" "$(r submit_threads)" "$(r submit_wall_s)" "$(r submit_rate)" \
        "$(r submit_post_p50_ms)" "$(r submit_post_p99_ms)"
      # The latency target is for free capacity (the paced part); here the 2 cores are saturated.
      printf 'submit->RUNNING:     p50 %s ms, p99 %s ms, max %s ms  (saturated: every core busy; the target is checked by the paced part)\n' \
        "$p50" "$(r start_p99_ms)" "$(r start_max_ms)"
      printf '  of which:          QUEUED->STARTING p50 %s ms, p99 %s ms; STARTING->RUNNING p50 %s ms, p99 %s ms\n' \
        "$(r start_queue_p50_ms)" "$(r start_queue_p99_ms)" "$(r start_launch_p50_ms)" "$(r start_launch_p99_ms)"
      # Jobs cannot start faster than they are submitted: this is the submission rate under the
      # start load, not the start pipeline's; the burst part measures that (with the target).
      printf 'starts while submitting: %s/s  (%s RUNNING between first and last in %s s; bounded by the submit rate above)\n' \
        "$rate" "$(r start_n)" "$(r starts_span_s)"
      printf 'all ended:           %s s after the first submit (first created_at -> last finished_at %s s); %s\n' \
        "$(r all_ended_s)" "$(r all_ended_server_s)" "$(r states)"
      printf '  CPU:               server %s s, job processes %s s; machine %s%% busy\n' \
        "$(r starts_server_cpu_s)" "$(r starts_jobs_cpu_s)" "$(r starts_machine_busy)"
    fi
    if has_part paced; then
      local pp50
      pp50=$(r paced_p50_ms)
      printf 'paced submit->RUNNING: p50 %s ms, p99 %s ms, max %s ms over %s jobs at %s/s from one client (QUEUED->STARTING p50 %s ms, STARTING->RUNNING p50 %s ms)  [target p50 <= %s ms: %s]\n' \
        "$pp50" "$(r paced_p99_ms)" "$(r paced_max_ms)" "$(r paced_n)" "$(r paced_rate)" \
        "$(r paced_queue_p50_ms)" "$(r paced_launch_p50_ms)" "$TARGET_START_P50_MS" "$(verdict "$pp50" le "$TARGET_START_P50_MS")"
    fi
    if has_part burst; then
      local brate
      brate=$(r burst_rate)
      printf 'job starts (burst):  %s/s  (%s queued jobs released at once, all RUNNING %s ms after the release; first and last RUNNING %s s apart; release->RUNNING first %s ms, p50 %s ms, p99 %s ms)  [target >= %s/s: %s]\n' \
        "$brate" "$(r burst_n)" "$(r burst_max_ms)" "$(r burst_span_s)" "$(r burst_first_ms)" "$(r burst_p50_ms)" "$(r burst_p99_ms)" \
        "$TARGET_STARTS_PER_S" "$(verdict "$brate" ge "$TARGET_STARTS_PER_S")"
      printf '  submitting them:   %s s = %s jobs/s while nothing starts (POST p50 %s ms, p99 %s ms)\n' \
        "$(r burst_submit_wall_s)" "$(r burst_submit_rate)" "$(r burst_post_p50_ms)" "$(r burst_post_p99_ms)"
      printf '  after release:     all STARTING after %s s, all ended after %s s; %s; CPU: server %s s, job processes %s s; machine %s%% busy\n' \
        "$(r burst_starting_span_s)" "$(r burst_all_ended_s)" "$(r burst_states)" \
        "$(r burst_server_cpu_s)" "$(r burst_jobs_cpu_s)" "$(r burst_machine_busy)"
    fi
    if has_part follow; then
      printf 'follow latency:      p50 %s ms, p99 %s ms, max %s ms over %s/%s lines (printed->indexed p50 %s ms, indexed->received p50 %s ms)  [target p50 <= %s ms: %s]\n' \
        "$fp50" "$(r follow_p99_ms)" "$(r follow_max_ms)" "$(r follow_lines)" "$(r follow_expected)" \
        "$(r follow_indexed_p50_ms)" "$(r follow_delivered_p50_ms)" "$TARGET_FOLLOW_P50_MS" "$(verdict "$fp50" le "$TARGET_FOLLOW_P50_MS")"
    fi
    if has_part capture; then
      printf 'log capture:         %s bytes, job ran %s s = %s MB/s written; complete+indexed %s s after start = %s MB/s (%s s after the job ended)  [target >= %s MB/s: %s]\n' \
        "$(r capture_bytes)" "$(r capture_run_s)" "$(r capture_write_mbs)" "$(r capture_complete_s)" "$mbs" \
        "$(r capture_after_end_s)" "$TARGET_CAPTURE_MBS" "$(verdict "$mbs" ge "$TARGET_CAPTURE_MBS")"
      printf '  check:             %s lines (expected %s): %s; stdout.log %s bytes; CPU: server %s s, job processes %s s; machine %s%% busy\n' \
        "$(r capture_lines)" "$(r capture_expected_lines)" "$(r capture_lines_ok)" "$(r capture_stdout_bytes)" "$(r capture_server_cpu_s)" "$(r capture_jobs_cpu_s)" "$(r capture_machine_busy)"
    fi
    echo "server RSS at end:   $rss MiB"
    echo "load average:        before $load_start, after $load_end"
  } | tee "$OUT_DIR/summary.txt"
  log "raw output in $OUT_DIR"
}

main "$@"
