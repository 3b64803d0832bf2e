import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { Kind, parse, visit, type DirectiveNode, type EnumTypeDefinitionNode } from 'graphql';
import { ROOT, schemaFile } from '../../subgraphs/kit/paths';
import { Role, Scope } from '../../subgraphs/kit/roles';

const sdl = readFileSync(schemaFile('organisations.graphql'), 'utf8');
const doc = parse(sdl);
const SCOPES = new Set<string>(Object.values(Scope));

function accessOf(directives: readonly DirectiveNode[] | undefined): { cls: string; scopes: string[][] }[] {
  return (directives ?? [])
    .filter((d) => d.name.value === 'access')
    .map((d) => {
      const cls = d.arguments?.find((a) => a.name.value === 'class')?.value;
      const scopes = d.arguments?.find((a) => a.name.value === 'scopes')?.value;
      const lists = scopes?.kind === Kind.LIST ? scopes.values : [];
      return {
        cls: cls?.kind === Kind.STRING ? cls.value : '',
        scopes: lists.map((l) =>
          l.kind === Kind.LIST ? l.values.map((s) => (s.kind === Kind.STRING ? s.value : '')) : [],
        ),
      };
    });
}

test('the SDL starts with the shared @access header, verbatim', () => {
  const header = readFileSync(join(ROOT, 'subgraphs/kit/access-directive.graphql'), 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n')
    .trim();
  expect(sdl.startsWith(header)).toBe(true);
});

test('every field carries @access with a known class and known scopes', () => {
  const problems: string[] = [];
  visit(doc, {
    ObjectTypeDefinition(node) {
      for (const f of node.fields ?? []) {
        const where = `${node.name.value}.${f.name.value}`;
        const access = accessOf(f.directives);
        if (!access.length) problems.push(`${where}: no @access`);
        for (const a of access) {
          if (!['operational', 'personal', 'sensitive', 'restricted'].includes(a.cls)) problems.push(`${where}: class`);
          if (!a.scopes.length || a.scopes.some((all) => !all.length || all.some((s) => !SCOPES.has(s)))) {
            problems.push(`${where}: scopes`);
          }
        }
      }
    },
  });
  expect(problems).toEqual([]);
});

test('users’ email and phone are personal data readable with pii:read', () => {
  const user = doc.definitions.find((d) => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === 'User');
  const fields = user?.kind === Kind.OBJECT_TYPE_DEFINITION ? (user.fields ?? []) : [];
  for (const name of ['email', 'phone']) {
    const f = fields.find((x) => x.name.value === name);
    expect(accessOf(f?.directives)).toEqual([{ cls: 'personal', scopes: [['pii:read']] }]);
  }
});

test('the RoleName enum lists exactly the roles of kit/roles.ts', () => {
  const roleName = doc.definitions.find(
    (d): d is EnumTypeDefinitionNode => d.kind === Kind.ENUM_TYPE_DEFINITION && d.name.value === 'RoleName',
  );
  expect(roleName?.values?.map((v) => v.name.value).sort()).toEqual(Object.keys(Role).sort());
});

test('the subgraph composes on its own and keeps resolvePrincipal out of the public API', () => {
  const result = composeServices([{ name: 'organisations', url: 'http://127.0.0.1:4001/graphql', typeDefs: doc }]);
  expect(result.errors ?? []).toEqual([]);
  const api = result.schema?.toAPISchema().toGraphQLJSSchema();
  expect(api?.getQueryType()?.getFields().resolvePrincipal).toBeUndefined();
  expect(api?.getType('PrincipalGrants')).toBeUndefined();
  expect(api?.getQueryType()?.getFields().administrativeUnits).toBeDefined();
});
