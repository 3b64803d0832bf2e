import type { GraphQLResolveInfo } from 'graphql';
import { requireScope, requireScopes } from '../kit/authz';
import { maskDocumentNumber, maskPhone, personalValue } from '../kit/masking';
import { requirePurpose } from '../kit/purpose';
import { codeRef } from '../kit/refs';
import { Scope } from '../kit/roles';
import { scalarResolvers } from '../kit/scalars';
import type { SubgraphContext, SubgraphResolvers } from '../kit/server';
import type {
  CitizenRow,
  DeclarationKind,
  HealthDeclarationRow,
  IdentitySnapshotRow,
  MonitoringPeriodRow,
  QuarantineFacility,
} from './entities';
import { viaEntityJoin } from './jurisdiction';
import * as load from './loaders';
import * as mutations from './mutations';
import * as queries from './queries';
import type { DocumentInput, FormInput, SubmitDeclarationInput } from './validation';

/*
 * The resolver map. Reads need declarations:read (statistics stats:read; monitoring lists also
 * sensitive:read), writes declarations:write: coarse checks until the schema's @access rules are
 * enforced field by field. Every entity reference and list-to-detail hop goes through the
 * request's loaders, so a request's statements do not grow with the items it returns.
 */

type Ctx = SubgraphContext;

const read = (ctx: Ctx) => requireScope(ctx.principal, Scope.DECLARATIONS_READ);
const readMonitoring = (ctx: Ctx) => requireScopes(ctx.principal, [[Scope.DECLARATIONS_READ, Scope.SENSITIVE_READ]]);

/** Dates of JSON answers (YYYY-MM-DD) as the `Date` scalar serialises them. */
const day = (value: string | null | undefined): Date | null => (value ? new Date(`${value}T00:00:00Z`) : null);

const facilityUnits = (f: QuarantineFacility) => ({
  name: f.name,
  province: codeRef(f.provinceCode),
  district: codeRef(f.districtCode),
  ward: codeRef(f.wardCode),
});

