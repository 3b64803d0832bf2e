import { dataSubjectResolvers, type DataSubjectSpec } from '../kit/data-subject';

/**
 * Movement's part of the data subject's rights (kit/data-subject.ts): the movement declarations a
 * person made (with their status history) and the journeys they were a companion on. A companion's
 * copy leaves out the other travellers; erasure deletes the person's own declarations and removes
 * them from the companions of others' (those journeys stay: they are the other travellers' records).
 */
export const movementDataSubject: DataSubjectSpec = {
  section: 'movement',
  eraseMutation: 'eraseCitizenMovements',
  records: [
    {
      entityType: 'MovementDeclaration',
      sql: `SELECT m.id::text AS id,
                   CASE WHEN m.citizen_ref = $1 THEN to_jsonb(m)
                        ELSE to_jsonb(m) - 'citizen_ref' - 'companion_refs' || jsonb_build_object('companion', true)
                   END AS data
              FROM movement_declaration m
             WHERE m.citizen_ref = $1 OR $1 = ANY (m.companion_refs)
             ORDER BY m.depart_at, m.id`,
    },
    {
      entityType: 'MovementStatusChange',
      sql: `SELECT c.id::text AS id, to_jsonb(c) AS data
              FROM movement_status_change c JOIN movement_declaration m ON m.id = c.movement_id
             WHERE m.citizen_ref = $1 ORDER BY c.id`,
    },
  ],
  erasure: [
    // the status history goes with its declaration (ON DELETE CASCADE)
    {
      entityType: 'MovementDeclaration',
      action: 'DELETED',
      sql: `DELETE FROM movement_declaration WHERE citizen_ref = $1 RETURNING 1`,
    },
    {
      entityType: 'MovementDeclaration.companions',
      action: 'ANONYMISED',
      sql: `UPDATE movement_declaration SET companion_refs = array_remove(companion_refs, $1)
             WHERE $1 = ANY (companion_refs) RETURNING 1`,
    },
  ],
};

export const movementDataSubjectResolvers = dataSubjectResolvers(movementDataSubject);
