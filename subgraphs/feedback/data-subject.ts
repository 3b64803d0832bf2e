import { dataSubjectResolvers, type DataSubjectSpec } from '../kit/data-subject';

/**
 * Feedback's part of the data subject's rights (kit/data-subject.ts): feedback a person reported
 * (copied in full, with its handling history) and feedback that names them (copied without the
 * reporter). Erasure keeps the reports, which concern public health, but removes every link to the
 * person: a report they made becomes anonymous, a report about them no longer names them.
 */
export const feedbackDataSubject: DataSubjectSpec = {
  section: 'feedback',
  eraseMutation: 'eraseCitizenFeedback',
  records: [
    {
      entityType: 'Feedback',
      sql: `SELECT f.id::text AS id,
                   CASE WHEN f.reporter_ref = $1 THEN to_jsonb(f)
                        ELSE to_jsonb(f) - 'reporter_ref' - 'reporter_phone' - 'reporter_kind'
                   END AS data
              FROM feedback f
             WHERE f.reporter_ref = $1 OR f.reported_ref = $1
             ORDER BY f.reported_at, f.id`,
    },
    {
      entityType: 'FeedbackChange',
      sql: `SELECT c.feedback_id::text || ':' || c.seq AS id, to_jsonb(c) AS data
              FROM feedback_change c JOIN feedback f ON f.id = c.feedback_id
             WHERE f.reporter_ref = $1 ORDER BY c.feedback_id, c.seq`,
    },
  ],
  erasure: [
    {
      entityType: 'Feedback.reporter',
      action: 'ANONYMISED',
      sql: `UPDATE feedback SET reporter_kind = 'ANONYMOUS', reporter_ref = NULL
             WHERE reporter_ref = $1 RETURNING 1`,
    },
    {
      entityType: 'Feedback.reportedPerson',
      action: 'ANONYMISED',
      sql: `UPDATE feedback SET reported_ref = NULL WHERE reported_ref = $1 RETURNING 1`,
    },
  ],
};

export const feedbackDataSubjectResolvers = dataSubjectResolvers(feedbackDataSubject);
