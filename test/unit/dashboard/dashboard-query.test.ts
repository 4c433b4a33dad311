import { describe, expect, it } from 'vitest';
import {
  parsePeriod,
  parseRetryBody,
  parseSearch,
} from '../../../src/http/dashboard/dashboard-query.js';
import { parseDecisionQuery } from '../../../src/usecases/dashboard/find-decisions.js';

const NOW = new Date('2026-11-30T12:00:00Z');

describe('dashboard request parsing', () => {
  it('takes a preset period (30 days by default) or a custom start', () => {
    const preset = parsePeriod({ period: '7d' }, NOW);
    expect(preset.ok && preset.value.key).toBe('7d');
    expect(preset.ok && preset.value.since(NOW)).toEqual(new Date('2026-11-23T12:00:00Z'));
    const fallback = parsePeriod({}, NOW);
    expect(fallback.ok && fallback.value.key).toBe('30d');
    expect(fallback.ok && fallback.value.since(NOW)).toEqual(new Date('2026-10-31T12:00:00Z'));
    const custom = parsePeriod({ since: '2026-11-01T00:00:00+01:00' }, NOW);
    expect(custom.ok && custom.value.key).toBe('since:2026-10-31T23:00:00.000Z');
    expect(custom.ok && custom.value.since(NOW)).toEqual(new Date('2026-10-31T23:00:00Z'));
  });

  it('names the field of every bad period', () => {
    const error = (query: unknown): string | null => {
      const parsed = parsePeriod(query, NOW);
      return parsed.ok ? null : parsed.error;
    };
    expect(error({ period: '1y' })).toMatch(/^period: /);
    expect(error({ since: 'yesterday' })).toMatch(/^since: expected an ISO-8601/);
    expect(error({ since: '2026-11-31T00:00:00Z' })).toMatch(/^since: expected/);
    expect(error({ since: '2026-12-01T00:00:00Z' })).toBe('since: must lie in the past');
    expect(error({ since: '2025-01-01T00:00:00Z' })).toBe('since: at most 366 days back');
    expect(error({ period: '7d', since: '2026-11-01T00:00:00Z' })).toMatch(/^since: give either/);
  });

  it('accepts a retry of 1 to 100 record keys, naming the field otherwise', () => {
    expect(parseRetryBody({ keys: ['101', 'lead:00Q5e000001AAAAAA1'] })).toEqual({
      ok: true,
      value: ['101', 'lead:00Q5e000001AAAAAA1'],
    });
    const empty = parseRetryBody({ keys: [] });
    expect(!empty.ok && empty.error).toMatch(/^keys: /);
    const blank = parseRetryBody({ keys: [''] });
    expect(!blank.ok && blank.error).toMatch(/^keys\.0: /);
    const none = parseRetryBody(undefined);
    expect(!none.ok && none.error).toMatch(/^keys: /);
  });

  it('tells an e-mail address from a Lead id, and refuses anything else', () => {
    const missing = parseSearch({});
    expect(!missing.ok && missing.error).toMatch(/^q: /);
    expect(parseDecisionQuery(' ada@example.com ')).toEqual({
      kind: 'email',
      email: 'ada@example.com',
    });
    expect(parseDecisionQuery('00Q5e000001AAAAAA1')).toEqual({
      kind: 'lead_id',
      leadId: '00Q5e000001AAAAAA1',
    });
    expect(parseDecisionQuery('00Q5e000001AAAA')).toMatchObject({ kind: 'lead_id' });
    expect(parseDecisionQuery('0035e000001AAAAAA1')).toBeNull();
    expect(parseDecisionQuery('Ada Ng')).toBeNull();
    expect(parseDecisionQuery(`${'a'.repeat(80)}@example.com`)).toBeNull();
  });
});
