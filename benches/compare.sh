#!/usr/bin/env bash
# End-to-end comparison of tlsdiag with the anchor tools of ../shared/bench
# (tshark, ssldump, and pcap-analyzer when PCAP_ANALYZER names its binary), on
# the same files in one run. Prints a Markdown report on stdout.
#
#   benches/compare.sh [SCRATCH]          (default SCRATCH=/tmp/bench)
#
# 1. builds the release binary;
# 2. generates, unless already present in SCRATCH, the bulk-heavy workload with
#    the shared generator (../shared/bench/make-workload.sh) and the
#    handshake-dense one (benches/make-dense-workload.sh) — data never goes
#    into the repository;
# 3. per file: warms the page cache, then runs every tool RUNS times
#    (RUNS_SLOW times for tshark) single-threaded with its output to
#    /dev/null, under `/usr/bin/time -f '%e %U %S %M'`; reports the median
#    wall, median CPU, MB/s (10^6 bytes of capture file per second),
#    handshakes/s (tshark's ClientHello count for the file), the largest peak
#    RSS, how many times faster tlsdiag is than each tool, and whether
#    tlsdiag's ClientHello / ServerHello / alert counts (frames, read from its
#    NDJSON) equal tshark's;
# 4. memory: 100 MiB vs 1 GiB, file vs stdin;
# 5. startup: a one-packet capture under hyperfine;
# 6. scan -j1 vs -j2 over 16 captures (bench-1g.pcap cut in 16 with editcap).
#
# Commands (F = capture file):
#   tlsdiag   target/release/tlsdiag analyze --format ndjson F
#   tshark    tshark -r F -Y 'tls.handshake.type==1 || tls.handshake.type==2 || tls.alert_message'
#               -T fields -e frame.number -e tcp.stream -e tls.handshake.type
#               -e tls.handshake.ciphersuite -e tls.alert_message.desc -e tls.record.content_type
#             (the anchor command plus the record content type, so alert frames,
#             encrypted ones included, can be counted from the same run)
#   ssldump   ssldump -n -r F
#   pcap-analyzer   $PCAP_ANALYZER -j 1 -p TlsStats -o DIR F
# A missing tool is reported in the table, never fatal.
#
# Knobs: RUNS (5), RUNS_SLOW (1; tshark takes ~25 s per GiB), SCAN_RUNS (15), FILES (space-separated
# names inside SCRATCH; default all five), SKIP_EXTRAS=1 (only the main table),
# PCAP_ANALYZER, SHARED (the shared generator), CARGO_TARGET_DIR (where the
# release binary is built).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
OUT="${1:-/tmp/bench}"
RUNS="${RUNS:-5}"
RUNS_SLOW="${RUNS_SLOW:-1}"
SCAN_RUNS="${SCAN_RUNS:-15}"
FILES="${FILES:-bench-100m.pcap bench-1g.pcap bench-1g.pcapng dense.pcap dense.pcapng}"
SHARED="${SHARED:-$ROOT/../shared/bench/make-workload.sh}"
TLSDIAG="${CARGO_TARGET_DIR:-$ROOT/target}/release/tlsdiag"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

log() { echo "compare.sh: $*" >&2; }

log "building release"
(cd "$ROOT" && cargo build --release --quiet)

mkdir -p "$OUT"
if [[ ! -s "$OUT/bench-1g.pcapng" ]]; then
  log "generating the bulk-heavy workload in $OUT"
  bash "$SHARED" "$OUT" >&2
fi
if [[ ! -s "$OUT/dense.pcapng" ]]; then
  log "generating the handshake-dense workload in $OUT"
  SHARED="$SHARED" bash "$HERE/make-dense-workload.sh" "$OUT" >&2
fi

have() { command -v "$1" >/dev/null 2>&1; }
TSHARK_FILTER='tls.handshake.type==1 || tls.handshake.type==2 || tls.alert_message'

