#!/usr/bin/env python3
"""Measurements for bench/jobs.sh against a running Trainyard server (standard library only).

Parts, in this order:
  starts   N short jobs ("true") submitted from T client threads: submit throughput, then
           submit->RUNNING latency and job starts per second from each job's transitions
  paced    short jobs from one client at a steady, low rate: submit->RUNNING when the
           server is not saturated
  burst    N more queued behind a blocker job that holds every core, released at once by
           stopping it: the start rate when submission is not the limit
  follow   one job printing its own nanosecond clock every ~50 ms, followed over SSE:
           receive time - printed time per line
  capture  one job writing BENCH_LOG_BYTES (1 GiB) to stdout: how fast the job could write
           it, and how long until the log was complete and indexed
Progress goes to stderr; the result lines ("key=value" records, one per figure) go to the
file named by --results, raw per-job data to --out. bench/jobs.sh prints the summary.
"""

import argparse
import http.client
import json
import math
import os
import sys
import threading
import time
from datetime import datetime

KEY = None
HOST = None
PORT = None


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


class Client:
    """One keep-alive HTTP/1.1 connection with the API key."""

    def __init__(self, timeout=60):
        self.timeout = timeout
        self.conn = None

    def request(self, method, path, body=None, expect=(200,)):
        data = None if body is None else json.dumps(body).encode()
        headers = {"X-API-KEY": KEY, "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, PORT, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                payload = resp.read()
                break
            except (http.client.HTTPException, ConnectionError, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2 or method != "GET":
                    raise
        if resp.status not in expect:
            raise RuntimeError(f"{method} {path}: {resp.status} {payload[:300]!r}")
        return json.loads(payload) if payload else None

    def close(self):
        if self.conn is not None:
            self.conn.close()


def parse_ts(text):
    """RFC 3339 with millis ('2026-11-23T04:41:37.310Z') -> seconds since the epoch (float)."""
    if text is None:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def pct(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    s = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(s)))
    return s[rank - 1]


def cpu_snapshot(pid):
    """CPU seconds so far: (server JVM itself, job process machinery, machine busy, machine all).

    The job process machinery is the server's reaped children (shell wrappers and what they waited
    for, helper processes such as setpriv/kill) plus its live children with everything they reaped
    in turn: the resident perl launcher, its job wrappers and the jobs' own processes.
    """
    tick = os.sysconf("SC_CLK_TCK")
    own = children = 0.0
    if pid:
        fields = stat_fields(pid)
        own = (int(fields[11]) + int(fields[12])) / tick
        children = (int(fields[13]) + int(fields[14])) / tick
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    child = stat_fields(entry)
                except OSError:
                    continue
                if child[1] == str(pid):
                    children += sum(int(x) for x in child[11:15]) / tick
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    idle = cpu[3] + cpu[4]  # idle + iowait
    total = sum(cpu[:8])  # without guest time, which is already in user
    return own, children, (total - idle) / tick, total / tick


def stat_fields(pid):
    """Fields of /proc/PID/stat after the command name: [0] is the state, [1] the parent pid."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def cpu_figures(prefix, before, after, results):
    """Adds <prefix>_server_cpu_s, _jobs_cpu_s and _machine_busy (percent of all cores)."""
    results[f"{prefix}_server_cpu_s"] = f"{after[0] - before[0]:.1f}"
    results[f"{prefix}_jobs_cpu_s"] = f"{after[1] - before[1]:.1f}"
    span = after[3] - before[3]
    results[f"{prefix}_machine_busy"] = f"{100 * (after[2] - before[2]) / span:.0f}" if span > 0 else "?"


def submit(client, project, command, cores=1, memory_gb=0.01):
    return client.request(
        "POST",
        "/api/jobs",
        {"project": project, "run_command": command, "cpu_cores": cores, "memory_gb": memory_gb},
        expect=(201,),
    )


def count(client, project, status):
    return client.request("GET", f"/api/jobs?project={project}&status={status}&take=1")["total"]


TERMINAL_OTHER = ("failed", "stopped", "expired", "lost")


def wait_all_ended(client, project, n, timeout):
    """Polls until n jobs of the project ended; returns (completed, otherwise ended).

    Counts completed jobs every 200 ms and the other terminal states once a second, so the
    polling itself stays a small load (the figures come from the jobs' own timestamps anyway).
    """
    deadline = time.time() + timeout
    last_log = time.time()
    last_other = 0.0
    other = 0
    while True:
        done = count(client, project, "completed")
        if done < n and time.time() - last_other >= 1:
            other = sum(count(client, project, s) for s in TERMINAL_OTHER)
            last_other = time.time()
        if done + other >= n:
            return done, other
        if time.time() > deadline:
            raise RuntimeError(f"only {done} completed and {other} otherwise ended of {n} after {timeout} s")
        if time.time() - last_log > 5:
            log(f"  {done} completed, {other} otherwise ended of {n} ...")
            last_log = time.time()
        time.sleep(0.2)


def transition_at(job, to):
    for t in job.get("transitions", []):
        if t["to"] == to:
            return parse_ts(t["at"])
    return None


def submit_batch(project, n, threads, command="true", cores=1):
    """Submits n jobs from `threads` client threads, as fast as they can.

    Returns (submissions [(job id, sent, answered)], start time, wall seconds, POST latencies ms).
    """
    per_thread = [n // threads + (1 if i < n % threads else 0) for i in range(threads)]
    submitted = [[] for _ in range(threads)]
    errors = []
    barrier = threading.Barrier(threads + 1)

    def worker(i):
        client = Client()
        try:
            client.request("GET", "/healthz")  # open the connection before the clock starts
            barrier.wait()
            for _ in range(per_thread[i]):
                t0 = time.time()
                job = submit(client, project, command, cores=cores)
                submitted[i].append((job["id"], t0, time.time()))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))
            barrier.abort()
        finally:
            client.close()

    log(f"submitting {n} jobs from {threads} client threads ...")
    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    barrier.wait()
    t_start = time.time()
    for w in workers:
        w.join()
    wall = time.time() - t_start
    if errors:
        raise RuntimeError(f"{len(errors)} client threads failed, first: {errors[0]}")
    subs = [s for part in submitted for s in part]
    post_ms = [(b - a) * 1000 for _, a, b in subs]
    return subs, t_start, wall, post_ms


# --- part 1 and 2: submit throughput and start latency -----------------------------------------

def bench_starts(args, results, out):
    c = Client()
    warm = c.request("POST", "/api/projects", {"name": "bench-warmup"}, expect=(201,))["id"]
    if args.warmup_jobs > 0:
        # Submitted the way the measured batch is, so the JIT has compiled the paths it takes: the
        # figures are a warm server's, not the first seconds of a fresh JVM.
        log(f"warm-up: {args.warmup_jobs} jobs from {args.threads} client threads (not counted) ...")
        submit_batch(warm, args.warmup_jobs, args.threads)
        wait_all_ended(c, warm, args.warmup_jobs, args.timeout)
    project = c.request("POST", "/api/projects", {"name": "bench-starts"}, expect=(201,))["id"]

    n = args.jobs
    cpu0 = cpu_snapshot(args.server_pid)
    subs, t_start, wall, post_ms = submit_batch(project, n, args.threads)
    log(f"submitted {len(subs)} jobs in {wall:.2f} s; waiting for all to end ...")
    done, other = wait_all_ended(c, project, n, args.timeout)
    t_all_ended_seen = time.time()
    cpu1 = cpu_snapshot(args.server_pid)

    log("fetching every job's transitions ...")
    jobs = []
    for job_id, _, _ in subs:
        jobs.append(c.request("GET", f"/api/jobs/{job_id}"))
    with open(os.path.join(out, "starts-jobs.jsonl"), "w") as f:
        for (job_id, t0, t1), job in zip(subs, jobs):
            f.write(json.dumps({"client_sent": t0, "client_answered": t1, "job": job}) + "\n")

    created = [parse_ts(j["created_at"]) for j in jobs]
    starting = [transition_at(j, "STARTING") for j in jobs]
    running = [transition_at(j, "RUNNING") for j in jobs]
    finished = [parse_ts(j["finished_at"]) for j in jobs]
    ran = [(r, cr, st) for r, cr, st in zip(running, created, starting) if r is not None]
    lat = [(r - cr) * 1000 for r, cr, _ in ran]
    queue_ms = [(st - cr) * 1000 for r, cr, st in ran if st is not None]
    launch_ms = [(r - st) * 1000 for r, cr, st in ran if st is not None]
    run_times = sorted(r for r, _, _ in ran)
    span = run_times[-1] - run_times[0] if len(run_times) > 1 else 0
    states = {}
    for j in jobs:
        states[j["state"]] = states.get(j["state"], 0) + 1

    results.update({
        "submit_jobs": n,
        "submit_threads": args.threads,
        "submit_wall_s": f"{wall:.2f}",
        "submit_rate": f"{n / wall:.1f}",
        "submit_post_p50_ms": f"{pct(post_ms, 50):.1f}",
        "submit_post_p99_ms": f"{pct(post_ms, 99):.1f}",
        "start_n": len(lat),
        "start_p50_ms": f"{pct(lat, 50):.0f}",
        "start_p99_ms": f"{pct(lat, 99):.0f}",
        "start_max_ms": f"{max(lat):.0f}",
        "start_queue_p50_ms": f"{pct(queue_ms, 50):.0f}",
        "start_queue_p99_ms": f"{pct(queue_ms, 99):.0f}",
        "start_launch_p50_ms": f"{pct(launch_ms, 50):.0f}",
        "start_launch_p99_ms": f"{pct(launch_ms, 99):.0f}",
        "starts_span_s": f"{span:.2f}",
        "starts_rate": f"{(len(run_times) / span) if span > 0 else 0:.1f}",
        "states": " ".join(f"{k}={v}" for k, v in sorted(states.items())),
        "all_ended_s": f"{max(f for f in finished if f) - t_start:.2f}",
        "all_ended_server_s": f"{max(f for f in finished if f) - min(created):.2f}",
        "all_ended_seen_s": f"{t_all_ended_seen - t_start:.2f}",
        "completed": done,
        "not_completed": other,
    })
    cpu_figures("starts", cpu0, cpu1, results)
    log(f"starts: p50 {results['start_p50_ms']} ms, p99 {results['start_p99_ms']} ms, "
        f"{results['starts_rate']} starts/s, states {results['states']}")
    c.close()


# --- part 2a: the same short jobs, one at a time at a steady pace ---------------------------------

def bench_paced(args, results, out):
    """Submit->RUNNING of a server that is not saturated: one client, a job every 1/rate s."""
    c = Client()
    project = c.request("POST", "/api/projects", {"name": "bench-paced"}, expect=(201,))["id"]
    n, rate = args.paced_jobs, args.paced_rate
    log(f"paced: {n} jobs, one every {1000 / rate:.0f} ms from one client ...")
    ids = []
    t0 = time.time()
    for i in range(n):
        delay = t0 + i / rate - time.time()
        if delay > 0:
            time.sleep(delay)
        ids.append(submit(c, project, "true")["id"])
    wait_all_ended(c, project, n, args.timeout)
    jobs = [c.request("GET", f"/api/jobs/{job_id}") for job_id in ids]
    with open(os.path.join(out, "paced-jobs.jsonl"), "w") as f:
        for job in jobs:
            f.write(json.dumps({"job": job}) + "\n")
    lat, queue_ms, launch_ms = [], [], []
    for j in jobs:
        created, st, run = parse_ts(j["created_at"]), transition_at(j, "STARTING"), transition_at(j, "RUNNING")
        if run is None or st is None:
            continue
        lat.append((run - created) * 1000)
        queue_ms.append((st - created) * 1000)
        launch_ms.append((run - st) * 1000)
    results.update({
        "paced_n": len(lat),
        "paced_rate": f"{rate:g}",
        "paced_p50_ms": f"{pct(lat, 50):.0f}",
        "paced_p99_ms": f"{pct(lat, 99):.0f}",
        "paced_max_ms": f"{max(lat):.0f}",
        "paced_queue_p50_ms": f"{pct(queue_ms, 50):.0f}",
        "paced_launch_p50_ms": f"{pct(launch_ms, 50):.0f}",
    })
    log(f"paced: submit->RUNNING p50 {results['paced_p50_ms']} ms, p99 {results['paced_p99_ms']} ms")
    c.close()


# --- part 2b: a burst of queued jobs released at once ----------------------------------------------

def bench_burst(args, results, out):
    """N jobs queued behind a blocker holding every core, then released together by stopping it.

    Separates the start pipeline (scheduler, launch, RUNNING) from the submission rate: in the
    starts part jobs can start only as fast as they are submitted. Also gives the submission rate
    while nothing is being started.
    """
    c = Client()
    project = c.request("POST", "/api/projects", {"name": "bench-burst"}, expect=(201,))["id"]
    # Ask for every core the server offers, so no other job fits until it ends.
    blocker = submit(c, project, "exec sleep 600", cores=args.capacity_cores)
    blocker_id = blocker["id"]
    deadline = time.time() + 60
    while c.request("GET", f"/api/jobs/{blocker_id}")["state"] != "RUNNING":
        if time.time() > deadline:
            raise RuntimeError(f"burst: blocker {blocker_id} did not reach RUNNING")
        time.sleep(0.05)
    n = args.jobs
    subs, _, wall, post_ms = submit_batch(project, n, args.threads)
    log(f"burst: {n} jobs queued in {wall:.2f} s behind blocker {blocker_id}; waiting 2 s, then releasing ...")
    time.sleep(2)  # let the scheduler settle the pending reasons, so the release is all that moves
    queued = count(c, project, "queued")
    if queued != n:
        raise RuntimeError(f"burst: {queued} of {n} jobs queued before the release (expected all)")
    cpu0 = cpu_snapshot(args.server_pid)
    t_release = time.time()
    c.request("POST", f"/api/jobs/{blocker_id}/stop")
    done, other = wait_all_ended(c, project, n + 1, args.timeout)
    cpu1 = cpu_snapshot(args.server_pid)
    blocker = c.request("GET", f"/api/jobs/{blocker_id}")
    released = parse_ts(blocker["finished_at"])
    jobs = [c.request("GET", f"/api/jobs/{job_id}") for job_id, _, _ in subs]
    with open(os.path.join(out, "burst-jobs.jsonl"), "w") as f:
        f.write(json.dumps({"blocker": blocker, "client_release": t_release}) + "\n")
        for job in jobs:
            f.write(json.dumps({"job": job}) + "\n")
    running = sorted(t for t in (transition_at(j, "RUNNING") for j in jobs) if t is not None)
    starting = [t for t in (transition_at(j, "STARTING") for j in jobs) if t is not None]
    lat = [(t - released) * 1000 for t in running]
    span = running[-1] - running[0] if len(running) > 1 else 0
    finished = max(parse_ts(j["finished_at"]) for j in jobs if j["finished_at"])
    states = {}
    for j in jobs:
        states[j["state"]] = states.get(j["state"], 0) + 1
    results.update({
        "burst_submit_wall_s": f"{wall:.2f}",
        "burst_submit_rate": f"{n / wall:.1f}",
        "burst_post_p50_ms": f"{pct(post_ms, 50):.1f}",
        "burst_post_p99_ms": f"{pct(post_ms, 99):.1f}",
        "burst_n": len(running),
        "burst_p50_ms": f"{pct(lat, 50):.0f}",
        "burst_p99_ms": f"{pct(lat, 99):.0f}",
        "burst_max_ms": f"{max(lat):.0f}",
        "burst_first_ms": f"{min(lat):.0f}",
        "burst_span_s": f"{span:.2f}",
        "burst_starting_span_s": f"{max(starting) - released:.2f}",
        # From the release, not from the first RUNNING: the time to the first start counts too.
        "burst_rate": f"{(len(running) / (running[-1] - released)) if running[-1] > released else 0:.1f}",
        "burst_all_ended_s": f"{finished - released:.2f}",
        "burst_states": " ".join(f"{k}={v}" for k, v in sorted(states.items())),
    })
    cpu_figures("burst", cpu0, cpu1, results)
    log(f"burst: {results['burst_rate']} starts/s, release->RUNNING p50 {results['burst_p50_ms']} ms, "
        f"max {results['burst_max_ms']} ms, states {results['burst_states']}")
    c.close()


# --- part 4: follow latency ------------------------------------------------------------------------

def bench_follow(args, results, out):
    c = Client()
    project = c.request("POST", "/api/projects", {"name": "bench-follow"}, expect=(201,))["id"]
    # sleep 1 first: the follower attaches while the job is still queued or starting, so the
    # measured lines are all printed while the job runs and the follower waits on its index.
    command = (f"sleep 1; for i in $(seq 1 {args.follow_lines}); do date +%s%N; "
               f"sleep {args.follow_interval}; done")
    job = submit(c, project, command)
    job_id = job["id"]
    log(f"follow: job {job_id} prints {args.follow_lines} timestamps, following over SSE ...")

    conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
    conn.request("GET", f"/api/jobs/{job_id}/logs?follow=true",
                 headers={"X-API-KEY": KEY, "Accept": "text/event-stream"})
    resp = conn.getresponse()
    if resp.status != 200:
        raise RuntimeError(f"follow: {resp.status} {resp.read()[:300]!r}")
    samples = []  # (printed_ns, server_time_s, received_ns, line)
    ended = False
    event = None
    with open(os.path.join(out, "follow-events.txt"), "w") as raw:
        while True:
            line = resp.readline()
            now = time.time_ns()
            if not line:
                break
            text = line.decode().rstrip("\n")
            raw.write(f"{now} {text}\n")
            if text.startswith("event:"):
                event = text[6:].strip()
                if event == "end":
                    ended = True
            elif text.startswith("data:") and event == "line":
                data = json.loads(text[5:])
                if data["text"].strip().isdigit():
                    samples.append((int(data["text"].strip()), parse_ts(data["time"]), now, data["line"]))
            elif text == "" and ended:
                break
    conn.close()
    if not samples:
        raise RuntimeError("follow: no timestamp lines received")
    lat = [(r - p) / 1e6 for p, _, r, _ in samples]
    indexed = [(s * 1e9 - p) / 1e6 for p, s, _, _ in samples]  # server's line time has ms precision
    delivered = [(r - s * 1e9) / 1e6 for _, s, r, _ in samples]
    results.update({
        "follow_lines": len(samples),
        "follow_expected": args.follow_lines,
        "follow_ended": "yes" if ended else "no",
        "follow_p50_ms": f"{pct(lat, 50):.1f}",
        "follow_p99_ms": f"{pct(lat, 99):.1f}",
        "follow_max_ms": f"{max(lat):.1f}",
        "follow_indexed_p50_ms": f"{pct(indexed, 50):.1f}",
        "follow_delivered_p50_ms": f"{pct(delivered, 50):.1f}",
    })
    log(f"follow: {len(samples)} lines, p50 {results['follow_p50_ms']} ms, p99 {results['follow_p99_ms']} ms")
    c.close()


# --- part 3: log capture ---------------------------------------------------------------------------

def bench_capture(args, results, out):
    c = Client()
    project = c.request("POST", "/api/projects", {"name": "bench-capture"}, expect=(201,))["id"]
    size, width = args.log_bytes, args.line_chars
    line = "x" * width
    command = f"yes {line} | head -c {size}"
    # Lines the job writes: whole lines of width+1 bytes, plus a last partial one if any, plus the
    # executor's own "[trainyard] job ... runs on host ..." line at the start of stdout.
    job_lines = size // (width + 1) + (1 if size % (width + 1) else 0)
    expected = job_lines + 1
    cpu0 = cpu_snapshot(args.server_pid)
    t_submit = time.time()
    job = submit(c, project, command, memory_gb=1)
    job_id = job["id"]
    log(f"capture: job {job_id} writes {size} bytes ({job_lines} lines of {width} chars) ...")

    # Poll the last expected line until the log says it is complete.
    t_complete = None
    state = None
    last_log = 0
    deadline = time.time() + args.timeout
    while time.time() < deadline:
        page = c.request("GET", f"/api/jobs/{job_id}/logs?offset={expected - 1}&limit=1")
        if page["complete"]:
            t_complete = time.time()
            break
        if time.time() - last_log > 5:
            st = c.request("GET", f"/api/jobs/{job_id}")
            state = st["state"]
            log(f"  job {state}, log not complete yet ...")
            last_log = time.time()
        time.sleep(0.05)
    if t_complete is None:
        raise RuntimeError(f"capture: log of {job_id} not complete after {args.timeout} s")
    cpu1 = cpu_snapshot(args.server_pid)
    job = c.request("GET", f"/api/jobs/{job_id}")
    tail = c.request("GET", f"/api/jobs/{job_id}/logs?offset={expected - 2}&limit=10")
    next_offset = tail["next_offset"]
    last = tail["lines"][-1] if tail["lines"] else None
    with open(os.path.join(out, "capture-job.json"), "w") as f:
        json.dump({"job": job, "tail": tail, "expected_lines": expected}, f, indent=1)
    started = parse_ts(job["started_at"])
    finished = parse_ts(job["finished_at"])
    run_s = finished - started
    capture_s = t_complete - started
    # What the job wrote to stdout.log on disk (includes the executor's first line).
    stdout_bytes = None
    if args.data:
        path = os.path.join(args.data, "jobs", job_id, "stdout.log")
        if os.path.exists(path):
            stdout_bytes = os.path.getsize(path)
    expected_last_text = line[: size % (width + 1)] if size % (width + 1) else line
    ok = (job["state"] == "COMPLETED" and next_offset == expected and last is not None
          and last["line"] == expected - 1 and last["text"] == expected_last_text)
    results.update({
        "capture_bytes": size,
        "capture_state": job["state"],
        "capture_lines": next_offset,
        "capture_expected_lines": expected,
        "capture_lines_ok": "ok" if ok else "WRONG",
        "capture_stdout_bytes": stdout_bytes if stdout_bytes is not None else "?",
        "capture_run_s": f"{run_s:.2f}",
        "capture_write_mbs": f"{size / run_s / 1e6:.0f}",
        "capture_complete_s": f"{capture_s:.2f}",
        "capture_after_end_s": f"{t_complete - finished:.2f}",
        "capture_mbs": f"{size / capture_s / 1e6:.0f}",
        "capture_mibs": f"{size / capture_s / 2**20:.0f}",
        "capture_queue_ms": f"{(started - parse_ts(job['created_at'])) * 1000:.0f}",
        "capture_job_id": job_id,
    })
    cpu_figures("capture", cpu0, cpu1, results)
    log(f"capture: job ran {run_s:.2f} s, log complete {capture_s:.2f} s after start "
        f"({results['capture_mbs']} MB/s), lines {next_offset}/{expected}")
    c.close()


def main():
    global KEY, HOST, PORT
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--results", required=True)
    p.add_argument("--data", default=None, help="the server's data folder (to size stdout.log)")
    p.add_argument("--server-pid", type=int, default=0)
    p.add_argument("--jobs", type=int, default=1000)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--warmup-jobs", type=int, default=500)
    p.add_argument("--log-bytes", type=int, default=1 << 30)
    p.add_argument("--line-chars", type=int, default=99)
    p.add_argument("--follow-lines", type=int, default=200)
    p.add_argument("--follow-interval", default="0.05")
    p.add_argument("--paced-jobs", type=int, default=100)
    p.add_argument("--paced-rate", type=float, default=10.0, help="jobs per second in the paced part")
    p.add_argument("--timeout", type=int, default=600)
    p.add_argument("--capacity-cores", type=int, default=1000, help="the server's --job-cpus")
    p.add_argument("--parts", default="starts,paced,burst,follow,capture")
    args = p.parse_args()
    KEY, HOST, PORT = args.key, args.host, args.port

    results = {}
    parts = args.parts.split(",")
    try:
        if "starts" in parts:
            bench_starts(args, results, args.out)
        if "paced" in parts:
            bench_paced(args, results, args.out)
        if "burst" in parts:
            bench_burst(args, results, args.out)
        if "follow" in parts:
            bench_follow(args, results, args.out)
        if "capture" in parts:
            bench_capture(args, results, args.out)
    finally:
        with open(args.results, "w") as f:
            for k, v in results.items():
                f.write(f"{k}={v}\n")


if __name__ == "__main__":
    main()
