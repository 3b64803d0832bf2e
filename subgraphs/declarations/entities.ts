import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { AdministrativeUnitRow, UnitListVersion } from '../kit/admin-units/entities';
import { IdempotencyKey } from '../kit/idempotency';
import type { DocumentType } from '../kit/pseudonym';

/*
 * The declarations subgraph's tables. Codes are stored as text guarded by CHECK constraints (adding
 * a value is a one-line migration); every check, index and foreign key is named so the drift test
 * can compare these entities with the hand-written migrations.
 */

export const DECLARATION_KINDS = ['ENTRY', 'UNIVERSAL', 'DOMESTIC_TRAVEL', 'DAILY_MONITORING'] as const;
export type DeclarationKind = (typeof DECLARATION_KINDS)[number];

export const DOCUMENT_TYPES: readonly DocumentType[] = ['CCCD', 'CMND', 'PASSPORT'];

export const SEXES = ['MALE', 'FEMALE', 'OTHER'] as const;
export type Sex = (typeof SEXES)[number];

export const DECLARANTS = ['SELF', 'PROXY'] as const;
export type Declarant = (typeof DECLARANTS)[number];

export const PROXY_RELATIONSHIPS = [
  'PARENT',
  'CHILD',
  'SPOUSE',
  'SIBLING',
  'GRANDPARENT',
  'GRANDCHILD',
  'OTHER_HOUSEHOLD_MEMBER',
] as const;
export type ProxyRelationship = (typeof PROXY_RELATIONSHIPS)[number];

export const SYMPTOMS = [
  'FEVER',
  'COUGH',
  'SHORTNESS_OF_BREATH',
  'SORE_THROAT',
  'FATIGUE',
  'VOMITING',
  'DIARRHOEA',
  'SKIN_HAEMORRHAGE',
  'RASH',
  'LOSS_OF_TASTE_OR_SMELL',
  'MUSCLE_ACHE',
  'HEADACHE',
] as const;
export type Symptom = (typeof SYMPTOMS)[number];

export const EXPOSURE_QUESTIONS = [
  'CONTACT_WITH_CONFIRMED_OR_SUSPECTED_CASE',
  'CONTACT_WITH_ARRIVAL_FROM_AFFECTED_AREA',
  'CONTACT_WITH_SYMPTOMATIC_PERSON',
  'VISITED_AFFECTED_AREA',
  'CARED_FOR_INFECTIOUS_PATIENT',
  'VISITED_LIVE_ANIMAL_SITE',
] as const;
export type ExposureQuestion = (typeof EXPOSURE_QUESTIONS)[number];

export const TEST_TYPES = ['RT_PCR', 'RAPID_ANTIGEN', 'ANTIBODY'] as const;
export type TestType = (typeof TEST_TYPES)[number];

export const TEST_RESULTS = ['NEGATIVE', 'POSITIVE', 'INCONCLUSIVE', 'PENDING'] as const;
export type TestResult = (typeof TEST_RESULTS)[number];

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** Health answers kept as one JSON document: questionnaires change often, the columns stay. */
export interface HealthAnswers {
  /** YYYY-MM-DD, within the form's symptom window. */
  symptomOnset: string | null;
  temperatureCelsius: number | null;
  exposures: { question: ExposureQuestion; answer: boolean }[];
  travelHistory: {
    countryCode: string;
    provinceCode: string | null;
    place: string | null;
    from: string;
    to: string | null;
  }[];
  vaccination: { doses: number; lastDoseOn: string | null } | null;
  latestTest: { type: TestType; result: TestResult; testedOn: string } | null;
}

export interface QuarantineFacility {
  name: string;
  provinceCode: string;
  districtCode: string | null;
  wardCode: string | null;
}

/** Answers only an ENTRY declaration has. */
export interface EntryDetails {
  arrivalDate: string;
  departureCountry: string;
  portOfEntry: string | null;
  quarantineFacility: QuarantineFacility | null;
}

export interface ProxyDeclarant {
  fullName: string;
  relationship: ProxyRelationship;
}

/**
 * A person known by pseudonym (DESIGN §4). The identity document the pseudonym was computed from is
 * kept here and nowhere else in the graph (a protected field); rows older than the full form have
 * none.
 */
@Entity({ name: 'citizen' })
@Check('ck_citizen_document_type', `document_type IS NULL OR document_type IN (${list(DOCUMENT_TYPES)})`)
@Check(
  'ck_citizen_document',
  '(document_type IS NULL) = (document_number IS NULL) AND (document_type IS NULL) = (document_country IS NULL)',
)
export class CitizenRow {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_citizen' })
  ref: string;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3, default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'document_type', type: 'text', nullable: true })
  documentType: DocumentType | null;

  /** Normalised (no spaces, upper case). Personal data: never logged, never in messages. */
  @Column({ name: 'document_number', type: 'text', nullable: true })
  documentNumber: string | null;

  /** ISO 3166-1 alpha-2 issuing country ("VN" for national ids). */
  @Column({ name: 'document_country', type: 'text', nullable: true })
  documentCountry: string | null;
}

