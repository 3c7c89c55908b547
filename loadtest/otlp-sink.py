"""A stand-in OTLP/HTTP collector for loadtest/tracing.sh: accepts every POST /v1/traces with an empty
(valid) ExportTraceServiceResponse and counts the bytes it took, printing a running total per second."""
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

received = {"requests": 0, "bytes": 0}
lock = threading.Lock()


class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("content-length", "0"))
        self.rfile.read(length)
        with lock:
            received["requests"] += 1
            received["bytes"] += length
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def report():
    while True:
        time.sleep(1)
        with lock:
            print(f"exports={received['requests']} bytes={received['bytes']}", flush=True)


threading.Thread(target=report, daemon=True).start()
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
