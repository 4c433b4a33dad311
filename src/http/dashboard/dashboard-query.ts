import { z } from 'zod';
import { parseInstant } from '../../cli/parse-instant.js';

const DAY_MS = 86_400_000;
export const PRESET_PERIODS = { '7d': 7, '30d': 30, '90d': 90 } as const;
type Preset = keyof typeof PRESET_PERIODS;
/** A custom period reaches back at most this far: one click must not read years of Leads. */
const CUSTOM_MAX_DAYS = 366;

/** A period the report cache knows by `key`, its start computed from the request's `now`. */
export interface Period {
  readonly key: string;
  readonly since: (now: Date) => Date;
}

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

const ReportQuery = z.object({
  period: z.enum(Object.keys(PRESET_PERIODS) as [Preset, ...Preset[]]).optional(),
  since: z.string().max(40).optional(),
});

const RetryBody = z.object({
  keys: z.array(z.string().min(1).max(100)).min(1).max(100),
});

const SearchQuery = z.object({ q: z.string().min(1).max(200) });

/** `keys.0: Too small…`: the field first, as every error of this API names it. */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  return `${path === '' ? 'request' : path}: ${issue?.message ?? 'invalid'}`;
}

/** `?period=7d|30d|90d` (default 30d), or `?since=ISO` for a custom start. */
export function parsePeriod(query: unknown, now: Date): Parsed<Period> {
  const parsed = ReportQuery.safeParse(query ?? {});
  if (!parsed.success) return { ok: false, error: firstIssue(parsed.error) };
  const { period, since } = parsed.data;
  if (since !== undefined) {
    if (period !== undefined)
      return { ok: false, error: 'since: give either period or since, not both' };
    const start = parseInstant(since);
    if (start === null)
      return {
        ok: false,
        error: 'since: expected an ISO-8601 date-time with an offset, e.g. 2026-11-01T00:00:00Z',
      };
    if (start.getTime() >= now.getTime())
      return { ok: false, error: 'since: must lie in the past' };
    if (now.getTime() - start.getTime() > CUSTOM_MAX_DAYS * DAY_MS)
      return { ok: false, error: `since: at most ${CUSTOM_MAX_DAYS} days back` };
    return { ok: true, value: { key: `since:${start.toISOString()}`, since: () => start } };
  }
  const days = PRESET_PERIODS[period ?? '30d'];
  return {
    ok: true,
    value: { key: period ?? '30d', since: (at) => new Date(at.getTime() - days * DAY_MS) },
  };
}

export function parseRetryBody(body: unknown): Parsed<readonly string[]> {
  const parsed = RetryBody.safeParse(body ?? {});
  return parsed.success
    ? { ok: true, value: parsed.data.keys }
    : { ok: false, error: firstIssue(parsed.error) };
}

export function parseSearch(query: unknown): Parsed<string> {
  const parsed = SearchQuery.safeParse(query ?? {});
  return parsed.success
    ? { ok: true, value: parsed.data.q }
    : { ok: false, error: firstIssue(parsed.error) };
}
