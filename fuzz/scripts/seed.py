#!/usr/bin/env python3
"""Builds the seed corpora of the fuzz targets from the shipped captures.

    python3 fuzz/scripts/seed.py            # from the repository root

Writes fuzz/corpus/{capture,stream,suite_list}/ (ignored by git; rebuild at
will). Sources: captures/*.pcap*, captures/adversarial/*, and, when present,
../shared/corpus/public/*.pcap*.

* capture:    each capture file as is (files over 256 KiB are cut to their
              first 256 KiB: the fuzzer mutates small inputs faster), plus a
              gzip-compressed copy of the smallest few.
* stream:     each TCP connection's payload, per direction in capture order,
              encoded in the op format of fuzz_targets/stream.rs (needs tshark;
              skipped with a note when it is missing).
* suite_list: pasted lists in every accepted shape (PowerShell table and list,
              UTF-16 with BOM, group-policy line, OpenSSL string, hex).
"""

import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "fuzz" / "corpus"
CAP = 256 * 1024


def captures():
    dirs = [ROOT / "captures", ROOT / "captures" / "adversarial",
            ROOT.parent / "shared" / "corpus" / "public"]
    for d in dirs:
        if not d.is_dir():
            continue
        for p in sorted(d.iterdir()):
            if p.suffix in (".pcap", ".pcapng") or p.name.endswith((".pcap.gz", ".pcapng.gz")):
                yield p


def seed_capture(paths):
    out = OUT / "capture"
    out.mkdir(parents=True, exist_ok=True)
    small = []
    for p in paths:
        data = p.read_bytes()
        if p.name.endswith(".gz"):
            try:
                data = gzip.decompress(data)
            except OSError:
                continue
        (out / p.name.replace(".gz", "")).write_bytes(data[:CAP])
        small.append((len(data), p.name, data))
    for _, name, data in sorted(small)[:5]:
        (out / (name + ".gz")).write_bytes(gzip.compress(data))
    return len(list(out.iterdir()))


def op(direction, chunk, new_frame=True):
    """One data op of the stream target (2-byte length form)."""
    out = bytearray()
    while True:
        part, chunk = chunk[:0xffff], chunk[0xffff:]
        tag = direction | ((3 if new_frame else 0) << 1) | 8
        out += bytes([tag]) + len(part).to_bytes(2, "big") + part
        if not chunk:
            return bytes(out)


def seed_stream(paths):
    out = OUT / "stream"
    out.mkdir(parents=True, exist_ok=True)
    if shutil.which("tshark") is None:
        print("tshark not found: stream corpus not seeded from captures", file=sys.stderr)
        return 0
    n = 0
    for p in paths:
        try:
            rows = subprocess.run(
                ["tshark", "-n", "-r", str(p), "-Y", "tcp.len > 0", "-T", "fields",
                 "-e", "tcp.stream", "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport",
                 "-e", "tcp.payload", "-e", "tcp.port"],
                capture_output=True, text=True, timeout=120).stdout
        except (subprocess.TimeoutExpired, OSError):
            continue
        streams = {}
        for line in rows.splitlines():
            f = line.split("\t")
            if len(f) < 5 or not f[4]:
                continue
            sid, src = f[0], (f[1] or f[2], f[3])
            s = streams.setdefault(sid, {"first": src, "ops": bytearray(), "dns": "53" in f[5:6][0].split(",") if len(f) > 5 else False})
            direction = 0 if src == s["first"] else 1
            try:
                payload = bytes.fromhex(f[4].replace(":", ""))
            except ValueError:
                continue
            if len(s["ops"]) < CAP:
                s["ops"] += op(direction, payload)
        for sid, s in streams.items():
            (out / f"{p.stem}-{sid}").write_bytes(bytes([1 if s["dns"] else 0]) + bytes(s["ops"]))
            n += 1
    return n


SUITE_LISTS = {
    "powershell-table": "\r\nName\r\n----\r\nTLS_AES_256_GCM_SHA384\r\nTLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P384\r\nTLS_RSA_WITH_AES_128_CBC_SHA\r\n",
    "powershell-list": "Name : TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\r\nCipherSuite : 49195\r\n\r\nName : TLS_DHE_DSS_WITH_AES_256_CBC_SHA256\r\n",
    "policy-line": "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_RSA_WITH_3DES_EDE_CBC_SHA",
    "openssl": "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:AES128-SHA:DHE-DSS-AES256-SHA256:DES-CBC3-SHA:RC4-MD5:PSK-AES128-CCM8:!aNULL:@SECLEVEL=0",
    "hex": "0xc030, c02f 0X1301;{0x00ff}\n'0a0a'",
}


def seed_suite_list():
    out = OUT / "suite_list"
    out.mkdir(parents=True, exist_ok=True)
    for name, text in SUITE_LISTS.items():
        (out / name).write_bytes(text.encode())
        (out / (name + ".utf16le")).write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
        (out / (name + ".utf16be")).write_bytes(b"\xfe\xff" + text.encode("utf-16-be"))
        (out / (name + ".bom")).write_bytes(b"\xef\xbb\xbf" + text.encode())
    return len(list(out.iterdir()))


def main():
    os.chdir(ROOT)
    paths = list(captures())
    print(f"capture:    {seed_capture(paths)} files")
    print(f"stream:     {seed_stream(paths)} files")
    print(f"suite_list: {seed_suite_list()} files")


if __name__ == "__main__":
    main()
