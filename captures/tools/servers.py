#!/usr/bin/env python3
"""Tiny servers for the tlsdiag fixture lab (Python stdlib only).

usage: servers.py MODE ADDR PORT [ARGS]

  http ADDR PORT PROFILE     HTTP/1.1 server standing in for a TAXII 1.1 feed
        PROFILE errors:   POST /taxii/poll            -> 405 (poll path lacks its slash)
                          POST /taxii-discovery-service/ -> 400
                          POST /api/v1/taxii/poll/ without Authorization -> 401
                          POST /taxii/poll/           -> 503 (overloaded)
                          anything else               -> 404
        PROFILE notfound: POST /taxii/poll/ -> 200 with a TAXII Status_Message
                          status_type="NOT_FOUND" (collection expired)
        PROFILE cutbody:  POST /taxii/poll/ -> 200 application/xml, a TAXII
                          Poll_Response whose Content-Length announces the
                          whole document but only its first part is sent
                          (cut after a complete Content_Block), then the
                          connection is closed: the client's XML parser says
                          "no element found"
  http-keepalive ADDR PORT   HTTP/1.1 with persistent connections: POST -> 405
                          with an empty body (Content-Length: 0), GET -> 404,
                          GET /auth -> 401 (Basic) until credentials
                          come, then 200;
                          "Expect: 100-continue" gets an interim 100 first
  http-until-close ADDR PORT HTTP/1.0 GET -> 200 whose body has no length:
                          it ends when the server closes the connection
  https403 ADDR PORT CERT KEY   TLS 1.2-only (ECDHE-RSA-AES128-GCM-SHA256) HTTPS
                          server answering every request 403 Forbidden, like the
                          bare API root of api-sse.cisco.com
  rst ADDR PORT           accepts, reads the first bytes (the ClientHello), then
                          closes with SO_LINGER 0 so the kernel sends RST
  dns-servfail ADDR PORT  a broken upstream resolver: answers every query SERVFAIL
"""
import re
import socket
import ssl
import struct
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""

    def log_message(self, fmt, *args):
        sys.stderr.write("servers.py: %s %s\n" % (self.address_string(), fmt % args))

    def reply(self, code, body, ctype="text/html", extra=()):
        data = body.encode()
        self.send_response(code)
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n).decode("utf-8", "replace") if n else ""


def page(code, text):
    return "<html><head><title>%d %s</title></head><body><h1>%s</h1></body></html>\n" % (code, text, text)


TAXII_HDRS = (
    ("X-TAXII-Content-Type", "urn:taxii.mitre.org:message:xml:1.1"),
    ("X-TAXII-Protocol", "urn:taxii.mitre.org:protocol:http:1.0"),
    ("X-TAXII-Services", "urn:taxii.mitre.org:services:1.1"),
)


def make_http(profile):
    class H(Quiet):
        def do_GET(self):
            self.route()

        def do_POST(self):
            self.route()

        def route(self):
            body = self.body()
            p = self.path
            if profile == "notfound" and p == "/taxii/poll/":
                m = re.search(r'message_id="([^"]+)"', body)
                rid = m.group(1) if m else "0"
                coll = re.search(r'collection_name="([^"]+)"', body)
                xml = (
                    '<taxii_11:Status_Message xmlns:taxii_11="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" '
                    'message_id="5121830264952193891" in_response_to="%s" status_type="NOT_FOUND">'
                    '<taxii_11:Status_Detail><taxii_11:Detail name="ITEM"><taxii_11:Value>%s</taxii_11:Value>'
                    "</taxii_11:Detail></taxii_11:Status_Detail>"
                    "<taxii_11:Message>The requested collection was not found.</taxii_11:Message>"
                    "</taxii_11:Status_Message>\n" % (rid, coll.group(1) if coll else "")
                )
                return self.reply(200, xml, "application/xml", TAXII_HDRS)
            if profile == "cutbody" and p == "/taxii/poll/":
                return self.cut_poll_response(body)
            if profile == "errors":
                if p == "/taxii/poll":
                    return self.reply(405, page(405, "Method Not Allowed"), extra=(("Allow", "GET, HEAD"),))
                if p == "/taxii-discovery-service/":
                    return self.reply(400, page(400, "Bad Request"))
                if p == "/api/v1/taxii/poll/" and "Authorization" not in self.headers:
                    return self.reply(401, page(401, "Authorization Required"),
                                      extra=(("WWW-Authenticate", 'Basic realm="TAXII"'),))
                if p == "/taxii/poll/":
                    return self.reply(503, page(503, "Service Temporarily Unavailable"),
                                      extra=(("Retry-After", "120"),))
            return self.reply(404, page(404, "Not Found"))

        def cut_poll_response(self, body):
            m = re.search(r'message_id="([^"]+)"', body)
            rid = m.group(1) if m else "0"
            blocks = [poll_block(i) for i in range(12)]
            head = (
                '<taxii_11:Poll_Response xmlns:taxii_11="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" '
                'message_id="7301945628813" in_response_to="%s" collection_name="user_AlienVault" '
                'more="false" result_part_number="1">'
                "<taxii_11:Exclusive_Begin_Timestamp>2022-08-01T00:00:00Z</taxii_11:Exclusive_Begin_Timestamp>"
                "<taxii_11:Inclusive_End_Timestamp>2022-08-04T00:00:00Z</taxii_11:Inclusive_End_Timestamp>"
                '<taxii_11:Record_Count partial_count="false">%d</taxii_11:Record_Count>' % (rid, len(blocks))
            )
            tail = "</taxii_11:Poll_Response>\n"
            whole = (head + "".join(blocks) + tail).encode()
            sent = (head + "".join(blocks[:4])).encode()
            self.send_response(200)
            for k, v in TAXII_HDRS:
                self.send_header(k, v)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(whole)))
            self.end_headers()
            self.wfile.write(sent)
            self.wfile.flush()
            self.close_connection = True

    return H


