#!/bin/sh
# Runs every fuzz target in turn for SECONDS each (default 1500).
# Usage (from the repository root): sh fuzz/scripts/run-all.sh [SECONDS]
set -u
for t in capture stream suite_list; do
    sh "$(dirname "$0")/run-one.sh" "$t" "${1:-1500}"
done
