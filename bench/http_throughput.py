"""Requests per second a running Lode answers on one URL, from a few client threads.

    .venv/bin/python bench/http_throughput.py http://127.0.0.1:8765/ --seconds 10 --threads 8

Standard library only (urllib over loopback, keep-alive off, as a proxy's fresh request
would be). Prints completed requests, throughput, latency percentiles and errors. Used for
the gunicorn worker-count figures in docs/scaling.md; the client itself uses one core, so
on a small machine it competes with the server it measures.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
import urllib.error
import urllib.request


def run(url: str, seconds: float, threads: int, host: str | None) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds
    headers = {"Host": host} if host else {}

    def worker() -> None:
        mine: list[float] = []
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                request = urllib.request.Request(url, headers=headers)  # noqa: S310
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                    response.read()
                    if response.status != 200:
                        raise urllib.error.HTTPError(url, response.status, "", None, None)
            except Exception as error:
                with lock:
                    errors.append(type(error).__name__)
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return 1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))]

    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 1),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(pct(0.50), 1) if latencies else None,
        "p95_ms": round(pct(0.95), 1) if latencies else None,
        "mean_ms": round(1000 * statistics.fmean(latencies), 1) if latencies else None,
        "errors": len(errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--host", help="Host header, when the URL's host is not allowed")
    args = parser.parse_args()
    if args.warmup:
        run(args.url, args.warmup, args.threads, args.host)
    print(run(args.url, args.seconds, args.threads, args.host))


if __name__ == "__main__":
    main()
