import { citizenRef, type PseudonymKey } from '../../subgraphs/kit/pseudonym';

/**
 * The pseudonymisation key of the test suites: fixed, so every subgraph's factories compute the
 * same `Citizen.ref` for the same person (the join the gateway tests rely on).
 */
export const TEST_PSEUDONYM_KEY: PseudonymKey = { version: 't1', secret: Buffer.alloc(32, 7) };

/** The n-th test person's citizen ID (CCCD: 12 digits; born in Hà Nội, 1990s). */
export function testCitizenDocumentNumber(n: number): string {
  return `001099${String(n).padStart(6, '0')}`;
}

/** The n-th test person's pseudonym, as every subgraph would compute it. */
export function testCitizenRef(n: number): string {
  return citizenRef({ type: 'CCCD', number: testCitizenDocumentNumber(n) }, TEST_PSEUDONYM_KEY);
}