/**
 * Who the declarant said they were, and how to reach them, at the time of one declaration. Daily
 * monitoring records made by staff reuse the latest snapshot instead of copying it.
 */
@Entity({ name: 'identity_snapshot' })
@Index('ix_identity_snapshot_citizen_declared', ['citizenRef', 'declaredAt'])
@Check('ck_identity_snapshot_sex', `sex IS NULL OR sex IN (${list(SEXES)})`)
export class IdentitySnapshotRow {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_identity_snapshot' })
  id: string;

  @Column({ name: 'citizen_ref', type: 'text' })
  citizenRef: string;

  @ManyToOne(() => CitizenRow, { nullable: false, onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'citizen_ref', foreignKeyConstraintName: 'fk_identity_snapshot_citizen' })
  citizen?: CitizenRow;

  /** The submission time of the declaration that recorded it: "latest" means latest declared. */
  @Column({ name: 'declared_at', type: 'timestamptz', precision: 3 })
  declaredAt: Date;

  @Column({ name: 'full_name', type: 'text' })
  fullName: string;

  @Column({ name: 'year_of_birth', type: 'smallint', nullable: true })
  yearOfBirth: number | null;

  @Column({ type: 'text', nullable: true })
  sex: Sex | null;

  /** ISO 3166-1 alpha-2. */
  @Column({ type: 'text', nullable: true })
  nationality: string | null;

  @Column({ type: 'text', nullable: true })
  phone: string | null;

  @Column({ type: 'text', nullable: true })
  email: string | null;

  @Column({ name: 'address_province_code', type: 'text', nullable: true })
  addressProvinceCode: string | null;

  @Column({ name: 'address_district_code', type: 'text', nullable: true })
  addressDistrictCode: string | null;

  @Column({ name: 'address_ward_code', type: 'text', nullable: true })
  addressWardCode: string | null;

  @Column({ name: 'address_detail', type: 'text', nullable: true })
  addressDetail: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3, default: () => 'now()' })
  createdAt: Date;
}

/**
 * One version of a health declaration: (id, version) identifies it, and the row whose
 * `superseded_at` is null is the current version (at most one per id). Amending writes version n+1
 * and marks version n superseded, so every version stays readable in full.
 *
 * The table is partitioned by Viet Nam week of `submitted_at` (migration PartitionDeclarations;
 * the entity describes the parent). A partitioned table's unique keys include its partition key:
 * the primary key is (id, version, submitted_at) and the current-version key (id, submitted_at);
 * an amendment keeps `submitted_at`, so all versions of a declaration share it and those keys
 * still hold per id.
 */
