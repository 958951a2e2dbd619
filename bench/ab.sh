#!/bin/bash
# One build's national burst with the server in its own process, for comparing two
# builds back to back (docs/performance.md, "Round 4").
#
#   bench/ab.sh NAME BINDIR PORT [--burst-only]
#
# BINDIR holds that build's `phongtrao` and `phongtrao-bench` (target/release of a
# worktree). Prepares /tmp/ab-NAME (100,254 units, 40,000 submit week 1), starts the
# server on PORT, records a 12 s profile 20 s into the burst (perf), runs the burst
# from another process, then the pages (bench/page_times.py), the children's timings
# and the profile by kind of work. Results in /tmp/ab-NAME.out. --burst-only: the
# burst alone without its anchor (for repeated runs), one line on stdout, the data
# directory removed afterwards.
set -u
N=$1; B=$2; P=$3; ONLY=${4:-}
HERE=$(cd "$(dirname "$0")" && pwd)
D=/tmp/ab-$N
export PHONGTRAO_SQLITE_CONNECTIONS=${PHONGTRAO_SQLITE_CONNECTIONS:-4}
rm -rf "$D"
"$B/phongtrao-bench" prepare --data-dir "$D" --units 40000 > "$D.prep" 2>&1
"$B/phongtrao" serve --data-dir "$D" --bind "127.0.0.1:$P" --now 2023-03-03T07:00:00+00:00 > "$D.srv" 2>&1 &
SP=$!
sleep 15
L1=$(cut -d' ' -f1 /proc/loadavg)
if [ "$ONLY" = "--burst-only" ]; then
  "$B/phongtrao-bench" burst --data-dir "$D" --external "http://127.0.0.1:$P" --server-pid $SP --units 40000 --concurrency 64 --anchor-reports 0 > "$D.out" 2>&1
  L2=$(cut -d' ' -f1 /proc/loadavg)
  kill $SP; sleep 1; rm -rf "$D"
  echo "$N $(date +%H:%M) load $L1-$L2 $(grep -E '"(submissions_per_second|cpu_ms_per_submission|errors|acknowledged_missing)"' "$D.out" | tr -s ' ' | tr '\n' ' ')"
  exit 0
fi
echo "load before: $(cat /proc/loadavg)" > "$D.out"
(sleep 20; perf record -F 499 -g -p $SP -o "$D.perf" -- sleep 12 > /dev/null 2>&1) &
"$B/phongtrao-bench" burst --data-dir "$D" --external "http://127.0.0.1:$P" --server-pid $SP --units 40000 --concurrency 64 >> "$D.out" 2>&1
echo "load after: $(cat /proc/loadavg)" >> "$D.out"
PW=$("$B/phongtrao" user add perf --role admin --data-dir "$D" 2>&1 | sed -n 's/.*one-time password: //p')
python3 "$HERE/page_times.py" "http://127.0.0.1:$P" perf "$PW" /dashboard "/dashboard?unit=QG-001" /api/v1/progress /api/v1/ranking >> "$D.out" 2>&1
kill $SP; sleep 2
"$B/phongtrao-bench" children --data-dir "$D" >> "$D.out" 2>&1
perf report -i "$D.perf" --no-children -g none --sort symbol 2>/dev/null | python3 "$HERE/perf_categories.py" >> "$D.out" 2>&1
echo "done: $D.out"
