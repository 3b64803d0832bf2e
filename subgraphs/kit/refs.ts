import { badInput } from './errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a value can be compared with a `uuid` column. Ids that are not UUIDs cannot match a row,
 * so loaders answer null for them instead of letting PostgreSQL fail the whole batch.
 */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** Official statistics-office code of a province (2 digits); BAD_USER_INPUT otherwise. */
export function requireProvinceCode(field: string, value: string): string {
  if (!/^\d{2}$/.test(value)) throw badInput(field, 'must be a 2-digit province code');
  return value;
}

/**
 * A reference to an entity another subgraph owns (`AdministrativeUnit`, `Organisation`), or null
 * when no code is stored; the owner resolves the rest through the gateway.
 */
export function codeRef(code: string | null): { code: string } | null {
  return code === null ? null : { code };
}
