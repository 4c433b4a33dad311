import { z } from 'zod';
import {
  HUBSPOT_OWNED_PROPERTIES,
  SALESFORCE_OWNED_FIELDS,
  type ConditionOperators,
  type Definition,
  type HubSpotOwnedProperty,
  type SalesforceOwnedField,
} from '../domain/definition.js';
import { isSalesforceActivityType, SALESFORCE_ACTIVITY_TYPES } from '../domain/model.js';
import {
  checkAcrossSections,
  checkFeedback,
  checkInterval,
  checkMapping,
  checkQualification,
  checkRouting,
  checkSla,
} from './check-definition.js';

/**
 * The zod schema of `config/handoff.yaml`. Shapes, types and defaults live here; rules that span
 * several keys (unknown pools, tier coverage, zones, durations, patterns) live in
 * `check-definition.ts`. Every object is strict: a typo in a key is an error, never a silently
 * ignored setting. Every key the DESIGN example does not show has a default, so existing
 * definitions keep validating as Handoff grows.
 */

const RULE_ID = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
    'must be letters, digits, "-", "_" or "." (e.g. senior-title)',
  );
/** 15- or 18-character Salesforce ids; 17 characters is tolerated for hand-written examples. */
const SALESFORCE_ID = z
  .string()
  .regex(/^[a-zA-Z0-9]{15,18}$/, 'must be a Salesforce id (15 or 18 letters and digits)');
const SCALAR = z.union([z.string(), z.number()]);

/** Bounds of scores and points: far beyond any real agreement, far below float trouble. */
export const MAX_SCORE = 10_000;
/** Bounds of day counts (half-lives, recycle periods): ten years. */
export const MAX_DAYS = 3_650;
const MAX_WEIGHT = 1_000;
const MAX_OPEN_LEADS = 100_000;
const MAX_REASSIGNMENTS = 100;

/**
 * A finite number in `[min, max]` (`(min, max]` with `aboveMin`), one message for every number
 * that misses: `expected a finite number between 0 and 10000, got Infinity` (YAML reads `1e400`
 * as Infinity).
 */
function boundedNumber(
  min: number,
  max: number,
  options: { readonly integer?: boolean; readonly aboveMin?: boolean } = {},
): z.ZodNumber {
  const kind = options.integer === true ? 'a whole number' : 'a finite number';
  const range =
    options.aboveMin === true
      ? `greater than ${min} and at most ${max}`
      : `between ${min} and ${max}`;
  const message = `expected ${kind} ${range}`;
  // Text or a list keeps the usual "expected number, got …"; Infinity, NaN and 2.5 get the range.
  let schema = z.number({
    error: (issue) => (typeof issue.input === 'number' ? message : undefined),
  });
  if (options.integer === true) schema = schema.int(message);
  schema = options.aboveMin === true ? schema.gt(min, message) : schema.min(min, message);
  return schema.max(max, message);
}

const POINTS = boundedNumber(-MAX_SCORE, MAX_SCORE);

const operatorShape = {
  exists: z.boolean().optional(),
  eq: z.union([z.string(), z.number(), z.boolean()]).optional(),
  in: z.array(SCALAR).min(1).optional(),
  not_in: z.array(SCALAR).min(1).optional(),
  matches: z.string().min(1).optional(),
  not_matches: z.string().min(1).optional(),
  gte: z.number().optional(),
  lte: z.number().optional(),
};
const OPERATOR_NAMES = Object.keys(operatorShape);

function hasOperator(operators: ConditionOperators): boolean {
  return OPERATOR_NAMES.some((name) => operators[name as keyof ConditionOperators] !== undefined);
}
const NO_OPERATOR = `needs at least one operator (${OPERATOR_NAMES.join(', ')})`;

const ConditionOperatorsSchema = z.strictObject(operatorShape).refine(hasOperator, NO_OPERATOR);

const FieldConditionSchema = z
  .strictObject({ id: RULE_ID, field: z.string().min(1), ...operatorShape })
  .refine(hasOperator, NO_OPERATOR);

