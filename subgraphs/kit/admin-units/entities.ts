import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

/**
 * One imported version of the official list of administrative units. Every subgraph keeps its own
 * copy (one database per subgraph), imported by `importUnitList` into these two tables.
 */
@Entity({ name: 'unit_list_version' })
export class UnitListVersion {
  @PrimaryColumn({ type: 'text', name: 'name', primaryKeyConstraintName: 'pk_unit_list_version' })
  name: string;

  /** Calendar day from which this list is in force. */
  @Column({ type: 'date', name: 'effective_from' })
  effectiveFrom: string;

  /** Where the list came from (file name or "built-in"). */
  @Column({ type: 'text', name: 'source' })
  source: string;

  /** sha256 of the imported file: a re-run with the same file is a no-op, a different file an error. */
  @Column({ type: 'text', name: 'checksum' })
  checksum: string;

  @Column({ type: 'integer', name: 'unit_count' })
  unitCount: number;

  @Column({ type: 'timestamptz', name: 'imported_at', default: () => 'now()' })
  importedAt: Date;
}

/** One unit as listed in one version; a code appears once per version that lists it. */
@Entity({ name: 'administrative_unit' })
@Index('ix_administrative_unit_code', ['code'])
@Index('ix_administrative_unit_version_parent', ['listVersion', 'parentCode'])
@Check('ck_administrative_unit_level', 'level BETWEEN 1 AND 3')
export class AdministrativeUnitRow {
  @PrimaryColumn({ type: 'text', name: 'list_version', primaryKeyConstraintName: 'pk_administrative_unit' })
  listVersion: string;

  @PrimaryColumn({ type: 'text', name: 'code', primaryKeyConstraintName: 'pk_administrative_unit' })
  code: string;

  @Column({ type: 'text', name: 'name' })
  name: string;

  @Column({ type: 'text', name: 'type' })
  type: string;

  /** 1 province, 2 district, 3 ward/commune. */
  @Column({ type: 'smallint', name: 'level' })
  level: number;

  @Column({ type: 'text', name: 'parent_code', nullable: true })
  parentCode: string | null;

  @ManyToOne(() => UnitListVersion, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'list_version', foreignKeyConstraintName: 'fk_administrative_unit_list_version' })
  version?: UnitListVersion;
}

export const ADMIN_UNIT_ENTITIES = [UnitListVersion, AdministrativeUnitRow];
