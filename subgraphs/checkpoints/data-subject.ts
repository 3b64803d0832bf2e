import { dataSubjectResolvers, type DataSubjectSpec } from '../kit/data-subject';

/** Checkpoints' part of the data subject's rights (kit/data-subject.ts): the person's passages. */
export const checkpointsDataSubject: DataSubjectSpec = {
  section: 'checkpoints',
  eraseMutation: 'eraseCitizenPassages',
  records: [
    {
      entityType: 'Passage',
      sql: `SELECT p.id::text AS id, to_jsonb(p) AS data FROM passage p
             WHERE p.citizen_ref = $1 ORDER BY p.scanned_at, p.id`,
    },
  ],
  erasure: [
    { entityType: 'Passage', action: 'DELETED', sql: `DELETE FROM passage WHERE citizen_ref = $1 RETURNING 1` },
  ],
};

export const checkpointsDataSubjectResolvers = dataSubjectResolvers(checkpointsDataSubject);
