import type { DataSource } from 'typeorm';
import { demoInstant } from '../../subgraphs/kit/demo';
import { testCitizenDocumentNumber } from '../factories/citizens';
import { UNITS } from '../factories/sequence';
import type { GraphQLResponse } from '../stack';

/*
 * Shared by the movement tests that run through the gateway. Declarations are validated against
 * the clock (a departure may not be older than 30 days), so inputs are built relative to the
 * Vietnamese calendar day the test runs on, always at the same local hours.
 */

/** Callers (seeded development users): an app that declares, officials who read and decide. */
export const APP = 'dev-consumer-79'; // movement:write
export const OFFICIAL = 'dev-health-79'; // movement:read, movement:decide, pii:read
export const DPO = 'dev-dpo'; // movement:read without pii:read
export const ANALYST = 'dev-analyst'; // no movement scope

/** `days` Vietnamese calendar days from today at `hour` local time. */
export const daysFromNow = (days: number, hour: number): Date => demoInstant(-days, hour);

/** A CCCD identity document of test person n (as the declarations factories use). */
export const cccd = (n: number) => ({ type: 'CCCD', number: testCitizenDocumentNumber(n) });

/** A valid declaration input: test person n flies Hà Nội → Hồ Chí Minh City in 3 days. */
export function declarationInput(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    citizen: cccd(n),
    companions: [],
    mode: 'PLANE',
    conveyanceId: 'VN 213',
    seat: '12a',
    departAt: daysFromNow(3, 8).toISOString(),
    arriveAt: daysFromNow(3, 10).toISOString(),
    origin: {
      provinceCode: UNITS.haNoi.province,
      districtCode: UNITS.haNoi.district,
      wardCode: UNITS.haNoi.ward,
      detail: '1 Phố Phúc Xá',
    },
    destination: {
      provinceCode: UNITS.hoChiMinh.province,
      districtCode: UNITS.hoChiMinh.district,
      wardCode: UNITS.hoChiMinh.ward,
      detail: '2 Lê Lợi',
    },
    transitUnitCodes: [],
    purpose: 'Family visit',
    ...overrides,
  };
}

export const DECLARE = `mutation($input: DeclareMovementInput!, $key: String) {
  declareMovement(input: $input, idempotencyKey: $key) { id status validUntil declaredAt }
}`;

export interface Declared {
  declareMovement: { id: string; status: string; validUntil: string; declaredAt: string };
}

/** Rows in every table a declaration writes to. */
export async function tableCounts(ds: DataSource): Promise<Record<string, number>> {
  const [row] = (await ds.query(
    `SELECT (SELECT count(*)::int FROM movement_declaration) AS declarations,
            (SELECT count(*)::int FROM movement_status_change) AS "statusChanges",
            (SELECT count(*)::int FROM idempotency_key) AS "idempotencyKeys"`,
  )) as Record<string, number>[];
  return row!;
}

/** Exactly one error, with this code (and field), and nothing internal in its message. */
export function expectError(res: GraphQLResponse<unknown>, code: string, field?: string): string {
  expect(res.body.errors).toHaveLength(1);
  const error = res.body.errors![0]!;
  expect(error.extensions?.code).toBe(code);
  if (field !== undefined) {
    expect(error.extensions?.field).toBe(field);
    if (code === 'BAD_USER_INPUT') expect(error.message.startsWith(`${field}: `)).toBe(true);
  }
  expect(error.message).not.toMatch(/SELECT|INSERT|UPDATE|relation|violates|at .*\.ts/);
  return error.message;
}
