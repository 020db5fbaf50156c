#!/usr/bin/env python3
"""Userspace L2 forwarder that emulates a bad path (this kernel has no sch_netem).

usage: pyfwd.py IF_CLIENT IF_SERVER [--delay MS] [--port P] [--late N] [--extra MS]
                [--dup N]

Frames are copied unchanged between the two interfaces (AF_PACKET), each one
delayed by --delay ms (default 5, so the path RTT is ~10 ms).  On the first TCP
connection from server port --port (default 443) towards the client:
  * the server's data segment number --late (default 1) is held --extra ms more
    (default 2), so the next segment overtakes it -> out of order at the client;
  * the server's data segment number --dup (default 3) is sent twice, 1 ms apart
    -> a duplicate (retransmitted) segment at the client.
Nothing in a frame is altered: the packets are the real kernel's TCP/TLS frames.
"""
import argparse
import heapq
import select
import socket
import struct
import time

ETH_P_ALL = 3
PACKET_OUTGOING = 4


def tcp_info(frame):
    """(sport, dport, payload_len) for an untagged IPv4/TCP frame, else None."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return None
    ihl = (frame[14] & 0x0F) * 4
    if frame[23] != 6:
        return None
    tot = struct.unpack("!H", frame[16:18])[0]
    t = 14 + ihl
    sport, dport = struct.unpack("!HH", frame[t:t + 4])
    doff = (frame[t + 12] >> 4) * 4
    return sport, dport, tot - ihl - doff


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ifc")
    ap.add_argument("ifs")
    ap.add_argument("--delay", type=float, default=5.0)
    ap.add_argument("--port", type=int, default=443)
    ap.add_argument("--late", type=int, default=1)
    ap.add_argument("--extra", type=float, default=2.0)
    ap.add_argument("--dup", type=int, default=3)
    a = ap.parse_args()

    socks = {}
    for name in (a.ifc, a.ifs):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((name, 0))
        s.setblocking(False)
        socks[name] = s
    other = {a.ifc: socks[a.ifs], a.ifs: socks[a.ifc]}
    by_fd = {s.fileno(): n for n, s in socks.items()}
    queue = []  # (due, seq, socket, frame)
    seq = 0
    conn = None  # client port of the first connection to --port
    nseg = 0
    delay = a.delay / 1000.0
    while True:
        timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else 1.0
        r, _, _ = select.select(list(socks.values()), [], [], timeout)
        for s in r:
            name = by_fd[s.fileno()]
            while True:
                try:
                    frame, addr = s.recvfrom(65535)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue
                now = time.monotonic()
                due = now + delay
                copies = 1
                info = tcp_info(frame)
                if info and name == a.ifc and info[1] == a.port and conn is None:
                    conn = info[0]
                if info and name == a.ifs and info[0] == a.port and info[1] == conn and info[2] > 0:
                    nseg += 1
                    if nseg == a.late:
                        due += a.extra / 1000.0
                    if nseg == a.dup:
                        copies = 2
                for i in range(copies):
                    seq += 1
                    heapq.heappush(queue, (due + i * 0.001, seq, other[name], frame))
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out, frame = heapq.heappop(queue)
            out.send(frame)


if __name__ == "__main__":
    main()
