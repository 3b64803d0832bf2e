import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { importUnitList } from '../subgraphs/kit/admin-units';
import { ROOT } from '../subgraphs/kit/paths';

/**
 * A file in the workplace's shared data folder (official reference data, never copied into the
 * project): `../shared/data` beside the clone, or `SHARED_DATA_DIR` for a clone elsewhere.
 */
export const dataFile = (file: string): string =>
  join(process.env.SHARED_DATA_DIR ?? join(ROOT, '..', 'shared', 'data'), file);

/** The statistics office's list of 2025-03-01: provinces, districts and wards. */
export const GSO_2025_03_01 = {
  file: dataFile('vn-admin-units-gso-2025-03-01.csv'),
  version: 'gso-2025-03-01',
  effectiveFrom: '2025-03-01',
};

/** The provinces after the reform of 2025-07-01, which abolished the districts. */
export const PROVINCES_2025_07_01 = {
  file: dataFile('vn-provinces-2025-07-01.csv'),
  version: 'provinces-2025-07-01',
  effectiveFrom: '2025-07-01',
};

/**
 * Imports both official lists into an organisations database, oldest first: districts are then
 * listed from 2025-03-01 and abolished by the reform list of 2025-07-01.
 */
export async function importOfficialUnitLists(dataSource: DataSource): Promise<void> {
  await importUnitList(dataSource, GSO_2025_03_01);
  await importUnitList(dataSource, PROVINCES_2025_07_01);
}
