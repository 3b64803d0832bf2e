import { checkWebhookUrl, EMPTY_ALLOW_LIST, parseWebhookAllowList, type HostResolver } from '../../subgraphs/kit/ssrf';

/**
 * The SSRF rule for webhook URLs (kit/ssrf.ts): https to public addresses only, unless the
 * operator's allow-list names the target. Names resolve through the system resolver ('localhost')
 * or, for made-up names, through an injected one.
 */

const LOOPBACK = parseWebhookAllowList('127.0.0.0/8,::1/128,localhost');
const PRIVATE_NETS = parseWebhookAllowList('10.0.0.0/8,169.254.0.0/16,127.0.0.0/8,::1/128');
const resolver =
  (table: Record<string, string[]>): HostResolver =>
  async (host) => {
    const found = table[host];
    if (!found) throw new Error('ENOTFOUND');
    return found;
  };

const refused = async (url: string, allow = EMPTY_ALLOW_LIST, resolve?: HostResolver) => {
  const r = await checkWebhookUrl(url, allow, resolve);
  expect(r.ok).toBe(false);
  return r.ok ? '' : r.reason;
};
const accepted = async (url: string, allow = EMPTY_ALLOW_LIST, resolve?: HostResolver) => {
  const r = await checkWebhookUrl(url, allow, resolve);
  expect(r).toMatchObject({ ok: true });
  return r.ok ? r.addresses : [];
};

test('https to a public address is accepted and returns the addresses to connect to', async () => {
  expect(await accepted('https://93.184.215.14/hooks')).toEqual(['93.184.215.14']);
  const addrs = await accepted(
    'https://hooks.example.org/x',
    EMPTY_ALLOW_LIST,
    resolver({ 'hooks.example.org': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'] }),
  );
  expect(addrs).toHaveLength(2);
});

test('plain http to a public host is refused; so are other schemes, credentials and non-URLs', async () => {
  expect(await refused('http://93.184.215.14/hooks')).toMatch(/https/);
  expect(
    await refused('http://hooks.example.org/x', LOOPBACK, resolver({ 'hooks.example.org': ['93.184.215.14'] })),
  ).toMatch(/https/);
  expect(await refused('ftp://93.184.215.14/x')).toMatch(/https/);
  expect(await refused('file:///etc/passwd')).toMatch(/https/);
  expect(await refused('https://user:pw@93.184.215.14/x')).toMatch(/credentials/);
  expect(await refused('not a url')).toMatch(/absolute URL/);
  expect(await refused(`https://93.184.215.14/${'a'.repeat(3000)}`)).toMatch(/at most/);
});

test.each([
  ['https://127.0.0.1/x', 'loopback'],
  ['https://127.1/x', 'loopback'],
  ['https://2130706433/x', 'loopback'],
  ['https://10.1.2.3/x', 'private'],
  ['https://192.168.1.1/x', 'private'],
  ['https://172.16.0.1/x', 'private'],
  ['https://169.254.169.254/latest/meta-data', 'linkLocal'],
  ['https://0.0.0.0/x', 'unspecified'],
  ['https://100.64.0.1/x', 'carrierGradeNat'],
  ['https://224.0.0.1/x', 'multicast'],
  ['https://[::1]/x', 'loopback'],
  ['https://[::]/x', 'unspecified'],
  ['https://[fc00::1]/x', 'uniqueLocal'],
  ['https://[fe80::1]/x', 'linkLocal'],
  ['https://[::ffff:127.0.0.1]/x', 'loopback'],
  ['https://[::ffff:10.0.0.1]/x', 'private'],
])('without an allow-list %s is refused (%s)', async (url, range) => {
  expect(await refused(url)).toContain(range);
});

test('a hostname resolving to loopback is refused without an allow-list', async () => {
  expect(await refused('https://localhost/x')).toMatch(/non-public address \(loopback\)/);
  expect(await refused('https://localhost./x')).toMatch(/loopback/);
});

test('a name is refused when ANY of its addresses is not public (DNS cannot smuggle one in)', async () => {
  const r = resolver({ 'mixed.example.org': ['93.184.215.14', '10.0.0.7'], 'v6.example.org': ['fd00::1'] });
  expect(await refused('https://mixed.example.org/x', EMPTY_ALLOW_LIST, r)).toMatch(/private/);
  expect(await refused('https://v6.example.org/x', EMPTY_ALLOW_LIST, r)).toMatch(/uniqueLocal/);
  expect(await refused('https://missing.example.org/x', EMPTY_ALLOW_LIST, r)).toMatch(/does not resolve/);
});

test.each([
  'https://127.0.0.1/x',
  'https://10.1.2.3/x',
  'https://169.254.10.10/x',
  'https://[::1]/x',
  'https://localhost/x',
])('with the targets allow-listed %s is accepted', async (url) => {
  await accepted(url, PRIVATE_NETS);
});

test('http is accepted only to a target the allow-list names (hostname, or an IP literal in a CIDR)', async () => {
  await accepted('http://127.0.0.1:8080/hook', LOOPBACK);
  await accepted('http://[::1]:8080/hook', LOOPBACK);
  await accepted('http://localhost:8080/hook', LOOPBACK);
  // a name whose addresses happen to be allow-listed must still use https
  expect(await refused('http://localhost:8080/hook', PRIVATE_NETS)).toMatch(/https/);
  // the loopback allow-list does not open private networks
  expect(await refused('https://10.1.2.3/x', LOOPBACK)).toContain('private');
  expect(await refused('https://169.254.169.254/x', LOOPBACK)).toContain('linkLocal');
});

test('the allow-list parses hostnames, addresses and CIDRs, and refuses anything else', () => {
  expect(parseWebhookAllowList('127.0.0.1/32, Localhost ,::1')).toMatchObject({ hosts: ['localhost'] });
  expect(parseWebhookAllowList('127.0.0.1/32,::1').cidrs).toHaveLength(2);
  expect(parseWebhookAllowList('')).toEqual({ hosts: [], cidrs: [] });
  expect(() => parseWebhookAllowList('10.0.0.0/33')).toThrow(/CIDR/);
  expect(() => parseWebhookAllowList('http://x')).toThrow(/not a CIDR/);
  expect(() => parseWebhookAllowList('bad host!')).toThrow(/hostname nor a CIDR/);
  expect(() => parseWebhookAllowList('10')).toThrow(/hostname nor a CIDR/);
});
