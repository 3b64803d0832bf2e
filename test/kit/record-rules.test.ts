import { covers, jurisdictionSql } from '../../subgraphs/kit/jurisdiction';
import { maskDocumentNumber, maskPhone, personalValue } from '../../subgraphs/kit/masking';
import { requirePurpose } from '../../subgraphs/kit/purpose';
import { suppressSmall } from '../../subgraphs/kit/small-counts';

const p = (...jurisdictions: { unitCode: string | null; includeDescendants: boolean }[]) => ({ jurisdictions });

test('a province grant covers its records at any depth; codes are compared level by level, not by prefix', () => {
  const hn = p({ unitCode: '01', includeDescendants: true });
  expect(covers(hn, { provinceCode: '01', districtCode: '001', wardCode: '00001' })).toBe(true);
  expect(covers(hn, { provinceCode: '79', districtCode: '010' })).toBe(false);
  expect(covers(hn, { provinceCode: null })).toBe(false);
  expect(covers(p({ unitCode: null, includeDescendants: true }), { provinceCode: '79' })).toBe(true);
  expect(covers(p(), { provinceCode: '01' })).toBe(false);
});

test('district and ward grants; a grant without descendants covers only records placed at its unit', () => {
  const district = p({ unitCode: '760', includeDescendants: true });
  expect(covers(district, { provinceCode: '79', districtCode: '760', wardCode: '26740' })).toBe(true);
  expect(covers(district, { provinceCode: '79', districtCode: '761' })).toBe(false);
  const exact = p({ unitCode: '79', includeDescendants: false });
  expect(covers(exact, { provinceCode: '79' })).toBe(true);
  expect(covers(exact, { provinceCode: '79', districtCode: '760' })).toBe(false);
});

test('the SQL form of the rule binds codes as parameters and matches each grant at its level', () => {
  const cols = { province: 'd.province_code', district: 'd.district_code', ward: 'd.ward_code' };
  expect(jurisdictionSql(p({ unitCode: null, includeDescendants: true }), cols, 1)).toEqual({
    sql: 'TRUE',
    params: [],
  });
  expect(jurisdictionSql(p(), cols, 1)).toEqual({ sql: 'FALSE', params: [] });
  expect(
    jurisdictionSql(
      p({ unitCode: '01', includeDescendants: true }, { unitCode: '760', includeDescendants: false }),
      cols,
      3,
    ),
  ).toEqual({
    sql: '((d.province_code = $3) OR (d.district_code = $4 AND d.ward_code IS NULL))',
    params: ['01', '760'],
  });
});

test('identity numbers and phones are masked for callers without pii:read', () => {
  expect(maskDocumentNumber('001099012345')).toBe('0010******45');
  expect(maskPhone('0912345678')).toBe('09******78');
  expect(maskPhone('+84912345678')).toBe('+84*******78');
  expect(personalValue({ scopes: ['pii:read'] }, '0912345678', maskPhone)).toBe('0912345678');
  expect(personalValue({ scopes: [] }, '0912345678', maskPhone)).toBe('09******78');
  expect(personalValue({ scopes: [] }, null, maskPhone)).toBeNull();
});

test('person-centric reads need a purpose; aggregates hide small counts from aggregate-only callers', () => {
  expect(() => requirePurpose({ purpose: null }, 'citizenByDocument')).toThrow(/x-purpose/);
  expect(requirePurpose({ purpose: 'case 12' }, 'citizenByDocument')).toBe('case 12');
  expect(suppressSmall(3, { scopes: ['stats:read'] }, 'declarations:read')).toBeNull();
  expect(suppressSmall(5, { scopes: ['stats:read'] }, 'declarations:read')).toBe(5);
  expect(suppressSmall(3, { scopes: ['declarations:read'] }, 'declarations:read')).toBe(3);
  expect(suppressSmall(3, { scopes: [] }, 'x', 2)).toBe(3);
});
