import type { Decision } from '../domain/decide-lead.js';
import type { Definition } from '../domain/definition.js';
import type { ActivitySource, Reason } from '../domain/model.js';

/** How the explanation names the system the input came from. */
const SOURCE_NAMES: Readonly<Record<ActivitySource, string>> = {
  hubspot: 'HubSpot contact',
  salesforce: 'Salesforce Lead',
};

/** Why an input key was ignored, by input system. */
const IGNORED_BECAUSE: Readonly<Record<ActivitySource, string>> = {
  hubspot: 'not attributes of this definition',
  salesforce: 'not Lead fields this definition maps',
};

export interface Explanation {
  /**
   * The input's shape: HubSpot-side attributes, or a Salesforce Lead by field API names (its
   * activities weighted by `engagement.salesforce_activities`).
   */
  readonly source: ActivitySource;
  readonly decision: Decision;
  readonly definition: Definition;
  readonly now: Date;
  readonly routedAt: Date;
  /** Input keys that are no attribute (HubSpot input) or no mapped Lead field (Salesforce). */
  readonly ignoredAttributes: readonly string[];
}

/** The `explain --json` object (as the README documents it, plus a few fields for admins). */
export interface ExplanationJson {
  readonly version: string;
  readonly now: string;
  /** The system the input came from: `hubspot` or `salesforce`. */
  readonly source: ActivitySource;
  readonly qualification: {
    readonly qualified: boolean;
    readonly score: number;
    readonly tier: string | null;
    readonly threshold: number;
    readonly fit: number;
    readonly engagement: number;
    readonly reasons: readonly { rule: string; kind: string; points: number; detail: string }[];
  };
  readonly routing: {
    readonly rule: string | null;
    readonly pool: string | null;
    readonly owner: string;
    readonly kind: string;
    readonly reasons: readonly {
      rule: string;
      kind: string;
      owner: string | null;
      detail: string;
    }[];
  } | null;
  readonly sla: {
    readonly due: string;
    readonly timezone: string;
    readonly allowance: string;
    readonly routed_at: string;
  } | null;
  readonly ignored_attributes: readonly string[];
}

export function toExplanationJson(explanation: Explanation): ExplanationJson {
  const { source, decision, definition, now, routedAt, ignoredAttributes } = explanation;
  const { qualification, routing, sla } = decision;
  return {
    version: decision.definitionVersion,
    now: now.toISOString(),
    source,
    qualification: {
      qualified: qualification.qualified,
      score: qualification.score,
      tier: qualification.tier,
      threshold: definition.qualification.threshold,
      fit: qualification.fit,
      engagement: qualification.engagement,
      reasons: qualification.reasons.map(({ rule, kind, points, detail }) => ({
        rule,
        kind,
        points,
        detail,
      })),
    },
    routing:
      routing === null
        ? null
        : {
            rule: routing.rule,
            pool: routing.pool,
            owner: routing.owner,
            kind: routing.kind,
            reasons: routing.reasons.map(({ rule, kind, owner, detail }) => ({
              rule,
              kind,
              owner: owner ?? null,
              detail,
            })),
          },
    sla:
      sla === null
        ? null
        : {
            due: sla.due.toISOString(),
            timezone: sla.timezone,
            allowance: sla.allowance,
            routed_at: routedAt.toISOString(),
          },
    ignored_attributes: ignoredAttributes,
  };
}

function formatPoints(points: number): string {
  const rounded = Math.round(points * 100) / 100;
  return `${rounded >= 0 ? '+' : ''}${rounded}`;
}

function reasonLine(reason: Reason): string {
  const marks: Record<Reason['kind'], string> = {
    gate_passed: 'pass',
    gate_failed: 'FAIL',
    fit_matched: formatPoints(reason.points),
    fit_missed: '  · ',
    engagement: formatPoints(reason.points),
    engagement_capped: formatPoints(reason.points),
    activity_ignored: 'skip',
  };
  return `    ${marks[reason.kind].padStart(7)}  ${reason.rule.padEnd(28)} ${reason.detail}`;
}

function localTime(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(instant);
}

/** A short explanation an admin can paste into a ticket. */
export function formatExplanationText(explanation: Explanation): string {
  const { decision, definition, now, ignoredAttributes } = explanation;
  const { qualification, routing, sla } = decision;
  const lines: string[] = [
    `Definition ${decision.definitionVersion}, evaluated at ${now.toISOString()}`,
    `source: ${SOURCE_NAMES[explanation.source]}`,
    '',
  ];
  const verdict = qualification.qualified
    ? `QUALIFIED, tier ${qualification.tier}`
    : 'NOT QUALIFIED';
  const failedGates = qualification.reasons.filter((reason) => reason.kind === 'gate_failed');
  lines.push(
    `${verdict}: score ${qualification.score} = fit ${qualification.fit} + engagement ${Math.round(qualification.engagement * 100) / 100} (threshold ${definition.qualification.threshold})`,
  );
  if (failedGates.length > 0)
    lines.push(`  failed gates: ${failedGates.map((reason) => reason.rule).join(', ')}`);
  lines.push(
    '  gates:',
    ...qualification.reasons.filter((r) => r.kind.startsWith('gate')).map(reasonLine),
  );
  lines.push(
    '  fit:',
    ...qualification.reasons.filter((r) => r.kind.startsWith('fit')).map(reasonLine),
  );
  const engagement = qualification.reasons.filter(
    (r) => r.kind.startsWith('engagement') || r.kind === 'activity_ignored',
  );
  lines.push(
    '  engagement:',
    ...(engagement.length > 0 ? engagement.map(reasonLine) : ['          no activities']),
  );
  if (routing !== null) {
    const via = routing.pool === null ? '' : ` via pool ${routing.pool}`;
    const rule = routing.rule === null ? 'no rule matched' : `rule ${routing.rule}`;
    lines.push(
      '',
      `ROUTED to ${routing.owner} (${rule}${via}${routing.kind === 'fallback' ? ', fallback owner' : ''})`,
    );
    for (const reason of routing.reasons) {
      const owner = reason.owner === undefined ? '' : ` ${reason.owner}`;
      lines.push(`    ${reason.kind.padEnd(15)} ${reason.rule}${owner}: ${reason.detail}`);
    }
  }
  if (sla !== null) {
    lines.push(
      '',
      `FIRST TOUCH DUE ${sla.due.toISOString()} (${localTime(sla.due, sla.timezone)}, ${sla.timezone}), ${sla.allowance} of business time from ${explanation.routedAt.toISOString()}`,
    );
  }
  if (ignoredAttributes.length > 0) {
    lines.push(
      '',
      `Ignored input keys (${IGNORED_BECAUSE[explanation.source]}): ${ignoredAttributes.join(', ')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