# run LABEL OUTFILE CMD... : one timed run; appends "wall cpu rss_kib" to $TMP/LABEL
run() {
  local label=$1 out=$2
  shift 2
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -f '%e %U %S %M' -o "$TMP/time" "$@" > "$out" 2>/dev/null || true
  t1=$(date +%s%N)
  # (time writes "Command exited with non-zero status N" first when it did: last line only)
  tail -n 1 "$TMP/time" | awk -v w="$(( (t1 - t0) / 1000 ))" \
    '{ printf "%.6f %.3f %d\n", w / 1e6, $2 + $3, $4 }' >> "$TMP/$label"
}
# stats LABEL -> "median_wall median_cpu max_rss_kib"
stats() {
  sort -n -k1 "$TMP/$1" | awk '{ w[NR] = $1; c[NR] = $2; if ($3 > m) m = $3 }
    END { i = int((NR + 1) / 2); print w[i], c[i], m }'
}
median_of() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# tshark field output -> "clienthellos serverhellos alerts" (frames)
count_tshark() {
  awk -F'\t' '{ n = split($3, t, ","); ch = sh = 0
      for (i = 1; i <= n; i++) { if (t[i] == "1") ch = 1; if (t[i] == "2") sh = 1 }
      m = split($6, c, ","); al = 0
      for (i = 1; i <= m; i++) if (c[i] == "21") al = 1
      CH += ch; SH += sh; AL += al }
    END { print CH + 0, SH + 0, AL + 0 }' "$1"
}
# tlsdiag NDJSON -> "clienthellos serverhellos alerts" (frames, as tshark counts them)
count_ours() {
  python3 - "$1" <<'EOF'
import json, sys
ch, sh, al = set(), set(), set()
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o.get("kind") != "connection" or not o.get("tls"):
        continue
    t = o["tls"]
    for h in (t["client_hello"], t["second_client_hello"]):
        if h: ch.add(h["frame"])
    for h in (t["server_hello"], t["hello_retry_request"]):
        if h: sh.add(h["frame"])
    for h in t["later_hellos"]:
        (ch if h["type"] == "client_hello" else sh).add(h["frame"])
    for a in t["alerts"]:
        al.add(a["frame"])
print(len(ch), len(sh), len(al))
EOF
}

echo "# tlsdiag vs anchors ($(date -u +%Y-%m-%dT%H:%MZ))"
echo
echo "Machine: nproc=$(nproc), $(lscpu | awk -F': *' '/^Model name/{print $2; exit}'), $(awk '/MemTotal/{printf "%.0f GiB RAM", $2/1048576}' /proc/meminfo); load average before: $(cut -d' ' -f1-3 /proc/loadavg)."
echo "tlsdiag $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo '+dirty'); $(tshark --version 2>/dev/null | head -1 || echo 'tshark: missing'); $(dpkg-query -W -f='ssldump ${Version}' ssldump 2>/dev/null || echo 'ssldump: missing'). RUNS=$RUNS, RUNS_SLOW=$RUNS_SLOW (tshark)."
echo
echo "| file | MB | handshakes | tool | wall s (median) | CPU s | MB/s | handshakes/s | peak RSS MiB | tlsdiag × faster | CH / SH / alerts vs tshark |"
echo "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|"