export const declarationsResolvers: SubgraphResolvers = {
  ...scalarResolvers,

  Query: {
    citizen: (_: unknown, a: { ref: string }, ctx: Ctx): Promise<CitizenRow | null> => {
      read(ctx);
      // The entry point of a person's timeline: a person-centric read. A ref of an earlier key
      // version finds the person under the current one (docs/KEYS.md).
      return queries.citizenByRef(ctx, a.ref);
    },
    citizenByDocument: (_: unknown, a: DocumentInput, ctx: Ctx) => {
      read(ctx);
      return queries.citizenByDocument(ctx, a);
    },
    declaration: (_: unknown, a: { id: string }, ctx: Ctx): Promise<HealthDeclarationRow | null> => {
      read(ctx);
      return load.declarationLoader(ctx).load(a.id);
    },
    declarations: (
      _: unknown,
      a: { filter: queries.DeclarationFilter; first?: number | null; after?: string | null },
      ctx: Ctx,
    ) => {
      read(ctx);
      return queries.declarations(ctx, a.filter, a);
    },
    declarationStats: (_: unknown, a: Parameters<typeof queries.declarationStats>[1], ctx: Ctx) => {
      requireScope(ctx.principal, Scope.STATS_READ);
      return queries.declarationStats(ctx, a);
    },
    missedDailyMonitoring: (_: unknown, a: Parameters<typeof queries.missedDailyMonitoring>[1], ctx: Ctx) => {
      readMonitoring(ctx);
      return queries.missedDailyMonitoring(ctx, a);
    },
  },

  Mutation: {
    submitDeclaration: (_: unknown, a: { input: SubmitDeclarationInput; idempotencyKey?: string | null }, ctx: Ctx) =>
      mutations.submitDeclaration(ctx, a.input, a.idempotencyKey),
    amendDeclaration: (
      _: unknown,
      a: { id: string; expectedVersion: number; input: FormInput; reason: string },
      ctx: Ctx,
    ) => mutations.amendDeclaration(ctx, a),
    recordDailyMonitoring: (
      _: unknown,
      a: { input: mutations.DailyMonitoringInput; idempotencyKey?: string | null },
      ctx: Ctx,
    ) => mutations.recordDailyMonitoring(ctx, a.input, a.idempotencyKey),
    placeUnderMonitoring: (_: unknown, a: { input: mutations.PlaceUnderMonitoringInput }, ctx: Ctx) =>
      mutations.placeUnderMonitoring(ctx, a.input),
  },

  Citizen: {
    __resolveReference: (ref: { ref: string }, ctx: Ctx): Promise<CitizenRow | null> => {
      read(ctx);
      return load.citizenLoader(ctx).load(ref.ref);
    },
    identity: (c: { ref: string }, _: unknown, ctx: Ctx) => {
      read(ctx);
      return load.latestSnapshotLoader(ctx).load(c.ref);
    },
    declarations: async (
      c: { ref: string },
      a: { since?: Date | null; kinds?: DeclarationKind[] | null },
      ctx: Ctx,
      info: GraphQLResolveInfo,
    ): Promise<HealthDeclarationRow[]> => {
      read(ctx);
      // Reached from another subgraph (e.g. a passage's citizen), this is the person's timeline.
      if (viaEntityJoin(info)) requirePurpose(ctx.principal, "A citizen's declarations");
      const filter = { since: a.since ?? null, kinds: a.kinds ?? null };
      return (await load.declarationsByCitizenLoader(ctx, filter).load(c.ref)) ?? [];
    },
    monitoringPeriods: async (c: { ref: string }, _: unknown, ctx: Ctx) => {
      readMonitoring(ctx);
      return (await load.monitoringPeriodsLoader(ctx).load(c.ref)) ?? [];
    },
  },

  HealthDeclaration: {
    __resolveReference: (ref: { id: string }, ctx: Ctx): Promise<HealthDeclarationRow | null> => {
      read(ctx);
      return load.declarationLoader(ctx).load(ref.id);
    },
    citizen: (d: HealthDeclarationRow) => ({ ref: d.citizenRef }),
    province: (d: HealthDeclarationRow) => codeRef(d.provinceCode),
    district: (d: HealthDeclarationRow) => codeRef(d.districtCode),
    ward: (d: HealthDeclarationRow) => codeRef(d.wardCode),
    identity: (d: HealthDeclarationRow, _: unknown, ctx: Ctx) => load.snapshotLoader(ctx).load(d.identitySnapshotId),
    symptomOnset: (d: HealthDeclarationRow) => day(d.answers.symptomOnset),
    temperatureCelsius: (d: HealthDeclarationRow) => d.answers.temperatureCelsius ?? null,
    exposures: (d: HealthDeclarationRow) => d.answers.exposures ?? [],
    travelHistory: (d: HealthDeclarationRow) =>
      (d.answers.travelHistory ?? []).map((s) => ({
        countryCode: s.countryCode,
        province: codeRef(s.provinceCode),
        place: s.place,
        from: day(s.from),
        to: day(s.to),
      })),
    vaccination: (d: HealthDeclarationRow) => {
      const vaccination = d.answers.vaccination;
      return vaccination ? { doses: vaccination.doses, lastDoseOn: day(vaccination.lastDoseOn) } : null;
    },
    latestTest: (d: HealthDeclarationRow) => {
      const test = d.answers.latestTest;
      return test ? { ...test, testedOn: day(test.testedOn) } : null;
    },
    entry: (d: HealthDeclarationRow) =>
      d.entry && {
        arrivalDate: day(d.entry.arrivalDate),
        departureCountry: d.entry.departureCountry,
        portOfEntry: d.entry.portOfEntry,
        quarantineFacility: d.entry.quarantineFacility && facilityUnits(d.entry.quarantineFacility),
      },
    amendedBy: (d: HealthDeclarationRow) => (d.version > 1 ? d.recordedBy : null),
    amendedAt: (d: HealthDeclarationRow) => (d.version > 1 ? d.recordedAt : null),
    history: async (d: HealthDeclarationRow, _: unknown, ctx: Ctx) => {
      read(ctx);
      return (await load.declarationHistoryLoader(ctx).load(d.id)) ?? [];
    },
  },

  IdentitySnapshot: {
    document: async (s: IdentitySnapshotRow, _: unknown, ctx: Ctx) => {
      const citizen = await load.citizenLoader(ctx).load(s.citizenRef);
      if (!citizen?.documentType) return null;
      return {
        type: citizen.documentType,
        // Readers without pii:read get the masked number, never the clear one.
        number: personalValue(ctx.principal, citizen.documentNumber, maskDocumentNumber),
        country: citizen.documentCountry,
      };
    },
    phone: (s: IdentitySnapshotRow, _: unknown, ctx: Ctx) => personalValue(ctx.principal, s.phone, maskPhone),
    contactAddress: (s: IdentitySnapshotRow) =>
      s.addressProvinceCode === null && s.addressDetail === null
        ? null
        : {
            province: codeRef(s.addressProvinceCode),
            district: codeRef(s.addressDistrictCode),
            ward: codeRef(s.addressWardCode),
            detail: s.addressDetail,
          },
  },

  MonitoringPeriod: {
    citizen: (p: MonitoringPeriodRow) => ({ ref: p.citizenRef }),
    province: (p: MonitoringPeriodRow) => codeRef(p.provinceCode),
    district: (p: MonitoringPeriodRow) => codeRef(p.districtCode),
    ward: (p: MonitoringPeriodRow) => codeRef(p.wardCode),
    startsOn: (p: MonitoringPeriodRow) => day(p.startsOn),
    endsOn: (p: MonitoringPeriodRow) => day(p.endsOn),
    sourceDeclaration: (p: MonitoringPeriodRow, _: unknown, ctx: Ctx) =>
      p.sourceDeclarationId ? load.declarationLoader(ctx).load(p.sourceDeclarationId) : null,
  },

  MissedDailyMonitoring: {
    citizen: (m: queries.MissedDailyMonitoring) => ({ ref: m.citizenRef }),
  },

  DeclarationCount: {
    unit: (c: queries.DeclarationCount) => codeRef(c.unitCode),
    day: (c: queries.DeclarationCount) => day(c.day),
  },
};
