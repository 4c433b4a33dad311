import { describe, expect, it } from 'vitest';
import { appendReason, who } from '../../../src/usecases/lifecycle/reason-history.js';

const AT = new Date('2026-11-24T15:04:59.123Z');

describe('reason history', () => {
  it('appends a stamped line under the routing paragraph', () => {
    expect(appendReason('Qualified as tier A.', AT, 'SLA missed.')).toBe(
      'Qualified as tier A.\n[2026-11-24 15:04 UTC] SLA missed.',
    );
    expect(appendReason(null, AT, 'Rejected.')).toBe('[2026-11-24 15:04 UTC] Rejected.');
  });

  it('drops the oldest history, never the routing paragraph, when the field would overflow', () => {
    const head = `Qualified as tier A ${'x'.repeat(3_000)}`;
    let reason: string = head;
    for (let line = 0; line < 2_000; line += 1) reason = appendReason(reason, AT, `line ${line}`);
    expect(reason.length).toBeLessThanOrEqual(32_000);
    expect(reason.startsWith(head)).toBe(true);
    expect(reason.endsWith('line 1999')).toBe(true);
    expect(reason).not.toContain('] line 0\n');
  });

  it('names people with their id', () => {
    const names = new Map([['0055e000001AAAAAA3', 'Ana Ruiz']]);
    expect(who(names, '0055e000001AAAAAA3')).toBe('Ana Ruiz (0055e000001AAAAAA3)');
    expect(who(names, '00G5e000000QUEUE01')).toBe('00G5e000000QUEUE01');
  });
});
