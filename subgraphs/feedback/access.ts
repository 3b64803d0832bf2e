import { covers, jurisdictionSql } from '../kit/jurisdiction';
import type { Principal } from '../kit/principal';
import type { FeedbackRow } from './entities';

/*
 * Record-level access to feedback (DESIGN §5.5). A feedback item is in the caller's jurisdiction
 * when one of the caller's grants covers its province, district and ward — or when it is assigned to
 * the caller's own organisation (`assignee_code = principal.organisationCode`), so an organisation
 * handling a report from elsewhere still sees it. An item outside is answered as a missing id.
 */

type Who = Pick<Principal, 'jurisdictions' | 'organisationCode'>;

export function mayAccessFeedback(
  principal: Who,
  f: Pick<FeedbackRow, 'provinceCode' | 'districtCode' | 'wardCode' | 'assigneeCode'>,
): boolean {
  if (principal.organisationCode !== null && f.assigneeCode === principal.organisationCode) return true;
  return covers(principal, { provinceCode: f.provinceCode, districtCode: f.districtCode, wardCode: f.wardCode });
}

/** The same rule as a SQL condition over a feedback alias, with `$n` parameters from `firstParam`. */
export function feedbackSql(principal: Who, alias: string, firstParam: number): { sql: string; params: unknown[] } {
  const j = jurisdictionSql(
    principal,
    { province: `${alias}.province_code`, district: `${alias}.district_code`, ward: `${alias}.ward_code` },
    firstParam,
  );
  if (j.sql === 'TRUE' || principal.organisationCode === null) return j;
  return {
    sql: `(${j.sql} OR ${alias}.assignee_code = $${firstParam + j.params.length})`,
    params: [...j.params, principal.organisationCode],
  };
}

/** The same rule with TypeORM named parameters (`fjur_1`, …), for query builders. */
export function feedbackWhere(principal: Who, alias: string): { sql: string; params: Record<string, unknown> } {
  const { sql, params } = feedbackSql(principal, alias, 1);
  return {
    sql: sql.replace(/\$(\d+)/g, (_, n: string) => `:fjur_${n}`),
    params: Object.fromEntries(params.map((p, i) => [`fjur_${i + 1}`, p])),
  };
}

/**
 * The unit field that takes a report outside the caller's jurisdiction: the province when no grant
 * covers it, else the district, else the ward.
 */
export function outsideField(
  principal: Pick<Principal, 'jurisdictions'>,
  f: { provinceCode: string | null; districtCode?: string | null; wardCode?: string | null },
): string {
  if (!covers(principal, { provinceCode: f.provinceCode })) return 'provinceCode';
  if (f.districtCode && !covers(principal, { provinceCode: f.provinceCode, districtCode: f.districtCode })) {
    return 'districtCode';
  }
  return 'wardCode';
}
