"""Health and reflection over mTLS from a foreign client: Debian's python3-grpcio
with grpc.ssl_channel_credentials(root, key, chain). The few health and
reflection messages are declared here (Debian ships no grpcio-health-checking).

usage: tls_python_client.py ADDRESS CA CERT KEY
Prints one JSON object: the health status, the services reflection lists, and
the status code a client without a certificate gets.
"""
import json
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

STRING = descriptor_pb2.FieldDescriptorProto.TYPE_STRING
ENUM = descriptor_pb2.FieldDescriptorProto.TYPE_ENUM
MESSAGE = descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE
REPEATED = descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED


def declare(file, name, fields):
    message = file.message_type.add(name=name)
    for field_name, number, kind, *rest in fields:
        field = message.field.add(name=field_name, number=number, type=kind, label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL)
        if rest:
            field.type_name = rest[0]
        if len(rest) > 1:
            field.label = rest[1]
    return message


def message_classes():
    pool = descriptor_pool.DescriptorPool()
    health = descriptor_pb2.FileDescriptorProto(name="health.proto", package="grpc.health.v1", syntax="proto3")
    declare(health, "HealthCheckRequest", [("service", 1, STRING)])
    response = declare(health, "HealthCheckResponse", [("status", 1, ENUM, ".grpc.health.v1.HealthCheckResponse.ServingStatus")])
    status = response.enum_type.add(name="ServingStatus")
    for number, name in enumerate(["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"]):
        status.value.add(name=name, number=number)
    pool.Add(health)
    reflection = descriptor_pb2.FileDescriptorProto(name="reflection.proto", package="grpc.reflection.v1", syntax="proto3")
    declare(reflection, "ServerReflectionRequest", [("host", 1, STRING), ("list_services", 7, STRING)])
    declare(reflection, "ServiceResponse", [("name", 1, STRING)])
    declare(reflection, "ListServiceResponse", [("service", 1, MESSAGE, ".grpc.reflection.v1.ServiceResponse", REPEATED)])
    declare(reflection, "ServerReflectionResponse", [("valid_host", 1, STRING), ("list_services_response", 6, MESSAGE, ".grpc.reflection.v1.ListServiceResponse")])
    pool.Add(reflection)

    def find(name):
        descriptor = pool.FindMessageTypeByName(name)
        if hasattr(message_factory, "GetMessageClass"):
            return message_factory.GetMessageClass(descriptor)
        return message_factory.MessageFactory(pool).GetPrototype(descriptor)

    return find


def health_status(channel, find):
    check = channel.unary_unary(
        "/grpc.health.v1.Health/Check",
        request_serializer=lambda message: message.SerializeToString(),
        response_deserializer=find("grpc.health.v1.HealthCheckResponse").FromString,
    )
    response = check(find("grpc.health.v1.HealthCheckRequest")(service=""), timeout=10)
    return response.DESCRIPTOR.fields_by_name["status"].enum_type.values_by_number[response.status].name


def listed_services(channel, find):
    info = channel.stream_stream(
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        request_serializer=lambda message: message.SerializeToString(),
        response_deserializer=find("grpc.reflection.v1.ServerReflectionResponse").FromString,
    )
    requests = iter([find("grpc.reflection.v1.ServerReflectionRequest")(list_services="*")])  # a non-empty value: proto3 drops an empty string outside a oneof
    for response in info(requests, timeout=10):
        return sorted(service.name for service in response.list_services_response.service)
    return []


def main():
    address, ca, cert, key = sys.argv[1:5]
    read = lambda path: open(path, "rb").read()
    find = message_classes()
    credentials = grpc.ssl_channel_credentials(read(ca), read(key), read(cert))
    with grpc.secure_channel(address, credentials) as channel:
        result = {"health": health_status(channel, find), "services": listed_services(channel, find)}
    with grpc.secure_channel(address, grpc.ssl_channel_credentials(read(ca))) as channel:
        try:
            health_status(channel, find)
            result["without_certificate"] = "OK"
        except grpc.RpcError as error:
            result["without_certificate"] = error.code().name
    print(json.dumps(result))


main()
