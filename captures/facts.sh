#!/usr/bin/env bash
# Regenerate captures/facts.json from the capture files with tshark/capinfos.
# Called at the end of regen.sh; safe to run alone (no root needed).
set -euo pipefail
CAPDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
/usr/bin/python3 "$CAPDIR/tools/facts.py" "$CAPDIR" "$CAPDIR/facts.json.tmp"
mv "$CAPDIR/facts.json.tmp" "$CAPDIR/facts.json"
echo "wrote $CAPDIR/facts.json" >&2
/usr/bin/python3 "$CAPDIR/tools/readme.py" "$CAPDIR/facts.json" "$CAPDIR/README.md"
echo "wrote $CAPDIR/README.md" >&2
