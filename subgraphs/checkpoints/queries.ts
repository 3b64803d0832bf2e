import type { DataSource } from 'typeorm';
import { badInput } from '../kit/errors';
import { decodeCursor, pageSize, toConnection, type Connection, type PageArgs } from '../kit/pagination';
import { isUuid, requireProvinceCode } from '../kit/refs';
import { CheckpointRow, type CheckpointKind, type CheckpointStatus } from './entities';

export interface CheckpointListArgs extends PageArgs {
  provinceCode?: string | null;
  kind?: CheckpointKind | null;
  status?: CheckpointStatus | null;
}

function afterKey(cursor: string | null | undefined): { name: string; id: string } | null {
  const key = decodeCursor(cursor, 2);
  if (!key) return null;
  const [name, id] = key;
  if (typeof name !== 'string' || !isUuid(id)) throw badInput('after', 'is not a cursor returned by this field');
  return { name, id };
}

/**
 * One page of checkpoints ordered by name, then id: keyset pagination served by ix_checkpoint_name
 * (ix_checkpoint_province_name within a province); kind and status filter the scan.
 */
export async function listCheckpoints(db: DataSource, args: CheckpointListArgs): Promise<Connection<CheckpointRow>> {
  const size = pageSize(args.first);
  const after = afterKey(args.after);
  const qb = db.getRepository(CheckpointRow).createQueryBuilder('c');
  if (args.provinceCode) {
    qb.andWhere('c.province_code = :province', { province: requireProvinceCode('provinceCode', args.provinceCode) });
  }
  if (args.kind) qb.andWhere('c.kind = :kind', { kind: args.kind });
  if (args.status) qb.andWhere('c.status = :status', { status: args.status });
  if (after) qb.andWhere('(c.name, c.id) > (:afterName, :afterId)', { afterName: after.name, afterId: after.id });
  const rows = await qb
    .orderBy('c.name', 'ASC')
    .addOrderBy('c.id', 'ASC')
    .limit(size + 1)
    .getMany();
  return toConnection(rows, size, (r) => [r.name, r.id]);
}
