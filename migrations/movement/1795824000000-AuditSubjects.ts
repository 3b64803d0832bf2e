import type { MigrationInterface, QueryRunner } from 'typeorm';
import { addAuditSubjectRefs, dropAuditSubjectRefs } from '../../subgraphs/kit/audit';

/** Whose data each audited read concerned (`Citizen.accessLog`); earlier rows have none. */
export class AuditSubjects1795824000000 implements MigrationInterface {
  name = 'AuditSubjects1795824000000';

  public async up(q: QueryRunner): Promise<void> {
    await addAuditSubjectRefs(q);
  }

  public async down(q: QueryRunner): Promise<void> {
    await dropAuditSubjectRefs(q);
  }
}
