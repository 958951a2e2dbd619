#!/usr/bin/env python3
"""The province dashboard's sums by a full scan in DuckDB, over the same raw values
the burst left in SQLite (exported by `phongtrao-bench burst` as DIR/values.csv).

    pip install duckdb
    python3 bench/duckdb_scan.py DIR/values.csv

Prints JSON: load time, and the median of 10 runs of the same GROUP BY as the
SQLite full scan (counted reports only, per indicator)."""
import json
import statistics
import sys
import time

import duckdb

path = sys.argv[1]
con = duckdb.connect()
t = time.perf_counter()
con.execute(
    "CREATE TABLE v AS SELECT * FROM read_csv(?, header = true, "
    "columns = {'unit_id': 'BIGINT', 'period_seq': 'BIGINT', 'status': 'VARCHAR', 'indicator_key': 'VARCHAR', 'value': 'BIGINT'})",
    [path],
)
load = time.perf_counter() - t
rows = con.execute("SELECT COUNT(*) FROM v").fetchone()[0]
runs = []
result = None
for _ in range(10):
    t = time.perf_counter()
    result = con.execute(
        "SELECT indicator_key, SUM(value) FROM v WHERE status IN ('submitted', 'accepted') GROUP BY indicator_key"
    ).fetchall()
    runs.append((time.perf_counter() - t) * 1000)
print(json.dumps({
    "duckdb": duckdb.__version__,
    "values": rows,
    "load_seconds": round(load, 3),
    "group_by_ms_median": round(statistics.median(runs), 2),
    "group_by_ms_min": round(min(runs), 2),
    "sums": {k: int(s) for k, s in sorted(result)},
}, indent=2))
