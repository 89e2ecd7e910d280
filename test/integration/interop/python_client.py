"""A foreign gRPC client: Debian's python3-grpcio, messages built at run time
from FileDescriptorSets (no generated Python code, no grpcio-status).

usage: python_client.py ADDRESS COMMAND ARG DESCRIPTOR_SET...
  int64 USER_ID      CreateOrder with unit_price_cents 2^60, quantity 3
  violations -       CreateOrder with nothing filled in: the BadRequest details
Prints one JSON object on stdout; int64 values as decimal strings.
"""
import json
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

STATUS_DETAILS_KEY = "grpc-status-details-bin"


def load_pool(paths):
    pool = descriptor_pool.DescriptorPool()
    seen = set()
    for path in paths:
        with open(path, "rb") as file:
            files = descriptor_pb2.FileDescriptorSet.FromString(file.read()).file
        for proto in files:
            if proto.name not in seen:
                seen.add(proto.name)
                pool.Add(proto)
    factory = message_factory.MessageFactory(pool)

    def message_class(name):
        descriptor = pool.FindMessageTypeByName(name)
        if hasattr(message_factory, "GetMessageClass"):
            return message_factory.GetMessageClass(descriptor)
        return factory.GetPrototype(descriptor)

    return message_class


def create_order(channel, message_class, request):
    call = channel.unary_unary(
        "/order.v1.OrderService/CreateOrder",
        request_serializer=lambda message: message.SerializeToString(),
        response_deserializer=message_class("order.v1.CreateOrderResponse").FromString,
    )
    return call(request, timeout=10)


def int64_round_trip(channel, message_class, user_id):
    request = message_class("order.v1.CreateOrderRequest")(user_id=user_id)
    request.items.add(sku="big", quantity=3, unit_price_cents=2**60)
    order = create_order(channel, message_class, request).order
    return {
        "unit_price_cents": str(order.items[0].unit_price_cents),
        "total_cents": str(order.total_cents),
    }


def status_details(channel, message_class):
    try:
        create_order(channel, message_class, message_class("order.v1.CreateOrderRequest")())
    except grpc.RpcError as error:
        raw = dict(error.trailing_metadata() or ()).get(STATUS_DETAILS_KEY)
        result = {"code": error.code().name, "message": error.details(), "details": []}
        if raw is None:
            return result
        status = message_class("google.rpc.Status").FromString(raw)
        result["status_code"] = status.code
        result["status_message"] = status.message
        for any_detail in status.details:
            type_name = any_detail.type_url.split("/")[-1]
            detail = message_class(type_name).FromString(any_detail.value)
            entry = {"type": type_name}
            if type_name == "google.rpc.BadRequest":
                entry["field_violations"] = [
                    {"field": violation.field, "description": violation.description}
                    for violation in detail.field_violations
                ]
            result["details"].append(entry)
        return result
    return {"code": "OK"}


def main():
    address, command, argument, *descriptor_sets = sys.argv[1:]
    message_class = load_pool(descriptor_sets)
    with grpc.insecure_channel(address) as channel:
        if command == "int64":
            result = int64_round_trip(channel, message_class, argument)
        elif command == "violations":
            result = status_details(channel, message_class)
        else:
            raise SystemExit(f"unknown command {command}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
