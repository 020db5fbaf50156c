#!/usr/bin/env python3
"""Flip one bit of one frame's TCP sequence number in a little-endian pcap.

    flip_seq.py IN.pcap OUT.pcap FRAME BIT

The corruption a bad NIC, a memory error or a broken capture tool makes: the
packet is otherwise the real one. Ethernet, IPv4 or IPv6, no options parsing
beyond the IPv4 header length (what regen.sh's captures have).
"""
import struct
import sys


def main():
    src, dst, frame, bit = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    data = bytearray(open(src, "rb").read())
    if data[:4] != b"\xd4\xc3\xb2\xa1":
        sys.exit("flip_seq.py: expects a little-endian microsecond pcap (editcap -F pcap)")
    off, n = 24, 0
    while off + 16 <= len(data):
        incl = struct.unpack_from("<I", data, off + 8)[0]
        pkt, n = off + 16, n + 1
        if n == frame:
            ethertype = struct.unpack_from(">H", data, pkt + 12)[0]
            ip = pkt + 14
            if ethertype == 0x0800:
                tcp = ip + (data[ip] & 0x0F) * 4
            elif ethertype == 0x86DD:
                tcp = ip + 40
            else:
                sys.exit(f"flip_seq.py: frame {frame} is not IPv4/IPv6 over Ethernet")
            seq = struct.unpack_from(">I", data, tcp + 4)[0]
            struct.pack_into(">I", data, tcp + 4, seq ^ (1 << bit))
            open(dst, "wb").write(data)
            return
        off = pkt + incl
    sys.exit(f"flip_seq.py: no frame {frame}")


main()
