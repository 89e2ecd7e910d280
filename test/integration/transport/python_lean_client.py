"""Debian's python3-grpcio as a client of the lean transport: generic calls,
JSON echo messages, hand-encoded health and reflection messages.

usage: python_lean_client.py ADDRESS
Prints one JSON object on stdout.
"""
import json
import sys

import grpc

ECHO = "/test.v1.EchoService/"
identity = lambda data: data


def main(address):
    result = {}
    with grpc.insecure_channel(address) as channel:
        echo = channel.unary_unary(ECHO + "Echo", request_serializer=identity, response_deserializer=identity)
        result["unary"] = json.loads(echo(json.dumps({"text": "from python"}).encode(), timeout=5))
        count_up = channel.unary_stream(ECHO + "CountUp", request_serializer=identity, response_deserializer=identity)
        result["stream"] = [json.loads(item)["text"] for item in count_up(json.dumps({"text": "3"}).encode(), timeout=5)]
        try:
            echo(json.dumps({"text": "status:9"}).encode(), timeout=5)
            result["error"] = None
        except grpc.RpcError as error:
            trailers = dict(error.trailing_metadata() or ())
            result["error"] = {"code": error.code().name, "message": error.details(), "has_details": "grpc-status-details-bin" in trailers}
        # grpc.health.v1 HealthCheckRequest{service: ""} is empty; SERVING is field 1 = 1.
        check = channel.unary_unary("/grpc.health.v1.Health/Check", request_serializer=identity, response_deserializer=identity)
        result["health"] = check(b"", timeout=5).hex()
        # ServerReflectionRequest{list_services: ""}: field 7, length 0.
        reflect = channel.stream_stream("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", request_serializer=identity, response_deserializer=identity)
        replies = list(reflect(iter([b"\x3a\x00"]), timeout=5))
        result["reflection_lists_health"] = any(b"grpc.health.v1.Health" in reply for reply in replies)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