@Entity({ name: 'health_declaration' })
@Index('uq_health_declaration_current', ['id', 'submittedAt'], { unique: true, where: 'superseded_at IS NULL' })
@Index('ix_health_declaration_citizen_submitted', ['citizenRef', 'submittedAt'])
@Index('ix_health_declaration_province_submitted', ['provinceCode', 'submittedAt'])
@Index('ix_health_declaration_province_kind_submitted', ['provinceCode', 'kind', 'submittedAt'])
@Index('ix_health_declaration_district_submitted', ['districtCode', 'submittedAt'])
@Index('ix_health_declaration_ward_submitted', ['wardCode', 'submittedAt'])
@Index('ix_health_declaration_symptomatic', ['provinceCode', 'submittedAt'], {
  where: 'symptomatic AND superseded_at IS NULL',
})
@Index('ix_health_declaration_identity_snapshot', ['identitySnapshotId'])
@Check('ck_health_declaration_kind', `kind IN (${list(DECLARATION_KINDS)})`)
@Check('ck_health_declaration_declared_by', `declared_by IN (${list(DECLARANTS)})`)
@Check('ck_health_declaration_proxy', `(declared_by = 'PROXY') = (proxy IS NOT NULL)`)
@Check('ck_health_declaration_symptoms', `symptoms <@ ARRAY[${list(SYMPTOMS)}]::text[]`)
@Check('ck_health_declaration_symptomatic', 'symptomatic = (cardinality(symptoms) > 0)')
@Check('ck_health_declaration_window', 'symptom_window_days BETWEEN 1 AND 21')
@Check('ck_health_declaration_version', 'version >= 1 AND (version = 1) = (amendment_reason IS NULL)')
export class HealthDeclarationRow {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_health_declaration' })
  id: string;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'pk_health_declaration' })
  version: number;

  @Column({ name: 'citizen_ref', type: 'text' })
  citizenRef: string;

  @ManyToOne(() => CitizenRow, { nullable: false, onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'citizen_ref', foreignKeyConstraintName: 'fk_health_declaration_citizen' })
  citizen?: CitizenRow;

  @Column({ type: 'text' })
  kind: DeclarationKind;

  @Column({ name: 'questionnaire_version', type: 'text' })
  questionnaireVersion: string;

  /** The system it came from, e.g. `app`, `web`, `onsite`. */
  @Column({ type: 'text' })
  channel: string;

  @Column({ name: 'declared_by', type: 'text' })
  declaredBy: Declarant;

  /** Who filled the form for a household member (null when declared by the person). */
  @Column({ type: 'jsonb', nullable: true })
  proxy: ProxyDeclarant | null;

  @PrimaryColumn({
    name: 'submitted_at',
    type: 'timestamptz',
    precision: 3,
    primaryKeyConstraintName: 'pk_health_declaration',
  })
  submittedAt: Date;

  /** The responsible administrative unit, as declared (validated against the list in force then). */
  @Column({ name: 'province_code', type: 'text', nullable: true })
  provinceCode: string | null;

  @Column({ name: 'district_code', type: 'text', nullable: true })
  districtCode: string | null;

  @Column({ name: 'ward_code', type: 'text', nullable: true })
  wardCode: string | null;

  @Column({ name: 'identity_snapshot_id', type: 'uuid' })
  identitySnapshotId: string;

  @ManyToOne(() => IdentitySnapshotRow, { nullable: false, onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'identity_snapshot_id', foreignKeyConstraintName: 'fk_health_declaration_identity_snapshot' })
  identitySnapshot?: IdentitySnapshotRow;

  /** How many days back the symptom questions asked about (1 for a daily form). */
  @Column({ name: 'symptom_window_days', type: 'smallint' })
  symptomWindowDays: number;

  @Column({ type: 'text', array: true })
  symptoms: Symptom[];

  /** Derived from `symptoms` (a CHECK keeps them in step), so the filter is a plain indexed column. */
  @Column({ type: 'boolean' })
  symptomatic: boolean;

  @Column({ type: 'jsonb' })
  answers: HealthAnswers;

  @Column({ type: 'jsonb', nullable: true })
  entry: EntryDetails | null;

  /** Who wrote this version: the submitter for version 1, the amender after. */
  @Column({ name: 'recorded_by', type: 'text' })
  recordedBy: string;

  @Column({ name: 'recorded_at', type: 'timestamptz', precision: 3, default: () => 'now()' })
  recordedAt: Date;

  @Column({ name: 'amendment_reason', type: 'text', nullable: true })
  amendmentReason: string | null;

  @Column({ name: 'superseded_at', type: 'timestamptz', precision: 3, nullable: true })
  supersededAt: Date | null;
}

/**
 * A period during which a person must declare daily (DAILY_MONITORING). Days are Vietnamese
 * calendar days, both ends inclusive. An ENTRY declaration with a quarantine facility opens one
 * (`source_declaration_id`); health officials open others.
 */
@Entity({ name: 'monitoring_period' })
@Index('ix_monitoring_period_citizen_starts', ['citizenRef', 'startsOn'])
@Index('ix_monitoring_period_province_ends', ['provinceCode', 'endsOn'])
@Index('ix_monitoring_period_district_ends', ['districtCode', 'endsOn'])
@Index('ix_monitoring_period_ward_ends', ['wardCode', 'endsOn'])
@Index('uq_monitoring_period_source_declaration', ['sourceDeclarationId'], { unique: true })
@Check('ck_monitoring_period_days', 'ends_on >= starts_on')
export class MonitoringPeriodRow {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_monitoring_period' })
  id: string;

  @Column({ name: 'citizen_ref', type: 'text' })
  citizenRef: string;

  @ManyToOne(() => CitizenRow, { nullable: false, onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'citizen_ref', foreignKeyConstraintName: 'fk_monitoring_period_citizen' })
  citizen?: CitizenRow;

  @Column({ name: 'province_code', type: 'text' })
  provinceCode: string;

  @Column({ name: 'district_code', type: 'text', nullable: true })
  districtCode: string | null;

  @Column({ name: 'ward_code', type: 'text', nullable: true })
  wardCode: string | null;

  /** First day (YYYY-MM-DD, Viet Nam). */
  @Column({ name: 'starts_on', type: 'date' })
  startsOn: string;

  /** Last day, inclusive. */
  @Column({ name: 'ends_on', type: 'date' })
  endsOn: string;

  @Column({ type: 'text' })
  reason: string;

  /** The ENTRY declaration that opened the period, if one did. */
  @Column({ name: 'source_declaration_id', type: 'uuid', nullable: true })
  sourceDeclarationId: string | null;

  @Column({ name: 'created_by', type: 'text' })
  createdBy: string;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3, default: () => 'now()' })
  createdAt: Date;
}

export const declarationsEntities = [
  CitizenRow,
  IdentitySnapshotRow,
  HealthDeclarationRow,
  MonitoringPeriodRow,
  // The subgraph's own copy of the official unit list, and its idempotency keys (kit tables).
  UnitListVersion,
  AdministrativeUnitRow,
  IdempotencyKey,
];
