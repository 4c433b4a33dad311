/** A user's out-of-office period, as Salesforce's OutOfOffice records hold it. */
export interface AwayPeriod {
  readonly userId: string;
  readonly start: Date;
  /** The first instant the user is back. */
  readonly end: Date;
}

/**
 * Who is away at `at`, and when each is back: the latest end among the periods covering `at`
 * (overlapping periods, such as a holiday booked over a conference, extend each other only where
 * they cover the instant). A pure function of the periods, so a backtest can ask it for any past
 * instant and get the answer routing would have had then.
 */
export function awayAt(periods: readonly AwayPeriod[], at: Date): ReadonlyMap<string, Date> {
  const instant = at.getTime();
  const away = new Map<string, Date>();
  for (const period of periods) {
    if (period.start.getTime() > instant || period.end.getTime() <= instant) continue;
    const known = away.get(period.userId);
    if (known === undefined || known < period.end) away.set(period.userId, period.end);
  }
  return away;
}