const FitRuleSchema = z
  .strictObject({ id: RULE_ID, field: z.string().min(1), ...operatorShape, points: POINTS })
  .refine(hasOperator, NO_OPERATOR);

const SALESFORCE_ACTIVITY_TYPE_LIST = SALESFORCE_ACTIVITY_TYPES.map((type) =>
  JSON.stringify(type),
).join(', ');

/**
 * Salesforce activity type → points. A record checked key by key rather than a partial record of
 * an enum: zod reports an unknown key of the latter as "unknown key" without saying which are known.
 */
const SalesforceActivitiesSchema = z
  .record(z.string().min(1), POINTS)
  .superRefine((activities, ctx) => {
    for (const type of Object.keys(activities)) {
      if (isSalesforceActivityType(type)) continue;
      ctx.addIssue({
        code: 'custom',
        path: [type],
        input: type,
        message: `unknown Salesforce activity type: expected one of ${SALESFORCE_ACTIVITY_TYPE_LIST}, got ${JSON.stringify(type)}`,
      });
    }
  })
  // Editors complete and check the keys from the generated JSON Schema.
  .meta({ propertyNames: { enum: [...SALESFORCE_ACTIVITY_TYPES] } });

const EngagementSchema = z.strictObject({
  half_life_days: boundedNumber(0, MAX_DAYS, { aboveMin: true })
    .default(14)
    .describe('An activity is worth half its points after this many days.'),
  max_points: boundedNumber(0, MAX_SCORE)
    .default(60)
    .describe('Cap on the decayed engagement sum.'),
  activities: z
    .record(z.string().min(1), POINTS)
    .default({})
    .describe(
      'HubSpot activity type → points of one activity at age zero; other types are ignored.',
    ),
  salesforce_activities: SalesforceActivitiesSchema.default({}).describe(
    `Salesforce activity type (${SALESFORCE_ACTIVITY_TYPES.join(', ')}) → points of one activity at age zero; decayed with the same half-life and capped with HubSpot's under the same max_points.`,
  ),
});

const QualificationSchema = z
  .strictObject({
    threshold: boundedNumber(0, MAX_SCORE).describe(
      'MQL when round(score) >= threshold and every gate holds.',
    ),
    gates: z
      .array(FieldConditionSchema)
      .default([])
      .describe('Hard requirements: any failing gate disqualifies, whatever the score.'),
    fit: z.array(FitRuleSchema).default([]).describe('Points when the condition holds.'),
    engagement: EngagementSchema.prefault({}),
    tiers: z
      .record(z.string().min(1), POINTS)
      .refine((tiers) => Object.keys(tiers).length > 0, 'needs at least one tier')
      .describe(
        'Tier name → minimum score; a lead gets the tier with the highest minimum <= score.',
      ),
  })
  .superRefine(checkQualification);

const RoutingRuleSchema = z.strictObject({
  id: RULE_ID,
  when: z.record(z.string().min(1), ConditionOperatorsSchema).optional(),
  account_owner: z
    .boolean()
    .optional()
    .describe(
      'Match when the lead has an account owned by an active user, and assign to that user.',
    ),
  pool: z
    .string()
    .min(1)
    .optional()
    .describe('Pick an owner from this pool by weighted round robin.'),
  owner: SALESFORCE_ID.optional().describe('Assign to this user or queue.'),
});

