"""Debian's python3-grpcio as a SERVER for the lean client: generic handlers,
JSON echo messages, a hand-encoded google.rpc.Status for errors, and gzip
responses (the server compresses everything it sends).

usage: python_lean_server.py
Prints {"event": "ready", "port": N} on stdout, then serves until killed.
"""
import json
import sys
from concurrent import futures

import grpc

NON_ASCII_MESSAGE = "échec — 失败 100% ✓"
identity = lambda data: data


def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field(number, payload):
    """A length-delimited protobuf field."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def status_details(code, message):
    # google.rpc.Status{code, message, details: [Any{ErrorInfo{reason, domain}}]}
    error_info = field(1, b"ON_PURPOSE") + field(2, b"python")
    any_detail = field(1, b"type.googleapis.com/google.rpc.ErrorInfo") + field(2, error_info)
    return varint(1 << 3) + varint(code) + field(2, message.encode()) + field(3, any_detail)


def echo(request, context):
    text = json.loads(request)["text"]
    if text.startswith("status:"):
        code = int(text[len("status:"):])
        status = next(item for item in grpc.StatusCode if item.value[0] == code)
        context.set_trailing_metadata([("grpc-status-details-bin", status_details(code, NON_ASCII_MESSAGE))])
        context.abort(status, NON_ASCII_MESSAGE)
    metadata = dict(context.invocation_metadata())
    context.send_initial_metadata([("x-from", "python"), ("x-blob-bin", b"\x00\xff")])
    return json.dumps({"text": text, "instance": "python", "tenant": metadata.get("x-tenant")}).encode()


def count_up(request, context):
    for index in range(int(json.loads(request)["text"])):
        yield json.dumps({"text": str(index), "instance": "python"}).encode()


class Echo(grpc.GenericRpcHandler):
    def service(self, details):
        if details.method == "/test.v1.EchoService/Echo":
            return grpc.unary_unary_rpc_method_handler(echo, request_deserializer=identity, response_serializer=identity)
        if details.method == "/test.v1.EchoService/CountUp":
            return grpc.unary_stream_rpc_method_handler(count_up, request_deserializer=identity, response_serializer=identity)
        return None


def main():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), handlers=[Echo()], compression=grpc.Compression.Gzip)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(json.dumps({"event": "ready", "port": port}), flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    sys.exit(main())
