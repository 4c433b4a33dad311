/** `1h02m`, `3m05s`, `42s`: an ETA a person reads at a glance. */
function duration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const hours = Math.floor(total / 3_600);
  const minutes = Math.floor((total % 3_600) / 60);
  const rest = total % 60;
  if (hours > 0) return `${hours}h${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}

const WIDTH = 24;

/**
 * One line of a cycle's or a backfill's progress: a bar, contacts done of the total with the
 * percentage, the rate since the start and the time left at that rate. `elapsedMs` since the
 * cycle started: rate and ETA need it.
 */
export function progressLine(
  done: number,
  total: number,
  elapsedMs: number,
  label: 'backfill' | 'sync' = 'backfill',
): string {
  const whole = Math.max(total, done, 1);
  const share = done / whole;
  const filled = Math.round(share * WIDTH);
  const rate = elapsedMs > 0 ? (done * 1_000) / elapsedMs : 0;
  const eta = rate > 0 ? duration((whole - done) / rate) : '?';
  return `${label} [${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}] ${done.toLocaleString('en-US')}/${whole.toLocaleString('en-US')} contacts (${Math.floor(share * 100)}%), ${Math.round(rate).toLocaleString('en-US')}/s, ETA ${eta}`;
}
