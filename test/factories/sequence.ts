/**
 * Deterministic values for factories: a counter per factory (no Math.random, no clock), so a test
 * file inserts the same rows on every run.
 */
export class Sequence {
  private n = 0;

  constructor(private readonly uuidPrefix: string) {
    if (!/^[0-9a-f]{8}$/.test(uuidPrefix)) throw new Error('uuidPrefix must be 8 hex digits');
  }

  next(): number {
    return ++this.n;
  }

  /** A valid version-4-shaped UUID whose last digits are `n`, e.g. c0000000-0000-4000-8000-000000000007. */
  uuid(n: number): string {
    return `${this.uuidPrefix}-0000-4000-8000-${String(n).padStart(12, '0')}`;
  }
}

/** A fixed instant `hours` after 2021-09-01T00:00:00Z (the autumn 2021 reopening). */
export function testInstant(hours: number): Date {
  return new Date(Date.UTC(2021, 8, 1) + hours * 3_600_000);
}

/** Real statistics-office codes (2025-03-01 list) used across factories. */
export const UNITS = {
  haNoi: { province: '01', district: '001', ward: '00001' }, // Ba Đình, Phúc Xá
  hoChiMinh: { province: '79', district: '760', ward: '26740' }, // Quận 1, Bến Nghé
} as const;