def poll_block(i):
    """One STIX 1.1.1 indicator (an IP watchlist entry) as a TAXII Content_Block."""
    return (
        "<taxii_11:Content_Block>"
        '<taxii_11:Content_Binding binding_id="urn:stix.mitre.org:xml:1.1.1"/>'
        "<taxii_11:Content>"
        '<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" '
        'xmlns:indicator="http://stix.mitre.org/Indicator-2" '
        'xmlns:cybox="http://cybox.mitre.org/cybox-2" '
        'xmlns:AddressObj="http://cybox.mitre.org/objects#AddressObject-2" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'id="otx:Package-62eb%04x" version="1.1.1">'
        "<stix:Indicators><stix:Indicator xsi:type=\"indicator:IndicatorType\" id=\"otx:indicator-62eb%04x\">"
        "<indicator:Title>IPv4 watchlist entry %d</indicator:Title>"
        "<indicator:Observable><cybox:Object><cybox:Properties xsi:type=\"AddressObj:AddressObjectType\" "
        "category=\"ipv4-addr\"><AddressObj:Address_Value>203.0.113.%d</AddressObj:Address_Value>"
        "</cybox:Properties></cybox:Object></indicator:Observable>"
        "</stix:Indicator></stix:Indicators></stix:STIX_Package>"
        "</taxii_11:Content>"
        "<taxii_11:Timestamp_Label>2022-08-0%dT12:00:00Z</taxii_11:Timestamp_Label>"
        "</taxii_11:Content_Block>" % (i, i, i + 1, 10 + i, 1 + i % 3)
    )


class Forbidden(Quiet):
    def do_GET(self):
        self.reply(403, "Forbidden", "text/plain")

    do_POST = do_GET


class TLSServer(HTTPServer):
    ctx = None

    def get_request(self):
        sock, addr = self.socket.accept()
        return self.ctx.wrap_socket(sock, server_side=True), addr

    def shutdown_request(self, request):
        try:
            request.unwrap()  # send close_notify before FIN, as real servers do
        except (OSError, ssl.SSLError):
            pass
        super().shutdown_request(request)


def serve_rst(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(8)
    while True:
        c, _ = s.accept()
        c.settimeout(5)
        try:
            c.recv(4096)
        except OSError:
            pass
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()


def serve_servfail(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    while True:
        q, peer = s.recvfrom(4096)
        if len(q) < 12:
            continue
        # echo ID and the question, QR=1 RD copied RA=1, RCODE=2 (SERVFAIL)
        qlen = q[12:].index(b"\0") + 5
        flags = bytes([0x80 | (q[2] & 0x01), 0x82])
        s.sendto(q[:2] + flags + b"\0\x01\0\0\0\0\0\0" + q[12:12 + qlen], peer)


class KeepAlive(Quiet):
    """HTTP/1.1 with persistent connections (Python answers `Expect:
    100-continue` with an interim 100 itself): POST gets 405 with an empty
    body (Content-Length: 0), GET a short page, and the connection stays open."""

    def do_POST(self):
        self.body()
        self.send_response(405)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        if self.path == "/auth":
            # Basic authentication: 401 first, the page once credentials come
            if "Authorization" not in self.headers:
                data = page(401, "Authorization Required").encode()
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="feeds"')
            else:
                data = b"ok\n"
                self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        data = page(404, "Not Found").encode()
        self.send_response(404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class UntilClose(BaseHTTPRequestHandler):
    """HTTP/1.0 without Content-Length: the body ends when the server closes."""

    protocol_version = "HTTP/1.0"
    server_version = "feed"
    sys_version = ""

    def log_message(self, fmt, *args):
        sys.stderr.write("servers.py: %s %s\n" % (self.address_string(), fmt % args))

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        for i in range(40):
            self.wfile.write(("indicator %d 203.0.113.%d\n" % (i, i)).encode())
            self.wfile.flush()


def main():
    mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if mode == "http-until-close":
        HTTPServer.allow_reuse_address = True
        HTTPServer((addr, port), UntilClose).serve_forever()
    elif mode == "http-keepalive":
        HTTPServer.allow_reuse_address = True
        HTTPServer((addr, port), KeepAlive).serve_forever()
    elif mode == "http":
        HTTPServer.allow_reuse_address = True
        HTTPServer((addr, port), make_http(sys.argv[4])).serve_forever()
    elif mode == "https403":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers("ECDHE-RSA-AES128-GCM-SHA256")
        ctx.load_cert_chain(sys.argv[4], sys.argv[5])
        TLSServer.allow_reuse_address = True
        TLSServer.ctx = ctx
        TLSServer((addr, port), Forbidden).serve_forever()
    elif mode == "rst":
        serve_rst(addr, port)
    elif mode == "dns-servfail":
        serve_servfail(addr, port)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
