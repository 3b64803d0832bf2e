import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createAdminUnitTables, dropAdminUnitTables } from '../../subgraphs/kit/admin-units/schema';

/** The versioned list of administrative units (shared DDL from the kit). */
export class AdministrativeUnits1764201600000 implements MigrationInterface {
  name = 'AdministrativeUnits1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await createAdminUnitTables(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropAdminUnitTables(q);
  }
}
