"""An OTLP/HTTP receiver for the end-to-end tests.

It decodes what it receives with the official OpenTelemetry protocol definitions
(the `opentelemetry-proto` package, which `.ci/run` installs): no decoder of our
own stands between a sender and the assertions.

    python3 tests/otlp/receiver.py --port 0

prints `listening <port>` first, then serves on 127.0.0.1:

- POST /v1/metrics, /v1/traces, /v1/logs: protobuf export requests
  (`application/x-protobuf`), each decoded and kept as JSON
  (`MessageToDict`, proto field names; 64-bit integers as strings, as protobuf's
  JSON mapping writes them; `trace_id`, `span_id` and `parent_span_id` in hex, as
  OTLP/JSON writes them, rather than the mapping's base64); answered with the empty
  export response of its signal. A body that does not decode is answered 400 and
  counted.
- GET /received/metrics, /received/traces, /received/logs: what was kept, as a
  JSON array in the order it arrived.
- POST /control/outage with body `on` or `off`: while on, the export endpoints
  answer 503 (counted as refused) and keep nothing.
- GET /received/stats: `{"accepted": {...}, "refused": {...}, "invalid": {...},
  "outage": bool}`, counts by signal.
"""

import argparse
import base64
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.protobuf.json_format import MessageToDict
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

# Signal -> (request message, response message).
SIGNALS = {
    "metrics": (
        metrics_service_pb2.ExportMetricsServiceRequest,
        metrics_service_pb2.ExportMetricsServiceResponse,
    ),
    "traces": (
        trace_service_pb2.ExportTraceServiceRequest,
        trace_service_pb2.ExportTraceServiceResponse,
    ),
    "logs": (
        logs_service_pb2.ExportLogsServiceRequest,
        logs_service_pb2.ExportLogsServiceResponse,
    ),
}


# Fields of bytes that OTLP/JSON writes in hex.
IDS = ("trace_id", "span_id", "parent_span_id")


def ids_in_hex(value):
    """`value` (a decoded request) with every id field in lowercase hex."""
    if isinstance(value, dict):
        return {
            key: base64.b64decode(item).hex() if key in IDS and isinstance(item, str) else ids_in_hex(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [ids_in_hex(item) for item in value]
    return value


class State:
    """What was received, behind one lock (the server is threaded)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received = {signal: [] for signal in SIGNALS}
        self.accepted = {signal: 0 for signal in SIGNALS}
        self.refused = {signal: 0 for signal in SIGNALS}
        self.invalid = {signal: 0 for signal in SIGNALS}
        self.outage = False


STATE = State()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - the base class' name
        pass

    def answer(self, status, body=b"", content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_POST(self):
        body = self.body()
        if self.path == "/control/outage":
            wanted = body.decode("utf-8", "replace").strip().lower()
            if wanted not in ("on", "off"):
                self.answer(400, b'"body must be on or off"')
                return
            with STATE.lock:
                STATE.outage = wanted == "on"
            self.answer(200, json.dumps(wanted).encode())
            return
        signal = self.path.removeprefix("/v1/")
        if not self.path.startswith("/v1/") or signal not in SIGNALS:
            self.answer(404, b'"unknown path"')
            return
        with STATE.lock:
            if STATE.outage:
                STATE.refused[signal] += 1
                refuse = True
            else:
                refuse = False
        if refuse:
            self.answer(503, b'"outage"')
            return
        request_type, response_type = SIGNALS[signal]
        try:
            request = request_type.FromString(body)
        except Exception as error:  # the protobuf runtime's DecodeError
            with STATE.lock:
                STATE.invalid[signal] += 1
            self.answer(400, json.dumps(f"not a {request_type.__name__}: {error}").encode())
            return
        decoded = ids_in_hex(MessageToDict(request, preserving_proto_field_name=True))
        with STATE.lock:
            STATE.received[signal].append(decoded)
            STATE.accepted[signal] += 1
        self.answer(
            200,
            response_type().SerializeToString(),
            content_type="application/x-protobuf",
        )

    def do_GET(self):
        if self.path == "/received/stats":
            with STATE.lock:
                stats = {
                    "accepted": dict(STATE.accepted),
                    "refused": dict(STATE.refused),
                    "invalid": dict(STATE.invalid),
                    "outage": STATE.outage,
                }
            self.answer(200, json.dumps(stats).encode())
            return
        signal = self.path.removeprefix("/received/")
        if not self.path.startswith("/received/") or signal not in SIGNALS:
            self.answer(404, b'"unknown path"')
            return
        with STATE.lock:
            received = json.dumps(STATE.received[signal])
        self.answer(200, received.encode())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=4318, help="0 for a free port")
    arguments = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", arguments.port), Handler)
    server.daemon_threads = True
    print(f"listening {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
