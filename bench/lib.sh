# shellcheck shell=bash
# Helpers shared by the benchmark scripts (foundation.sh, jobs.sh). Sourced, not run:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# The sourcing script sets 'set -euo pipefail' itself, calls install_cleanup once and keeps its
# own knobs, work folder and measurements. Sets ROOT, LAUNCHER, OUT_DIR, START_TIMEOUT_MS and
# starts with WORK_DIR and SERVER_PID empty.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LAUNCHER="$ROOT/trainyard"
START_TIMEOUT_MS=60000

OUT_DIR="$ROOT/bench/out/$(date +%Y%m%d-%H%M%S)"
WORK_DIR=""
SERVER_PID=""

log() { echo "bench: $*" >&2; }
die() { log "error: $*"; exit 1; }

# --- cleanup ----------------------------------------------------------------------------------
# Only the server this script started is stopped, by its PID: other Trainyard servers (and other
# people's builds) may be running on the same machine, so nothing is killed by name. (A job
# server's jobs die with their own process groups or are short anyway.)
# install_cleanup WHAT: stops the server and removes WORK_DIR on any exit, or with BENCH_KEEP=1
# keeps it and says "kept WHAT in WORK_DIR".
install_cleanup() {
  KEPT_WHAT="$1"
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}
cleanup() {
  local rc=$?
  stop_server
  if [ -n "$WORK_DIR" ] && [ -d "$WORK_DIR" ]; then
    if [ "${BENCH_KEEP:-0}" = "1" ]; then
      log "kept $KEPT_WHAT in $WORK_DIR"
    else
      rm -rf "$WORK_DIR"
    fi
  fi
  exit "$rc"
}

# --- tools --------------------------------------------------------------------------------------
# ensure_tools TOOL...: installs each missing command from the Debian package of the same name.
ensure_tools() {
  local tool note
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      note=""
      [ "$tool" != wrk ] || note=" (Debian package 'wrk')"
      log "installing $tool$note ..."
      # Try without 'apt-get update' first: it is slow and usually unnecessary.
      if ! apt-get install -y "$tool" >/dev/null 2>&1; then
        apt-get update >/dev/null 2>&1 || true
        apt-get install -y "$tool" >/dev/null || die "could not install $tool; install it and re-run"
      fi
    fi
  done
}

# --- small helpers ------------------------------------------------------------------------------
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# A port nobody listens on. Asking the kernel (bind to port 0) is race-free enough for a
# benchmark; without python3, probe random high ports.
free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
    return
  fi
  local port
  while true; do
    port=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

# Value of a string field in a small flat JSON file (initial-admin.json); avoids needing jq.
json_field() {
  sed -n "s/.*\"$2\"[[:space:]]*:[[:space:]]*\"\([^\"]*\)\".*/\1/p" "$1" | head -1
}

# Other builds or test suites on the machine make every figure noisy; say so up front.
warn_if_busy() {
  local cores="$1" load
  load=$(cut -d' ' -f1 /proc/loadavg)
  if awk -v l="$load" -v c="$cores" 'BEGIN { exit !(l > c / 2) }'; then
    log "warning: load average is $load on $cores cores before starting; figures will be noisy"
  fi
}

# Builds once up front so no measured start pays for compilation; the build log goes to OUT_DIR.
build_server() {
  log "building ..."
  "$LAUNCHER" build >"$OUT_DIR/build.log" 2>&1 || { tail -30 "$OUT_DIR/build.log" >&2; die "build failed"; }
}

# --- server lifecycle ---------------------------------------------------------------------------
# start_server DATA LOG [extra server args...]
# Starts the launcher in the background. The launcher 'exec's java, so $! is the JVM itself.
# Sets SERVER_PID, SERVER_PORT and START_MS (taken just before the launch).
start_server() {
  local data="$1" logfile="$2"
  shift 2
  SERVER_PORT=$(free_port)
  START_MS=$(now_ms)
  "$LAUNCHER" server --host 127.0.0.1 --port "$SERVER_PORT" --data "$data" "$@" >"$logfile" 2>&1 &
  SERVER_PID=$!
}

# wait_healthy LOG
# Polls /healthz every 10 ms until the first 200; prints the milliseconds since START_MS.
wait_healthy() {
  local logfile="$1" elapsed
  while true; do
    if curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$SERVER_PORT/healthz" 2>/dev/null; then
      echo $(( $(now_ms) - START_MS ))
      return
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      tail -20 "$logfile" >&2 || true
      die "server (pid $SERVER_PID) exited before answering /healthz; log: $logfile"
    fi
    elapsed=$(( $(now_ms) - START_MS ))
    [ "$elapsed" -lt "$START_TIMEOUT_MS" ] || die "no 200 from /healthz after ${elapsed} ms; log: $logfile"
    sleep 0.01
  done
}

# Graceful stop (SIGTERM runs the shutdown hook), SIGKILL after 15 s.
stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  local pid="$SERVER_PID" i
  SERVER_PID=""
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 150); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# Makes sure the PID we measure is the server JVM and not a wrapper shell.
verify_jvm_pid() {
  tr '\0' ' ' <"/proc/$SERVER_PID/cmdline" | grep -q 'dev.trainyard.server.Main' \
    || die "pid $SERVER_PID is not the server JVM: $(tr '\0' ' ' <"/proc/$SERVER_PID/cmdline")"
}

# First line of 'java -version' of the JVM the running server uses.
server_java_version() {
  "$(readlink "/proc/$SERVER_PID/exe")" -version 2>&1 | head -1
}
