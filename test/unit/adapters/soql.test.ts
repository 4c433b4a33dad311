import { describe, expect, it } from 'vitest';
import {
  escapeSoqlLike,
  escapeSoqlString,
  field,
  fieldList,
  likeContains,
  soql,
  soqlDateTime,
  soqlLike,
  SoqlLikePattern,
} from '../../../src/adapters/salesforce/soql.js';
import { parseSoql } from '../../../src/sandbox/salesforce/soql/parse-soql.js';

describe('soql', () => {
  it('quotes strings, lists, dates, numbers, booleans and null', () => {
    const text = soql`SELECT Id FROM Lead WHERE Email = ${"o'brien@x.com"} AND Id IN ${['a', 'b']} AND SystemModstamp >= ${new Date('2026-05-01T10:00:00.123Z')} AND NumberOfEmployees > ${200} AND IsConverted = ${false} AND Title != ${null}`;
    expect(text).toBe(
      "SELECT Id FROM Lead WHERE Email = 'o\\'brien@x.com' AND Id IN ('a', 'b') AND SystemModstamp >= 2026-05-01T10:00:00Z AND NumberOfEmployees > 200 AND IsConverted = false AND Title != null",
    );
    expect(() => parseSoql(text)).not.toThrow();
  });

  it('escapes everything an injection would need', () => {
    const hostile = "x' OR Name != '\\\n";
    const text = soql`SELECT Id FROM Lead WHERE Email = ${hostile}`;
    const parsed = parseSoql(text);
    expect(parsed.where).toMatchObject({
      kind: 'compare',
      value: { kind: 'string', value: hostile },
    });
    expect(escapeSoqlString('a"b\tc')).toBe('a\\"b\\tc');
  });

  it('inserts only valid identifiers unquoted', () => {
    expect(soql`SELECT ${field('Owner.Name')} FROM ${field('Lead')}`).toBe(
      'SELECT Owner.Name FROM Lead',
    );
    expect(() => field('Name; DELETE')).toThrow(/not a SOQL identifier/);
    expect(() => field('')).toThrow();
    expect(soql`SELECT ${fieldList(['Id', 'Email', 'Id'])} FROM Lead`).toBe(
      'SELECT Id, Email FROM Lead',
    );
    expect(() => fieldList([])).toThrow(/empty field list/);
    expect(() => fieldList(['Id', 'Bad Name'])).toThrow(/not a SOQL identifier/);
  });

  it('refuses values SOQL cannot hold', () => {
    expect(() => soql`SELECT Id FROM Lead WHERE Id IN ${[]}`).toThrow(/empty IN/);
    expect(() => soql`SELECT Id FROM Lead WHERE NumberOfEmployees > ${Number.NaN}`).toThrow(
      /non-finite/,
    );
    expect(() => soqlDateTime(new Date(Number.NaN))).toThrow(/invalid date/);
  });

  it('builds LIKE patterns whose % and _ match only themselves', () => {
    expect(escapeSoqlLike("a_b%c'd\\")).toBe("a\\_b\\%c\\'d\\\\");
    expect(soql`SELECT Id FROM Account WHERE Website LIKE ${likeContains('a_b%c.com')}`).toBe(
      "SELECT Id FROM Account WHERE Website LIKE '%a\\_b\\%c.com%'",
    );
    expect(soqlLike('a_b').text).toBe("'a\\_b'");
    expect(soqlLike('a_b', 'startsWith').text).toBe("'a\\_b%'");
    expect(soqlLike('a_b', 'endsWith').text).toBe("'%a\\_b'");
  });

  it('refuses blank LIKE values and hand-made patterns', () => {
    expect(() => likeContains('')).toThrow(/empty value/);
    expect(() => likeContains('  ')).toThrow(/empty value/);
    expect(() => soqlLike('')).toThrow(/empty value/);
    const forge = SoqlLikePattern as unknown as new (token: symbol, text: string) => unknown;
    expect(() => new forge(Symbol('SoqlLikePattern'), "'%'")).toThrow(/built by soqlLike/);
  });
});
