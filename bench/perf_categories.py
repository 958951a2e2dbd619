#!/usr/bin/env python3
"""Shares of CPU samples by kind of work, from `perf report --no-children -g none
--sort symbol` output on stdin (a flat profile of the burst: `perf record -F 499 -p
PID`). Usage: perf report -i perf.data --no-children -g none --sort symbol | python3
bench/perf_categories.py"""
import re
import sys

KINDS = [
    ("kernel: scheduling, futex wake-ups", r"\[k\] (finish_task_switch|_raw_spin_unlock|__schedule|try_to_wake|irqentry|schedule|futex)"),
    ("kernel: other (network, files, syscalls)", r"\[k\]"),
    ("SQLite", r"\] (sqlite3|pcache|btree|vdbe|wal|pager|getCellInfo|lengthFunc|sqlite|moveTo|balance|insertCell|accessPayload|json|memjrnl|unixRead|unixWrite)"),
    ("malloc / free / memcpy", r"\] (_mi_|mi_|malloc|_int_malloc|_int_free|cfree|free|realloc|malloc_consolidate|unlink_chunk|__memmove|__memcpy|__memset|__memcmp|__rustc::__rdl)"),
    ("JSON (serde)", r"serde"),
    ("HTTP server (axum, hyper, tower, middleware)", r"(axum|hyper|tower|http::|h2::|tower_http|axum_login|tower_sessions)"),
    ("async runtime, channels (tokio, flume, futures)", r"(tokio|flume|futures|parking|std::thread|syscall|pthread|__GI___pthread|std::sys)"),
    ("load generator (reqwest, bench)", r"(reqwest|phongtrao_bench|url::)"),
    ("sqlx", r"sqlx"),
    ("phongtrao (domain, storage, web)", r"phongtrao"),
    ("tracing", r"tracing"),
]
total = {}
for line in sys.stdin:
    m = re.match(r"\s*([\d.]+)%\s+(.*)", line)
    if not m:
        continue
    pct, sym = float(m.group(1)), m.group(2)
    for name, pattern in KINDS:
        if re.search(pattern, sym):
            total[name] = total.get(name, 0) + pct
            break
    else:
        total["other"] = total.get("other", 0) + pct
for name, pct in sorted(total.items(), key=lambda kv: -kv[1]):
    print(f"{pct:6.1f}%  {name}")
