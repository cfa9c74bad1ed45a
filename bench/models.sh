#!/usr/bin/env bash
# Built-in trainer benchmark: a classifier trained by a real job on BENCH_ROWS (1,000,000) rows x
# BENCH_FEATURES (20) features of a generated CSV (two Gaussian classes), through the API: upload,
# create the model, train, wait. Prints the job's run time, the training phase alone (from its
# log), the accuracy on the held-out rows, and the job's peak memory.
#
#   bench/models.sh
#   BENCH_ROWS=200000 BENCH_EPOCHS=3 bench/models.sh
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROWS="${BENCH_ROWS:-1000000}"
FEATURES="${BENCH_FEATURES:-20}"
EPOCHS="${BENCH_EPOCHS:-5}"
ALGORITHM="${BENCH_ALGORITHM:-linear}"
MEMORY_GB="${BENCH_MEMORY_GB:-8}"

install_cleanup "the data folder"

main() {
  ensure_tools curl python3
  mkdir -p "$OUT_DIR"
  WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/trainyard-models-bench.XXXXXX")
  chmod 711 "$WORK_DIR"
  local data="$WORK_DIR/data" file="$WORK_DIR/train.csv" cores load_start
  cores=$(nproc)
  load_start=$(cut -d' ' -f1-3 /proc/loadavg)
  warn_if_busy "$cores"
  log "writing $ROWS rows x $FEATURES features ..."
  python3 - "$file" "$ROWS" "$FEATURES" <<'PY'
import random, sys
path, rows, features = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(5)
with open(path, "w") as f:
    f.write(",".join(f"f{i}" for i in range(features)) + ",label\n")
    for r in range(rows):
        a = r % 2 == 0
        shift = -0.5 if a else 0.5
        f.write(",".join(f"{random.gauss(shift, 1):.4f}" for _ in range(features)) + ("," + ("a" if a else "b")) + "\n")
PY
  build_server
  start_server "$data" "$OUT_DIR/server.log" --gpus none --job-memory-gb 16
  wait_healthy "$OUT_DIR/server.log" >/dev/null
  API_KEY=$(json_field "$data/initial-admin.json" api_key)
  local base="http://127.0.0.1:$SERVER_PORT" auth=(-H "X-API-KEY: $API_KEY")
  python3 - "$base" "$API_KEY" "$file" "$EPOCHS" "$ALGORITHM" "$MEMORY_GB" "$ROWS" "$FEATURES" "$OUT_DIR" <<'PY' | tee "$OUT_DIR/summary.txt"
import json, subprocess, sys, time, urllib.request
from datetime import datetime
base, key, file, epochs, algorithm, memory, rows, features, out = sys.argv[1:10]
def call(method, path, body=None, raw=None, ctype="application/json"):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(base + path, data=data, method=method, headers={"X-API-KEY": key, "Content-Type": ctype})
    with urllib.request.urlopen(req, timeout=600) as r:
        return json.loads(r.read() or b"null")
ts = lambda t: datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp()
project = call("POST", "/api/projects", {"name": "bench-models"})["id"]
t0 = time.time()
up = subprocess.run(["curl", "-fsS", "-X", "POST", "-H", "X-API-KEY: " + key, "-H", "Content-Type: text/csv", "-H", "Expect:",
                     "-T", file, f"{base}/api/projects/{project}/datasets?name=train.csv"], capture_output=True, check=True)
dataset = json.loads(up.stdout)
upload_s = time.time() - t0
model = call("POST", f"/api/oneai/projects/{project}/models", {"name": "bench", "dataset": dataset["id"], "target_column": "label",
             "algorithm": algorithm, "hyperparameters": {"seed": 1}})["id"]
job = call("POST", f"/api/oneai/projects/{project}/models/{model}/train", {"epochs": int(epochs), "memory_gb": float(memory), "cpu_cores": 1})
while True:
    job = call("GET", f"/api/jobs/{job['id']}")
    if job["state"] in ("COMPLETED", "FAILED", "STOPPED", "EXPIRED", "LOST"):
        break
    time.sleep(0.5)
log = urllib.request.urlopen(urllib.request.Request(f"{base}/api/jobs/{job['id']}/logs?limit=10000", headers={"X-API-KEY": key})).read()
open(f"{out}/train-log.json", "wb").write(log)
lines = json.loads(log)["lines"]
def at(prefix):
    for l in lines:
        if l["text"].startswith(prefix):
            return ts(l["time"])
trained_at = at("::trainyard metric accuracy") or at("::trainyard metric rmse")
training_at = at("::trainyard progress percent=5")
memory_max = call("GET", f"/api/jobs/{job['id']}/metrics/memory?max_points=2")
versions = call("GET", f"/api/oneai/projects/{project}/models/{model}")["versions"]
metrics = versions[0]["metrics"] if versions else {}
run_s = ts(job["finished_at"]) - ts(job["started_at"])
peak = max((p["value"] for p in memory_max.get("points", [])), default=0) / 2**30
print(f"Trainyard built-in trainer benchmark ({subprocess.check_output(['nproc']).decode().strip()} cores)")
print(f"dataset:         {rows} rows x {features} features, {dataset['size_bytes']/1e6:.0f} MB CSV, uploaded in {upload_s:.1f} s")
print(f"training job:    {job['state']}, {algorithm}, {epochs} epochs, 1 core, {memory} GB: ran {run_s:.1f} s from start to end")
if training_at and trained_at:
    print(f"  of which:      loading + {epochs} epochs + evaluation {trained_at - training_at:.1f} s (after JVM start and CSV load of {training_at - ts(job['started_at']):.1f} s)")
print(f"accuracy:        {metrics.get('accuracy', '?')} on {metrics.get('test_rows', '?')} held-out rows; peak resident memory {peak:.2f} GiB")
PY
  stop_server
  log "raw output in $OUT_DIR"
}

main "$@"
