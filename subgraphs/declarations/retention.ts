import type { PartitionSpec } from '../kit/partitions';
import type { RetentionRule } from '../kit/retention';
import { LIMITS } from './validation';

/** The partitions of `health_declaration` (migration PartitionDeclarations): one per Viet Nam week. */
export const DECLARATION_PARTITIONS: PartitionSpec = {
  table: 'health_declaration',
  column: 'submitted_at',
  period: 'week',
};

/** The day after a monitoring period's last day (inclusive, Viet Nam), as a time. */
const PERIOD_END = `((p.ends_on + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')`;
/** The end of one declaration version's window: submitted_at + its symptom window. */
const WINDOW_END = `(d.submitted_at + make_interval(days => d.symptom_window_days::int))`;

/**
 * Declarations' retention (kit/retention.ts), all RETENTION_DECLARATION_DAYS (30) after a record's
 * window, children first:
 *
 * 1. a monitoring period, after its last day (ends_on + 1 day, Viet Nam time);
 * 2. a health declaration, every version at once, after the latest end of its versions' windows
 *    (submitted_at + symptom_window_days) — and never while a monitoring period it opened remains
 *    (so a declaration that opened a period is kept 30 days past the period's end at least). The
 *    table is partitioned by week of submitted_at (versions share it): a week is dropped whole once
 *    its end plus the longest window (21 days) lies before the cutoff and no monitoring period
 *    refers to a declaration in it;
 * 3. an identity snapshot no remaining declaration refers to, after its declared_at;
 * 4. a citizen (the identity document) with no snapshot, declaration or period left, after the
 *    row's creation.
 */
export const declarationsRetention: readonly RetentionRule[] = [
  {
    name: 'monitoring_period',
    entityType: 'MonitoringPeriod',
    period: 'DECLARATION',
    basis: 'ends_on + 1 day',
    select: `SELECT p.id::text AS key, ${PERIOD_END} AS at FROM monitoring_period p
              WHERE ${PERIOD_END} < $1 ORDER BY at, p.id LIMIT $2`,
    delete: `DELETE FROM monitoring_period WHERE id = ANY ($1::uuid[])`,
  },
  {
    name: 'health_declaration',
    entityType: 'HealthDeclaration',
    period: 'DECLARATION',
    basis: 'submitted_at + symptom_window_days (latest version)',
    select: `SELECT d.id::text AS key, max(${WINDOW_END}) AS at FROM health_declaration d
              WHERE NOT EXISTS (SELECT 1 FROM monitoring_period p WHERE p.source_declaration_id = d.id)
              GROUP BY d.id HAVING max(${WINDOW_END}) < $1 ORDER BY at, d.id LIMIT $2`,
    delete: `DELETE FROM health_declaration WHERE id = ANY ($1::uuid[])`,
    partitions: DECLARATION_PARTITIONS,
    partitionLagDays: LIMITS.maxWindowDays, // a window ends at most this long after submitted_at
    partitionKept: `SELECT EXISTS (SELECT 1 FROM monitoring_period p JOIN health_declaration d ON d.id = p.source_declaration_id
                     WHERE d.submitted_at >= $1 AND d.submitted_at < $2) AS kept`,
  },
  {
    name: 'identity_snapshot',
    entityType: 'Citizen',
    period: 'DECLARATION',
    basis: 'declared_at (snapshots no declaration refers to)',
    select: `SELECT s.id::text AS key, s.declared_at AS at FROM identity_snapshot s
              WHERE s.declared_at < $1
                AND NOT EXISTS (SELECT 1 FROM health_declaration d WHERE d.identity_snapshot_id = s.id)
              ORDER BY s.declared_at, s.id LIMIT $2`,
    delete: `DELETE FROM identity_snapshot WHERE id = ANY ($1::uuid[])`,
  },
  {
    name: 'citizen',
    entityType: 'Citizen',
    period: 'DECLARATION',
    basis: 'created_at (citizens with nothing left on record)',
    select: `SELECT c.ref AS key, c.created_at AS at FROM citizen c
              WHERE c.created_at < $1
                AND NOT EXISTS (SELECT 1 FROM identity_snapshot s WHERE s.citizen_ref = c.ref)
                AND NOT EXISTS (SELECT 1 FROM health_declaration d WHERE d.citizen_ref = c.ref)
                AND NOT EXISTS (SELECT 1 FROM monitoring_period p WHERE p.citizen_ref = c.ref)
              ORDER BY c.created_at, c.ref LIMIT $2`,
    delete: `DELETE FROM citizen WHERE ref = ANY ($1::text[])`,
  },
];