declare -A RSS
for f in $FILES; do
  F="$OUT/$f"
  if [[ ! -s "$F" ]]; then
    echo "| $f | | | (missing file) | | | | | | | |"
    continue
  fi
  bytes=$(stat -c %s "$F")
  mb=$(awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1e6 }')
  cat "$F" > /dev/null; cat "$F" > /dev/null
  key=${f//[.-]/_}

  # tlsdiag: timed runs to /dev/null, then one untimed run for the counts.
  for ((i = 0; i < RUNS; i++)); do run "ours_$key" /dev/null "$TLSDIAG" analyze --format ndjson "$F"; done
  "$TLSDIAG" analyze --format ndjson "$F" > "$TMP/ours.ndjson" 2>/dev/null || true
  ours_counts=$(count_ours "$TMP/ours.ndjson")

  tshark_counts=""
  if have tshark; then
    for ((i = 0; i < RUNS_SLOW; i++)); do
      run "tshark_$key" "$TMP/tshark.tsv" tshark -r "$F" -Y "$TSHARK_FILTER" -T fields \
        -e frame.number -e tcp.stream -e tls.handshake.type -e tls.handshake.ciphersuite \
        -e tls.alert_message.desc -e tls.record.content_type
    done
    tshark_counts=$(count_tshark "$TMP/tshark.tsv")
  fi
  if have ssldump; then
    for ((i = 0; i < RUNS; i++)); do run "ssldump_$key" /dev/null ssldump -n -r "$F"; done
  fi
  if [[ -n "${PCAP_ANALYZER:-}" && -x "${PCAP_ANALYZER:-}" ]]; then
    for ((i = 0; i < RUNS; i++)); do
      rm -rf "$TMP/pa"; mkdir -p "$TMP/pa"
      run "pa_$key" /dev/null "$PCAP_ANALYZER" -j 1 -p TlsStats -o "$TMP/pa" "$F"
    done
  fi

  hs=${tshark_counts%% *}
  [[ -n "$hs" ]] || hs=${ours_counts%% *}
  read -r ow oc orss < <(stats "ours_$key")
  RSS[$f]=$orss
  if [[ -z "$tshark_counts" ]]; then
    check="tshark missing: ours $ours_counts"
  elif [[ "$ours_counts" == "$tshark_counts" ]]; then
    check="agree (${ours_counts// / \/ })"
  else
    check="**DIFFER**: ours ${ours_counts// / \/ }, tshark ${tshark_counts// / \/ }"
  fi
  row() { # label wall cpu rss ratio check
    awk -v f="$f" -v mb="$mb" -v hs="$hs" -v l="$1" -v w="$2" -v c="$3" -v r="$4" -v x="$5" -v k="$6" -v b="$bytes" \
      'BEGIN { printf "| %s | %s | %s | %s | %.3f | %.2f | %.0f | %.0f | %.1f | %s | %s |\n",
               f, mb, hs, l, w, c, b / 1e6 / w, hs / w, r / 1024, x, k }'
  }
  row "**tlsdiag**" "$ow" "$oc" "$orss" "1" "$check"
  for tool in tshark ssldump pa; do
    name=$tool; [[ $tool == pa ]] && name="pcap-analyzer -j1"
    if [[ -s "$TMP/${tool}_$key" ]]; then
      read -r w c r < <(stats "${tool}_$key")
      ratio=$(awk -v a="$w" -v b="$ow" 'BEGIN { printf "%.1f×", a / b }')
      row "$name" "$w" "$c" "$r" "$ratio" ""
    else
      case $tool in
        pa) echo "| $f | $mb | $hs | pcap-analyzer | not run (set PCAP_ANALYZER) | | | | | | |" ;;
        *) echo "| $f | $mb | $hs | $name | missing (not installed) | | | | | | |" ;;
      esac
    fi
  done
done

[[ "${SKIP_EXTRAS:-0}" == 1 ]] && exit 0

echo
echo "## Memory (tlsdiag, --format ndjson, peak RSS)"
echo
if [[ -n "${RSS[bench-100m.pcap]:-}" && -n "${RSS[bench-1g.pcap]:-}" ]]; then
  awk -v a="${RSS[bench-100m.pcap]}" -v b="${RSS[bench-1g.pcap]}" \
    'BEGIN { printf "- bench-100m.pcap %.1f MiB, bench-1g.pcap %.1f MiB: 1 GiB / 100 MiB = %.2f\n", a/1024, b/1024, b/a }'
