#!/bin/sh
# Runs one fuzz target for SECONDS (default 1500), logging to fuzz/logs/<target>.log.
# Usage (from the repository root): sh fuzz/scripts/run-one.sh TARGET [SECONDS]
set -u
cd "$(dirname "$0")/.."
t=$1
secs=${2:-1500}
case $t in
    suite_list) max_len=4096 ;;
    *) max_len=65536 ;;
esac
mkdir -p logs "corpus/$t"
cargo +nightly fuzz run "$t" "corpus/$t" -a -- \
    -dict="dict/$t.dict" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -max_len="$max_len" -print_final_stats=1 > "logs/$t.log" 2>&1
echo "$t: exit $?" >> logs/summary.txt
