import { DEFAULT_GATEWAY_HEAP_MB, gatewayNodeArgs } from '../../gateway/node-args';

test('the gateway runs with a bounded old space, GATEWAY_HEAP_MB when given', () => {
  expect(gatewayNodeArgs({})).toEqual([`--max-old-space-size=${DEFAULT_GATEWAY_HEAP_MB}`]);
  expect(gatewayNodeArgs({ GATEWAY_HEAP_MB: '512' })).toEqual(['--max-old-space-size=512']);
  for (const bad of ['32', '1.5', 'lots', '99999']) {
    expect(() => gatewayNodeArgs({ GATEWAY_HEAP_MB: bad })).toThrow(
      `GATEWAY_HEAP_MB must be a whole number of MB from 64 to 16384 (got "${bad}")`,
    );
  }
});
