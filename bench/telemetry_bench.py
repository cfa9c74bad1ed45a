#!/usr/bin/env python3
"""Measurements for bench/telemetry.sh against a running Trainyard server (standard library only).

  ingest   --points metric points POSTed to /api/jobs/{id}/metrics in batches of 1,000 from
           --threads clients (bodies built before the clock starts): points accepted per second
  read     the resulting series read --reads times with max_points=1000: latency p50/p99
  markers  a job printing --marker-lines '::trainyard metric m=I step=I' lines: how fast the server
           parses them into points, from the job's start to the last point stored
Writes the summary lines to --results.
"""

import argparse
import http.client
import json
import math
import sys
import threading
import time
from datetime import datetime

TARGET_INGEST = 200_000
TARGET_READ_MS = 100


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


class Client:
    def __init__(self, port, key):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.key = key

    def request(self, method, path, body=None, expect=(200,)):
        headers = {"X-API-KEY": self.key, "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
            if not isinstance(body, (bytes, bytearray)):
                body = json.dumps(body).encode()
        self.conn.request(method, path, body=body, headers=headers)
        resp = self.conn.getresponse()
        payload = resp.read()
        if resp.status not in expect:
            raise RuntimeError(f"{method} {path}: {resp.status} {payload[:300]!r}")
        return json.loads(payload) if payload else None


def pct(values, p):
    s = sorted(values)
    return s[max(1, math.ceil(p / 100 * len(s))) - 1]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100.0


def running_job(c, project, command):
    job = c.request("POST", "/api/jobs", {"project": project, "run_command": command, "expires": "30m",
                                          "cpu_cores": 1, "memory_gb": 1}, expect=(201,))
    deadline = time.time() + 60
    while time.time() < deadline:
        job = c.request("GET", f"/api/jobs/{job['id']}")
        if job["state"] == "RUNNING":
            return job
        if job["state"] in ("COMPLETED", "FAILED", "STOPPED", "EXPIRED", "LOST"):
            raise RuntimeError(f"job {job['id']} ended {job['state']} before it could be measured")
        time.sleep(0.05)
    raise RuntimeError("the job did not start within 60 s")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--server-pid", type=int, required=True)
    p.add_argument("--points", type=int, default=1_000_000)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--reads", type=int, default=30)
    p.add_argument("--marker-lines", type=int, default=1_000_000)
    p.add_argument("--timeout", type=int, default=600)
    p.add_argument("--results", required=True)
    a = p.parse_args()
    c = Client(a.port, a.key)
    out = []
    project = c.request("POST", "/api/projects", {"name": "bench-telemetry"}, expect=(201,))["id"]
    target = running_job(c, project, "sleep 1800")
    path = f"/api/jobs/{target['id']}/metrics"

    # --- ingest ---------------------------------------------------------------------------------
    batches = a.points // 1000
    warm = json.dumps([{"name": "warmup", "value": i * 0.5, "step": i} for i in range(1000)]).encode()
    for _ in range(50):  # the JIT compiles the ingest path before the clock starts
        c.request("POST", path, warm)
    bodies = [json.dumps([{"name": "loss", "value": math.sin((b * 1000 + i) / 500.0) + (b % 7) * 0.01,
                           "step": b * 1000 + i} for i in range(1000)]).encode() for b in range(min(batches, 64))]
    per_thread = [batches // a.threads + (1 if i < batches % a.threads else 0) for i in range(a.threads)]
    latencies, errors = [], []
    barrier = threading.Barrier(a.threads + 1)

    def worker(i):
        client = Client(a.port, a.key)
        try:
            barrier.wait()
            for n in range(per_thread[i]):
                t0 = time.perf_counter()
                client.request("POST", path, bodies[(i * 7919 + n) % len(bodies)])
                latencies.append((time.perf_counter() - t0) * 1000)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(a.threads)]
    for t in threads:
        t.start()
    cpu0 = cpu_seconds(a.server_pid)
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    cpu1 = cpu_seconds(a.server_pid)
    if errors:
        raise RuntimeError(f"{len(errors)} ingest clients failed, first: {errors[0]}")
    rate = batches * 1000 / wall
    stored = c.request("GET", f"{path}/loss?max_points=2")["total_points"]
    verdict = "PASS" if rate >= TARGET_INGEST else "MISS"
    log(f"ingest: {batches * 1000} points in {wall:.2f} s = {rate:,.0f} points/s")
    out.append(f"ingest:              {batches * 1000:,} points in batches of 1,000 from {a.threads} clients in "
               f"{wall:.2f} s = {rate:,.0f} points/s (POST p50 {pct(latencies, 50):.1f} ms, p99 "
               f"{pct(latencies, 99):.1f} ms; stored {stored:,}; server CPU {cpu1 - cpu0:.1f} s)  "
               f"[target >= {TARGET_INGEST:,} points/s: {verdict}]")

    # --- read -----------------------------------------------------------------------------------
    read_ms = []
    for _ in range(a.reads):
        t0 = time.perf_counter()
        series = c.request("GET", f"{path}/loss?max_points=1000")
        read_ms.append((time.perf_counter() - t0) * 1000)
    verdict = "PASS" if pct(read_ms, 50) <= TARGET_READ_MS else "MISS"
    out.append(f"read downsampled:    {series['total_points']:,} points -> {len(series['points'])} "
               f"(downsampled: {series['downsampled']}), p50 {pct(read_ms, 50):.1f} ms, p99 "
               f"{pct(read_ms, 99):.1f} ms over {a.reads} reads, client-side wall time  "
               f"[target <= {TARGET_READ_MS} ms: {verdict}]")

    # --- markers --------------------------------------------------------------------------------
    n = a.marker_lines
    job = running_job(c, project, f"seq 1 {n} | awk '{{print \"::trainyard metric m=\" $1 \" step=\" $1}}'")
    started = datetime.fromisoformat(job["started_at"].replace("Z", "+00:00")).timestamp()
    cpu0 = cpu_seconds(a.server_pid)
    deadline = time.time() + a.timeout
    count = 0
    while time.time() < deadline:
        count = c.request("GET", f"/api/jobs/{job['id']}/metrics/m?max_points=2")["total_points"]
        if count >= n:
            break
        time.sleep(0.05)
    done = time.time()
    cpu1 = cpu_seconds(a.server_pid)
    if count < n:
        raise RuntimeError(f"only {count} of {n} marker points after {a.timeout} s")
    ended = c.request("GET", f"/api/jobs/{job['id']}")
    finished = ended.get("finished_at")
    job_s = (datetime.fromisoformat(finished.replace("Z", "+00:00")).timestamp() - started) if finished else float("nan")
    out.append(f"marker parsing:      {n:,} marker lines -> {count:,} points stored {done - started:.2f} s after the "
               f"job started = {n / (done - started):,.0f} lines/s (the job itself ran {job_s:.2f} s; server CPU "
               f"from RUNNING on {cpu1 - cpu0:.1f} s)")
    c.request("POST", f"/api/jobs/{target['id']}/stop")
    with open(a.results, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
