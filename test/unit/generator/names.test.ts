// Naming rules the generated code depends on: ts-proto's type names, method
// local names, and what init derives from a full service name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create, createFileRegistry, type DescMessage, type MessageInitShape } from '@bufbuild/protobuf';
import { DescriptorProtoSchema, FileDescriptorProtoSchema, type DescriptorProto } from '@bufbuild/protobuf/wkt';
import { methodLocalName, tsProtoModule, tsProtoTypeName } from '../../../generator/plugin/names.js';
import { serviceNames } from '../../../generator/init.js';

function registryFor(messages: MessageInitShape<typeof DescriptorProtoSchema>[], methods: string[] = []) {
  const file = create(FileDescriptorProtoSchema, {
    name: 'x/v1/x.proto',
    package: 'x.v1',
    syntax: 'proto3',
    messageType: messages,
    service: [{ name: 'S', method: methods.map((name) => ({ name, inputType: '.x.v1.Outer', outputType: '.x.v1.Outer' })) }],
  });
  return createFileRegistry(file, () => undefined);
}

/** A message with nested messages, built fully so nested levels type-check as DescriptorProto. */
const nested = (name: string, nestedType: DescriptorProto[] = []): DescriptorProto => create(DescriptorProtoSchema, { name, nestedType });

function message(registry: ReturnType<typeof registryFor>, typeName: string): DescMessage {
  const found = registry.getMessage(typeName);
  assert.ok(found, typeName);
  return found;
}

test('ts-proto type names: nesting joined with _, snake_case levels camel-cased, Date/Function suffixed', () => {
  const registry = registryFor([
    { name: 'Outer', nestedType: [nested('Inner', [nested('Deep')]), nested('snake_inner')] },
    { name: 'Date' },
    { name: 'Function' },
    { name: 'UPPER_CASE' },
    { name: 'Mixed_Name' },
  ]);
  assert.equal(tsProtoTypeName(message(registry, 'x.v1.Outer')), 'Outer');
  assert.equal(tsProtoTypeName(message(registry, 'x.v1.Outer.Inner.Deep')), 'Outer_Inner_Deep');
  assert.equal(tsProtoTypeName(message(registry, 'x.v1.Outer.snake_inner')), 'Outer_snakeInner');
  assert.equal(tsProtoTypeName(message(registry, 'x.v1.Date')), 'DateMessage');
  assert.equal(tsProtoTypeName(message(registry, 'x.v1.Function')), 'FunctionMessage');
  assert.equal(tsProtoTypeName(message(registry, 'x.v1.UPPER_CASE')), 'upperCase');
  assert.equal(tsProtoTypeName(message(registry, 'x.v1.Mixed_Name')), 'MixedName');
});

test('ts-proto module paths are root-relative .js imports of the proto file', () => {
  assert.equal(tsProtoModule('acme/shared/v1/types.proto'), './acme/shared/v1/types.js');
  assert.equal(tsProtoModule('google/protobuf/empty.proto'), './google/protobuf/empty.js');
});

test('method local names are lowerCamelCase and never clash with instance members or thenables', () => {
  const registry = registryFor([{ name: 'Outer' }], ['GetUser', 'ListURLs', 'get_user_name', 'Descriptor', 'Then', 'Constructor', 'ToString', 'OnStart', 'ClientOf']);
  const service = registry.getService('x.v1.S');
  assert.ok(service);
  assert.deepEqual(service.methods.map(methodLocalName), ['getUser', 'listURLs', 'getUserName', 'descriptor$', 'then$', 'constructor$', 'toString$', 'onStart$', 'clientOf$']);
});

test('init derives package, file, sample RPC and class file from the service name', () => {
  assert.deepEqual(serviceNames('acme.inventory.v1.InventoryService'), {
    protoPackage: 'acme.inventory.v1',
    service: 'InventoryService',
    protoPath: 'acme/inventory/v1/inventory.proto',
    rpc: 'GetInventory',
    rpcLocal: 'getInventory',
    kebab: 'inventory-service',
  });
  assert.equal(serviceNames('shop.v2.OrderHistoryService').protoPath, 'shop/v2/order_history.proto');
  assert.equal(serviceNames('a.Service').rpc, 'GetService');
  for (const bad of ['Inventory', 'acme..Inventory', 'acme.1v.Inventory', 'acme.inventory-v1.Svc', '']) {
    assert.throws(() => serviceNames(bad), /not a full service name/, bad);
  }
});
