import type { DataSource } from 'typeorm';
import type { GraphQLResponse } from '../stack';

/** Shared operations and assertions of the declarations tests (through the gateway). */

export const SUBMIT = `mutation($input: SubmitDeclarationInput!, $key: String) {
  submitDeclaration(input: $input, idempotencyKey: $key) { id version kind submittedAt }
}`;

export const AMEND = `mutation($id: ID!, $expected: Int!, $input: AmendDeclarationInput!, $reason: String!) {
  amendDeclaration(id: $id, expectedVersion: $expected, input: $input, reason: $reason) { id version }
}`;

export const RECORD_DAILY = `mutation($input: DailyMonitoringInput!, $key: String) {
  recordDailyMonitoring(input: $input, idempotencyKey: $key) { id version kind submittedAt }
}`;

export const PLACE = `mutation($input: PlaceUnderMonitoringInput!) {
  placeUnderMonitoring(input: $input) { id startsOn endsOn }
}`;

/** Every field of a declaration, nested types included. */
export const DECLARATION_FIELDS = `
  id version kind questionnaireVersion channel declaredBy submittedAt
  proxy { fullName relationship }
  province { code } district { code } ward { code }
  citizen { ref }
  identity {
    fullName yearOfBirth sex nationality phone email declaredAt
    document { type number country }
    contactAddress { province { code } district { code } ward { code } detail }
  }
  symptomWindowDays symptoms symptomatic symptomOnset temperatureCelsius
  exposures { question answer }
  travelHistory { countryCode province { code } place from to }
  vaccination { doses lastDoseOn }
  latestTest { type result testedOn }
  entry { arrivalDate departureCountry portOfEntry quarantineFacility { name province { code } district { code } ward { code } } }
  recordedBy recordedAt amendedBy amendedAt amendmentReason
`;

export interface RowCounts {
  citizens: number;
  snapshots: number;
  declarations: number;
  periods: number;
  keys: number;
}

/** Rows of every table a declaration write touches. */
export async function countRows(ds: DataSource): Promise<RowCounts> {
  const [row] = (await ds.query(`SELECT
    (SELECT count(*)::int FROM citizen) AS citizens,
    (SELECT count(*)::int FROM identity_snapshot) AS snapshots,
    (SELECT count(*)::int FROM health_declaration) AS declarations,
    (SELECT count(*)::int FROM monitoring_period) AS periods,
    (SELECT count(*)::int FROM idempotency_key) AS keys`)) as RowCounts[];
  return row!;
}

/** Exactly one error with the code (and the field, for BAD_USER_INPUT), leaking no SQL or stack. */
export function expectError(res: GraphQLResponse<unknown>, code: string, field?: string): void {
  expect(res.body.errors).toHaveLength(1);
  const error = res.body.errors![0]!;
  expect(error.extensions?.code).toBe(code);
  if (field !== undefined) {
    expect(error.extensions?.field).toBe(field);
    expect(error.message.startsWith(`${field}: `)).toBe(true);
  }
  expect(error.message).not.toMatch(/SELECT|INSERT|UPDATE|relation|violates|\.ts:\d+/);
}

/** The data of a response that must have no errors. */
export function ok<T>(res: GraphQLResponse<T>): T {
  expect(res.body.errors).toBeUndefined();
  return res.body.data as T;
}
