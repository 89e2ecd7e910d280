"""A foreign caller of a secured service: Debian's python3-grpcio.

usage: python_auth_client.py ADDRESS GOOD_TOKEN NO_SCOPE_TOKEN API_KEY [CA CERT KEY]
With CA, CERT and KEY it connects over mTLS (grpc.ssl_channel_credentials(root,
key, chain)), else in plaintext. Calls health (no credentials), then Echo without credentials, with a token
lacking the scope, with a good token and with an API key. The echo service
speaks JSON. Prints one JSON object: each call's status code name.
"""
import json
import sys

import grpc

ECHO = "/test.v1.EchoService/Echo"
HEALTH = "/grpc.health.v1.Health/Check"


def code_of(call):
    try:
        call()
        return "OK"
    except grpc.RpcError as error:
        return error.code().name


def open_channel(address, tls_files):
    if not tls_files:
        return grpc.insecure_channel(address)
    root, chain, key = (open(path, "rb").read() for path in tls_files)
    return grpc.secure_channel(address, grpc.ssl_channel_credentials(root, key, chain))


def main():
    address, good_token, no_scope_token, api_key = sys.argv[1:5]
    with open_channel(address, sys.argv[5:8]) as channel:
        echo = channel.unary_unary(
            ECHO,
            request_serializer=lambda message: json.dumps(message).encode(),
            response_deserializer=lambda data: json.loads(data),
        )
        health = channel.unary_unary(HEALTH, request_serializer=lambda _: b"", response_deserializer=lambda data: data)
        request = {"text": "from python"}
        result = {
            "health": code_of(lambda: health(None, timeout=10)),
            "anonymous": code_of(lambda: echo(request, timeout=10)),
            "no_scope": code_of(lambda: echo(request, timeout=10, metadata=(("authorization", "Bearer " + no_scope_token),))),
            "good_token": code_of(lambda: echo(request, timeout=10, metadata=(("authorization", "Bearer " + good_token),))),
            "api_key": code_of(lambda: echo(request, timeout=10, metadata=(("x-api-key", api_key),))),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
