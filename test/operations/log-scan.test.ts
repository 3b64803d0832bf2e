import { silentLogger } from '../../subgraphs/kit/logger';
import { scanLogText, suiteLogFile } from '../log-scan';
import { readFileSync } from 'node:fs';

/**
 * The suite-wide log scan (test/log-scan.ts, run by the global teardown) finds identity numbers,
 * Vietnamese phone numbers and JWTs, without mistaking ids, times or durations for them.
 */

const kinds = (text: string) => scanLogText(text).map((f) => f.kind);

test('finds a 12-digit citizen ID, a phone number in either form, and a JWT', () => {
  expect(kinds('{"msg":"lookup","document":"001099000001"}')).toEqual(['citizen ID']);
  expect(kinds('{"phone":"0912345678"}')).toEqual(['phone number']);
  expect(kinds('{"phone":"+84912345678"}')).toEqual(['phone number']);
  expect(kinds('{"phone":"84912345678"}')).toEqual(['phone number']);
  expect(kinds('{"landline":"02438251234"}')).toEqual(['phone number']);
  expect(kinds('{"auth":"Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"}')).toEqual(['token']);
});

test('does not flag UUIDs, timestamps, durations, masked values or longer numbers', () => {
  const line = JSON.stringify({
    requestId: 'de300000-0000-4000-8300-000000000002',
    time: '2021-09-01T00:00:00.000Z',
    durationMs: 0.0912345678,
    masked: '0010******45',
    phoneMasked: '09******78',
    position: '12345678901234',
    count: 912345678,
  });
  expect(scanLogText(line)).toEqual([]);
});

test('reports findings masked, with their line', () => {
  expect(scanLogText('ok\n{"d":"001099000001"}', 'w.jsonl')).toEqual([
    { kind: 'citizen ID', file: 'w.jsonl', line: 2, masked: '00********01' },
  ]);
});

test("tests' silent loggers write to the run's scan file", () => {
  const file = suiteLogFile();
  expect(file).toBeDefined();
  silentLogger().info({ marker: 'log-scan-self-test' }, 'scan me');
  expect(readFileSync(file!, 'utf8')).toContain('log-scan-self-test');
});