fi
for f in bench-1g.pcap dense.pcap; do
  [[ -s "$OUT/$f" ]] || continue
  rm -f "$TMP/stdin"
  for ((i = 0; i < 3; i++)); do
    t0=$(date +%s%N)
    /usr/bin/time -f '%e %U %S %M' -o "$TMP/time" sh -c "\"$TLSDIAG\" analyze --format ndjson - < \"$OUT/$f\" > /dev/null" 2>/dev/null || true
    t1=$(date +%s%N)
    tail -n 1 "$TMP/time" | awk -v w="$(( (t1 - t0) / 1000 ))" \
      '{ printf "%.6f %.3f %d\n", w / 1e6, $2 + $3, $4 }' >> "$TMP/stdin"
  done
  read -r w _ r < <(stats stdin)
  fr="${RSS[$f]:-}"
  if [[ -z "$fr" ]]; then
    run "file_$f" /dev/null "$TLSDIAG" analyze --format ndjson "$OUT/$f"
    read -r _ _ fr < <(stats "file_$f")
  fi
  awk -v f="$f" -v w="$w" -v r="$r" -v fr="$fr" \
    'BEGIN { printf "- %s from stdin: %.3f s, %.1f MiB (from the file: %.1f MiB)\n", f, w, r/1024, fr/1024 }'
done

echo
echo "## Startup (one-packet capture, hyperfine -N --warmup 3 --runs 30)"
echo
editcap -r "$OUT/bench-100m.pcap" "$TMP/one.pcap" 1 2>/dev/null
if have hyperfine; then
  cmds=("$TLSDIAG analyze --format ndjson $TMP/one.pcap")
  have ssldump && cmds+=("ssldump -n -r $TMP/one.pcap")
  have tshark && cmds+=("tshark -r $TMP/one.pcap -Y 'tls.handshake.type==1' -T fields -e frame.number")
  hyperfine -N -i --warmup 3 --runs 30 --export-json "$TMP/startup.json" "${cmds[@]}" > /dev/null 2>&1 || true
  python3 - "$TMP/startup.json" <<'EOF'
import json, sys
try:
    res = json.load(open(sys.argv[1]))["results"]
except Exception as e:
    print(f"- hyperfine failed: {e}"); sys.exit()
for r in res:
    cmd = r["command"].split()[0].rsplit("/", 1)[-1]
    print(f"- {cmd}: {r['mean']*1e3:.2f} ms ± {r['stddev']*1e3:.2f} (min {r['min']*1e3:.2f})")
EOF
else
  echo "- hyperfine missing"
fi

echo
echo "## scan -j1 vs -j2 (16 captures: bench-1g.pcap cut with editcap -c)"
echo
if [[ -s "$OUT/bench-1g.pcap" ]]; then
  if [[ ! -d "$OUT/scan16" || $(ls "$OUT/scan16" | wc -l) -ne 16 ]]; then
    rm -rf "$OUT/scan16"; mkdir -p "$OUT/scan16"
    pk=$(capinfos -c -M "$OUT/bench-1g.pcap" | awk -F': *' '/Number of packets/{print $2}')
    editcap -c $(( (pk + 15) / 16 )) "$OUT/bench-1g.pcap" "$OUT/scan16/part.pcap"
  fi
  cat "$OUT"/scan16/* > /dev/null
  sbytes=$(cat "$OUT"/scan16/* | wc -c)
  # A run takes well under a second and this guest's speed drifts: more runs,
  # -j1 and -j2 alternated so that a slow spell hits both alike.
  rm -f "$TMP/scan1" "$TMP/scan2"
  for ((i = 0; i < SCAN_RUNS; i++)); do
    for j in 1 2; do run "scan$j" /dev/null "$TLSDIAG" scan -j "$j" --format ndjson "$OUT/scan16"; done
  done
  read -r w1 c1 r1 < <(stats scan1)
  read -r w2 c2 r2 < <(stats scan2)
  awk -v w1="$w1" -v w2="$w2" -v r1="$r1" -v r2="$r2" -v b="$sbytes" -v n="$(ls "$OUT/scan16" | wc -l)" \
    'BEGIN { printf "- %d files, %.0f MB: -j1 %.3f s (%.0f MB/s, %.1f MiB), -j2 %.3f s (%.0f MB/s, %.1f MiB): speed-up %.2f×\n",
             n, b/1e6, w1, b/1e6/w1, r1/1024, w2, b/1e6/w2, r2/1024, w1/w2 }'
fi
echo
echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)."
