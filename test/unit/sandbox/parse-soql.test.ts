import { describe, expect, it } from 'vitest';
import {
  likeSegments,
  parseSoql,
  SoqlError,
} from '../../../src/sandbox/salesforce/soql/parse-soql.js';

describe('parseSoql', () => {
  it('parses fields, relationships, nested conditions, ordering and paging', () => {
    const query = parseSoql(
      "select Id, Owner.Name FROM Lead WHERE (Status = 'Open' OR Status != 'X') AND NOT Email LIKE '%\\_x%' AND OwnerId NOT IN ('a', 'b') AND SystemModstamp >= 2026-05-01T10:00:00.000+02:00 AND ConvertedDate < 2026-05-01 AND CreatedDate = LAST_N_DAYS:7 AND IsConverted = false AND NumberOfEmployees > -5.5 AND Title = null ORDER BY SystemModstamp DESC NULLS FIRST, Id LIMIT 10 OFFSET 5",
    );
    expect(query.select).toEqual([
      { kind: 'field', path: 'Id' },
      { kind: 'field', path: 'Owner.Name' },
    ]);
    expect(query.from).toBe('Lead');
    expect(query.orderBy).toEqual([
      { field: 'SystemModstamp', descending: true, nullsLast: false },
      { field: 'Id', descending: false, nullsLast: false },
    ]);
    expect(query.limit).toBe(10);
    expect(query.offset).toBe(5);
    expect(query.where).toMatchObject({ kind: 'and' });
    const items = query.where?.kind === 'and' ? query.where.items : [];
    expect(items[0]).toMatchObject({ kind: 'or' });
    expect(items[1]).toEqual({
      kind: 'not',
      item: { kind: 'like', field: 'Email', pattern: '%\\_x%' },
    });
    expect(items[2]).toEqual({
      kind: 'in',
      field: 'OwnerId',
      negated: true,
      values: [
        { kind: 'string', value: 'a' },
        { kind: 'string', value: 'b' },
      ],
    });
    expect(items[3]).toEqual({
      kind: 'compare',
      field: 'SystemModstamp',
      operator: '>=',
      value: { kind: 'datetime', value: Date.parse('2026-05-01T08:00:00Z') },
    });
    expect(items[4]).toEqual({
      kind: 'compare',
      field: 'ConvertedDate',
      operator: '<',
      value: { kind: 'date', value: '2026-05-01' },
    });
    expect(items[5]).toEqual({
      kind: 'compare',
      field: 'CreatedDate',
      operator: '=',
      value: { kind: 'relative', name: 'LAST_N_DAYS', n: 7 },
    });
    expect(items[6]).toMatchObject({ value: { kind: 'boolean', value: false } });
    expect(items[7]).toMatchObject({ value: { kind: 'number', value: -5.5 } });
    expect(items[8]).toMatchObject({ value: { kind: 'null' } });
  });

  it('parses COUNT(), COUNT(field) with an alias, and GROUP BY', () => {
    expect(parseSoql('SELECT COUNT() FROM Lead').select).toEqual([
      { kind: 'count', field: null, alias: null },
    ]);
    const grouped = parseSoql('SELECT OwnerId, COUNT(Id) open FROM Lead GROUP BY OwnerId');
    expect(grouped.select[1]).toEqual({ kind: 'count', field: 'Id', alias: 'open' });
    expect(grouped.groupBy).toEqual(['OwnerId']);
  });

  it('parses a parent-to-child subquery with its own WHERE, ORDER BY and LIMIT', () => {
    const query = parseSoql(
      "SELECT Id, Email, (SELECT Id, Handoff_Decision_Id__c FROM Tasks WHERE IsClosed = false AND (Subject = 'a' OR Subject = 'b') ORDER BY CreatedDate DESC LIMIT 3), Name FROM Lead WHERE Email IN ('a@x.com','b@y.com') LIMIT 1",
    );
    expect(query.from).toBe('Lead');
    expect(query.limit).toBe(1);
    expect(query.where).toMatchObject({ kind: 'in', field: 'Email' });
    expect(query.select).toHaveLength(4);
    expect(query.select[3]).toEqual({ kind: 'field', path: 'Name' });
    const item = query.select[2];
    const subquery = item?.kind === 'subquery' ? item.query : null;
    expect(subquery).toMatchObject({
      from: 'Tasks',
      select: [
        { kind: 'field', path: 'Id' },
        { kind: 'field', path: 'Handoff_Decision_Id__c' },
      ],
      where: { kind: 'and' },
      groupBy: [],
      orderBy: [{ field: 'CreatedDate', descending: true, nullsLast: true }],
      limit: 3,
      offset: null,
    });
    // OFFSET in a subquery is allowed under a parent with LIMIT 1.
    const offset = parseSoql(
      'SELECT Id, (SELECT Id FROM Tasks LIMIT 2 OFFSET 1) FROM Lead LIMIT 1',
    );
    expect(offset.select[1]).toMatchObject({ query: { limit: 2, offset: 1 } });
  });

  it('unescapes string literals', () => {
    const query = parseSoql("SELECT Id FROM Lead WHERE LastName = 'O\\'Brien \\\\ \\n'");
    expect(query.where).toMatchObject({ value: { kind: 'string', value: "O'Brien \\ \n" } });
  });

  it('decodes every Salesforce escape: letters in either case and \\uXXXX', () => {
    const query = parseSoql(
      "SELECT Id FROM Lead WHERE LastName = '\\n\\N\\r\\R\\t\\T\\b\\B\\f\\F\\\"\\'\\\\\\u00e9\\u00E9'",
    );
    expect(query.where).toMatchObject({
      value: { kind: 'string', value: '\n\n\r\r\t\t\b\b\f\f"\'\\éé' },
    });
  });

  it('normalises LIKE patterns so a literal backslash before a wildcard stays a wildcard', () => {
    const pattern = (literal: string): string => {
      const where = parseSoql(`SELECT Id FROM Lead WHERE Website LIKE '${literal}'`).where;
      return where?.kind === 'like' ? where.pattern : '';
    };
    // \\_ is a backslash then the one-character wildcard; \_ is an underscore.
    expect(likeSegments(pattern('a\\\\_b'))).toEqual([
      { kind: 'literal', text: 'a\\' },
      { kind: 'one' },
      { kind: 'literal', text: 'b' },
    ]);
    expect(likeSegments(pattern('%a\\_b\\%c.com%'))).toEqual([
      { kind: 'any' },
      { kind: 'literal', text: 'a_b%c.com' },
      { kind: 'any' },
    ]);
    // An escaped character is always literal, \u0025 included.
    expect(likeSegments(pattern('\\u0025\\u005f'))).toEqual([{ kind: 'literal', text: '%_' }]);
  });

  it.each([
    ['', /cannot be empty/],
    ["SELECT Id FROM Lead WHERE A = 'a\\_b'", /only allowed in a LIKE/],
    ["SELECT Id FROM Lead WHERE A IN ('a\\%')", /only allowed in a LIKE/],
    ["SELECT Id FROM Lead WHERE A = '\\u00g0'", /escape sequence/],
    ["SELECT Id FROM Lead WHERE A = '\\U00e9'", /escape sequence/],
    ["SELECT Id FROM Lead WHERE A = 'trailing \\'", /unterminated/],
    ['SELECT FROM Lead', /unexpected token: 'FROM'/],
    ['SELECT Id FROM', /expecting a field name/],
    ['SELECT Id Lead', /expecting 'FROM'/],
    ["SELECT Id FROM Lead WHERE A = 'x' AND B = 'y' OR C = 'z'", /mixing AND and OR/],
    ["SELECT Id FROM Lead WHERE A = 'unterminated", /unterminated/],
    ["SELECT Id FROM Lead WHERE A = 'bad \\q escape'", /escape sequence/],
    ['SELECT Id FROM Lead WHERE A NOT = 1', /expecting 'IN'/],
    ['SELECT Id FROM Lead LIMIT x', /LIMIT expects/],
    ['SELECT Id FROM Lead WHERE CreatedDate = LAST_N_WEEKS:2', /unsupported date literal/],
    ['SELECT Id FROM Lead WHERE Name LIKE 5', /LIKE expects a quoted string/],
    ['SELECT Id FROM Lead WHERE Id IN (SELECT WhoId FROM Task)', /semi-join/],
    ['SELECT COUNT(), Id FROM Lead', /COUNT\(\) must be the only/],
    ['SELECT COUNT(), (SELECT Id FROM Tasks) FROM Lead', /COUNT\(\) must be the only/],
    [
      'SELECT Id, (SELECT Id, (SELECT Id FROM Tasks) FROM Tasks) FROM Lead',
      /more than 1 level away from the root entity/,
    ],
    ['SELECT Id, (SELECT COUNT() FROM Tasks) FROM Lead', /not allowed in a subquery/],
    ['SELECT Id, (SELECT WhoId FROM Tasks GROUP BY WhoId) FROM Lead', /not allowed in a subquery/],
    [
      'SELECT OwnerId, COUNT(Id), (SELECT Id FROM Tasks) FROM Lead GROUP BY OwnerId',
      /aggregate query cannot have a relationship subquery/,
    ],
    ['SELECT Id, (SELECT Id FROM Tasks OFFSET 1) FROM Lead', /needs LIMIT 1/],
    ['SELECT Id, (SELECT Id FROM Tasks FROM Lead', /expecting '\)'/],
    ['SELECT Id, (Id) FROM Lead', /expecting 'SELECT'/],
    ['SELECT Id FROM Lead WITH SECURITY_ENFORCED', /unexpected token/],
    ['SELECT Id FROM Lead WHERE Id = @', /unexpected token/],
  ])('rejects %j', (soql, message) => {
    expect(() => parseSoql(soql)).toThrow(SoqlError);
    expect(() => parseSoql(soql)).toThrow(message);
  });
});
