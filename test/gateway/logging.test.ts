import { captureLogs } from '../log-capture';
import { startStack, type Stack } from '../stack';

let stack: Stack;
const logs = captureLogs('stack');
beforeAll(async () => {
  stack = await startStack({ logger: logs.logger });
});
afterAll(async () => {
  await stack.stop();
});

test('each operation logs one line with its request id, name and error codes, and never the token or variables', async () => {
  const token = await stack.token('dev-centre-admin');
  const secretish = { document: '001099012345', phone: '0912345678' };
  const res = await stack.post(
    {
      query: 'query UnitLookup($code: ID!) { administrativeUnit(code: $code) { name } }',
      operationName: 'UnitLookup',
      variables: { code: '79', note: JSON.stringify(secretish) },
    },
    { authorization: `Bearer ${token}` },
  );
  expect(res.status).toBe(200);
  const requestId = res.headers.get('x-request-id');
  const lines = logs.lines().filter((l) => l.requestId === requestId && l.msg === 'operation completed');
  // the gateway and the organisations subgraph each log the operation under the same request id
  expect(lines.length).toBeGreaterThanOrEqual(2);
  expect(lines.find((l) => l.operationName === 'UnitLookup')).toMatchObject({ errorCodes: [] });
  const all = JSON.stringify(logs.lines());
  expect(all).not.toContain(token);
  expect(all).not.toContain(secretish.document);
  expect(all).not.toContain(secretish.phone);
});
