#!/usr/bin/env bash
# Compressed copies of fixtures, made by the real tools (zstd, pzstd-style
# split frames, xz, bzip2, tar), for the decompression tests:
#
#   bash captures/compressed/make.sh        (run by captures/regen.sh)
#
#   tls13-ok.pcapng.zst       zstd -19 (one frame)
#   tls13-ok.pcapng.xz        xz -9 (CRC64 check)
#   tls13-ok.pcapng.bz2       bzip2 -9
#   tetra-good.pcapng.zst     two zstd frames (the file cut in two, each half
#                             compressed on its own, then concatenated), as
#                             pzstd and `cat a.zst b.zst` make
#   fleet.tar.xz / .tar.zst / .tar.bz2   tetra-good.pcapng and
#                             tetra-cipher-mismatch.pcapng in a tar (the
#                             good and failing endpoints of field case 1)
#   fleet-bzip2.zip           the same two in a zip whose members are
#                             bzip2-compressed (Info-ZIP `zip -Z bzip2`)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CAP=$(dirname "$HERE")
for t in zstd xz bzip2 tar zip; do command -v "$t" >/dev/null || { echo "make.sh: needs $t" >&2; exit 1; }; done
cd "$HERE"
rm -f ./*.zst ./*.xz ./*.bz2 ./*.zip
zstd -q -19 -c "$CAP/tls13-ok.pcapng" > tls13-ok.pcapng.zst
xz -9 -c "$CAP/tls13-ok.pcapng" > tls13-ok.pcapng.xz
bzip2 -9 -c "$CAP/tls13-ok.pcapng" > tls13-ok.pcapng.bz2
size=$(stat -c %s "$CAP/tetra-good.pcapng")
half=$(( size / 2 ))
{ head -c "$half" "$CAP/tetra-good.pcapng" | zstd -q -c; tail -c +$(( half + 1 )) "$CAP/tetra-good.pcapng" | zstd -q -c; } > tetra-good.pcapng.zst
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cp "$CAP/tetra-good.pcapng" "$CAP/tetra-cipher-mismatch.pcapng" "$tmp/"
# fixed owner, mode and time: the archives do not change between runs
tar_args=(--format=ustar --owner=0 --group=0 --numeric-owner --mode=644 --mtime=2026-01-01 -C "$tmp" tetra-good.pcapng tetra-cipher-mismatch.pcapng)
tar "${tar_args[@]}" -cf - | xz -9 -c > fleet.tar.xz
tar "${tar_args[@]}" -cf - | zstd -q -19 -c > fleet.tar.zst
tar "${tar_args[@]}" -cf - | bzip2 -9 -c > fleet.tar.bz2
touch -d 2026-01-01 "$tmp"/*.pcapng
(cd "$tmp" && zip -q -X -Z bzip2 "$HERE/fleet-bzip2.zip" tetra-good.pcapng tetra-cipher-mismatch.pcapng)
chmod 644 ./*.zst ./*.xz ./*.bz2 ./*.zip
ls -l "$HERE" >&2
