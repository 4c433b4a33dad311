import { describe, expect, it } from 'vitest';
import { progressLine } from '../../../src/cli/progress-line.js';

describe('progressLine', () => {
  it('shows the bar, the count, the rate and the time left at that rate', () => {
    expect(progressLine(25_000, 100_000, 50_000)).toBe(
      'backfill [██████░░░░░░░░░░░░░░░░░░] 25,000/100,000 contacts (25%), 500/s, ETA 2m30s',
    );
    expect(progressLine(100_000, 100_000, 200_000)).toContain('(100%), 500/s, ETA 0s');
    expect(progressLine(10, 3_600_010, 1_000)).toContain('ETA 100h00m');
  });

  it('names what it counts: a backfill or a sync cycle', () => {
    expect(progressLine(5_000, 20_000, 10_000, 'sync')).toBe(
      'sync [██████░░░░░░░░░░░░░░░░░░] 5,000/20,000 contacts (25%), 500/s, ETA 30s',
    );
  });

  it('never divides by nothing, nor shows more than all', () => {
    expect(progressLine(0, 0, 0)).toBe(
      'backfill [░░░░░░░░░░░░░░░░░░░░░░░░] 0/1 contacts (0%), 0/s, ETA ?',
    );
    // HubSpot's count was taken at the start; more may have arrived since.
    expect(progressLine(120, 100, 1_000)).toContain('120/120 contacts (100%)');
  });
});
