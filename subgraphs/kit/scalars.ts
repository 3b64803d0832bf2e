import { DateResolver, DateTimeResolver } from 'graphql-scalars';

/** `Date` (YYYY-MM-DD, a calendar day) and `DateTime` (ISO 8601, stored in UTC). */
export const scalarResolvers = { Date: DateResolver, DateTime: DateTimeResolver };

/** A `Date` scalar value as the `YYYY-MM-DD` text PostgreSQL `date` columns use. */
export function toDateText(d: Date): string {
  return d.toISOString().slice(0, 10);
}
