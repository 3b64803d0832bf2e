import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `stored_device_passages(device, ids)`: the passages a device already sent, by its own ids, on any
 * day (checkpoints/passage-rows.ts `storedDevicePassages`, under the device's lock). The look-up
 * names no scan time, so it reads every day partition; planned afresh each time, that cost ~3.5 ms
 * at ~30 partitions whatever the number of ids — most of a single passage's look-up. In a
 * PL/pgSQL function the statement is prepared once per connection and, after its first runs,
 * executed from one generic plan (docs/PERFORMANCE.md step 14). The id list is sorted once, in the
 * column's order, so each partition's index scan finds its keys in order rather than sorting them.
 * SECURITY INVOKER (the default): the caller reads what their own privileges allow.
 */
export class DevicePassageLookup1796428800000 implements MigrationInterface {
  name = 'DevicePassageLookup1796428800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION stored_device_passages(device text, ids text[]) RETURNS SETOF public.passage
      LANGUAGE plpgsql STABLE AS $body$
      BEGIN
        RETURN QUERY SELECT * FROM public.passage
          WHERE device_id = device AND device_passage_id = ANY (ARRAY(SELECT i FROM unnest(ids) AS i ORDER BY i));
      END
      $body$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION stored_device_passages(text, text[])`);
  }
}