const WeekdaySchema = z.enum(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']);

/** Working days and hours; the SLA's default is Monday to Friday, 09:00–17:00. */
const HoursSchema = z.strictObject({
  days: z
    .array(WeekdaySchema)
    .min(1, 'needs at least one day')
    .default(['mon', 'tue', 'wed', 'thu', 'fri']),
  start: z.string().default('09:00'),
  end: z.string().default('17:00'),
});

const PoolMemberSchema = z.strictObject({
  owner: SALESFORCE_ID,
  weight: boundedNumber(0, MAX_WEIGHT, { aboveMin: true }).default(1),
  max_open: boundedNumber(1, MAX_OPEN_LEADS, { integer: true })
    .optional()
    .describe('No more leads once the member owns this many open ones.'),
  timezone: z
    .string()
    .optional()
    .describe("IANA zone overriding the user's Salesforce time zone for SLA clocks."),
  working_hours: HoursSchema.optional().describe(
    "The member's own working hours (local to their zone) when the pool routes within working hours; default sla.business_hours.",
  ),
});

const RoutingSchema = z
  .strictObject({
    rules: z.array(RoutingRuleSchema).min(1, 'needs at least one rule'),
    pools: z
      .record(
        z.string().min(1),
        z.strictObject({
          members: z.array(PoolMemberSchema).min(1, 'a pool needs at least one member'),
          within_working_hours: z
            .boolean()
            .default(false)
            .describe(
              'Route only to members inside their working hours (their own zone); when nobody is, to the member whose hours start soonest.',
            ),
        }),
      )
      .default({}),
    fallback_owner: SALESFORCE_ID.describe(
      'User or queue that gets the lead when no rule matches or nobody is eligible.',
    ),
    create_missing_leads: z.boolean().default(true),
  })
  .superRefine(checkRouting);

const SlaSchema = z
  .strictObject({
    timezone: z
      .string()
      .default('owner')
      .describe("`owner` (each owner's own zone) or one IANA zone for all."),
    default_timezone: z
      .string()
      .default('UTC')
      .describe("IANA zone used when the owner's zone is unknown."),
    business_hours: HoursSchema.prefault({}),
    holidays: z
      .array(z.string())
      .default([])
      .describe('Local dates (YYYY-MM-DD) without business hours.'),
    first_touch: z
      .record(z.string().min(1), z.string())
      .describe('Tier → business time to first touch: 90m, 4h, 1d (one business day), 2d4h.'),
    on_breach: z
      .strictObject({
        action: z.enum(['reassign', 'notify', 'none']).default('notify'),
        max_reassignments: boundedNumber(0, MAX_REASSIGNMENTS, { integer: true }).default(1),
      })
      .prefault({}),
  })
  .superRefine(checkSla);

const RejectionReasonSchema = z.strictObject({
  nurture_list: SCALAR.transform(String).pipe(z.string()).optional(),
  recycle_after_days: boundedNumber(0, MAX_DAYS, { integer: true }).optional(),
  lifecycle_stage: z.string().min(1).optional(),
});

const FeedbackSchema = z
  .strictObject({
    rejected_statuses: z
      .array(z.string().min(1))
      .min(1)
      .default(['Unqualified'])
      .describe('Lead statuses that return a lead to marketing.'),
    default_reason: z.string().min(1).default('Unspecified'),
    nurture_owner: SALESFORCE_ID.optional(),
    recycle_after_days: boundedNumber(0, MAX_DAYS, { integer: true })
      .default(90)
      .describe('A rejected lead is not routed again before this many days.'),
    recycle_lifecycle_stage: z.string().min(1).default('lead'),
    create_hubspot_contacts: z
      .boolean()
      .default(false)
      .describe(
        'Create (or update, by email) a HubSpot contact for each Lead born in Salesforce that Handoff routes, so marketing sees it and rejections reach it. Off: the native connector does it, or nobody.',
      ),
    reasons: z
      .record(
        z.string().min(1),
        z.union([RejectionReasonSchema, z.null()]).transform((r) => r ?? {}),
      )
      .default({}),
  })
  .superRefine(checkFeedback);

const SALESFORCE_OWNED_KEYS = Object.keys(SALESFORCE_OWNED_FIELDS) as [
  SalesforceOwnedField,
  ...SalesforceOwnedField[],
];
const HUBSPOT_OWNED_KEYS = Object.keys(HUBSPOT_OWNED_PROPERTIES) as [
  HubSpotOwnedProperty,
  ...HubSpotOwnedProperty[],
];

const MappingSchema = z
  .strictObject({
    hubspot: z
      .record(z.string().min(1), z.string().min(1))
      .default({})
      .describe('Attribute → HubSpot contact property (lowercase letters, digits, _).'),
    salesforce: z
      .record(z.string().min(1), z.string().min(1))
      .default({})
      .describe('Attribute → Salesforce Lead field API name (e.g. Industry, Segment__c).'),
    salesforce_fields: z
      .partialRecord(z.enum(SALESFORCE_OWNED_KEYS), z.string().min(1))
      .default({}),
    hubspot_properties: z.partialRecord(z.enum(HUBSPOT_OWNED_KEYS), z.string().min(1)).default({}),
  })
  .superRefine(checkMapping);

/**
 * Handoff's share of each daily API allowance. Salesforce's allocation is the whole org's (users'
 * tools and every integration draw on it, and admins watch it), so Handoff takes a tenth by
 * default. HubSpot's daily allowance is shared only by the account's private apps (public apps
 * have limits of their own), it is large next to what Handoff needs, and keeping marketing's view
 * current depends on it, so Handoff may take half.
 */
const BudgetSchema = z.strictObject({
  salesforce_daily_percent: boundedNumber(1, 100)
    .default(10)
    .describe(
      "Share of the org's daily API allocation Handoff's own calls may use in 24 h; past it, or past 90% of the org's allocation, Salesforce work pauses.",
    ),
  hubspot_daily_percent: boundedNumber(1, 100)
    .default(50)
    .describe(
      "Share of the account's daily API limit Handoff's own calls may use in 24 h; past it, or past 90% of the limit, HubSpot work pauses.",
    ),
});

/** A copy without a prototype: a name such as `constructor` finds nothing it did not define. */
function bare<T extends object>(record: T): T {
  const copy = Object.create(null) as T;
  Object.assign(copy, record);
  return copy;
}

/**
 * The parsed definition with every record keyed by a definition-chosen name (tiers, activities,
 * pools, conditions, allowances, reasons, mappings) prototype-free, so that code indexing them
 * with a name from elsewhere (a tier read back from Salesforce) never finds `Object.prototype`.
 */
function withoutPrototypes<T extends Definition>(definition: T): T {
  const { qualification, routing, sla, feedback, mapping } = definition;
  return {
    ...definition,
    qualification: {
      ...qualification,
      tiers: bare(qualification.tiers),
      engagement: {
        ...qualification.engagement,
        activities: bare(qualification.engagement.activities),
        salesforce_activities: bare(qualification.engagement.salesforce_activities),
      },
    },
    routing: {
      ...routing,
      rules: routing.rules.map((rule) =>
        rule.when === undefined ? rule : { ...rule, when: bare(rule.when) },
      ),
      pools: bare(routing.pools),
    },
    sla: { ...sla, first_touch: bare(sla.first_touch) },
    feedback: { ...feedback, reasons: bare(feedback.reasons) },
    mapping: {
      hubspot: bare(mapping.hubspot),
      salesforce: bare(mapping.salesforce),
      salesforce_fields: bare(mapping.salesforce_fields),
      hubspot_properties: bare(mapping.hubspot_properties),
    },
  };
}

export const DefinitionSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: SCALAR.transform(String)
      .pipe(z.string().min(1, 'must not be empty'))
      .describe('Version of the agreement, written with every decision; bump it on every change.'),
    qualification: QualificationSchema,
    routing: RoutingSchema,
    sync: z
      .strictObject({
        poll_interval: z
          .string()
          .default('60s')
          .superRefine(checkInterval)
          .describe(
            'How often HubSpot is searched and Salesforce probed for changes (one call each when nothing changed).',
          ),
        reconcile_interval: z
          .string()
          .default('1h')
          .superRefine(checkInterval)
          .describe(
            'How often the full SLA watch and rejection scan read the truth from Salesforce (and rejected contacts are checked for recycling), so that losing Redis loses nothing.',
          ),
      })
      .prefault({}),
    sla: SlaSchema,
    feedback: FeedbackSchema.prefault({}),
    mapping: MappingSchema.prefault({}),
    budget: BudgetSchema.prefault({}),
  })
  .superRefine(checkAcrossSections)
  .transform(withoutPrototypes) satisfies z.ZodType<Definition & { $schema?: string | undefined }>;

export type DefinitionFile = z.input<typeof DefinitionSchema>;
