import { loadDefinitionFile } from '../config/load-definition.js';
import {
  formatIssue,
  parseYamlWith,
  readTextFile,
  type ConfigIssue,
  type ParseResult,
} from '../config/parse-yaml.js';
import type { Definition } from '../domain/definition.js';
import { attributeNames, resolveMapping } from '../domain/mapping.js';
import type { Activity, ActivitySource, AttributeValue, Lead } from '../domain/model.js';
import { explainLead } from '../usecases/explain-lead.js';
import { configPath, EXIT_INVALID, EXIT_OK, type CliIo } from './cli-io.js';
import {
  ExplainInputSchema,
  SalesforceLeadInputSchema,
  type ExplainInput,
  type SalesforceLeadInput,
} from './explain-input.schema.js';
import { formatExplanationText, toExplanationJson } from './format-explanation.js';
import { parseInstant } from './parse-instant.js';
import { EXPLAIN_USAGE } from './usage.js';

/** The shape of the input file: HubSpot-side attributes, or a Salesforce Lead by field names. */
export const EXPLAIN_SOURCES: readonly ActivitySource[] = ['hubspot', 'salesforce'];

export interface ExplainFlags {
  readonly input?: string | undefined;
  /** `hubspot` (the default) or `salesforce`; anything else is refused. */
  readonly source?: string | undefined;
  readonly config?: string | undefined;
  readonly now?: string | undefined;
  readonly json?: boolean | undefined;
}

const RESERVED_KEYS = new Set(['activities', 'account', 'routed_at']);

function isAttributeValue(value: unknown): value is AttributeValue {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function isExplainSource(value: string): value is ActivitySource {
  return (EXPLAIN_SOURCES as readonly string[]).includes(value);
}

interface LeadInput {
  readonly lead: Lead;
  readonly activities: readonly Activity[];
  /** Input keys that are neither attributes nor, for a Salesforce Lead, mapped fields. */
  readonly ignored: readonly string[];
  readonly routedAt: string | undefined;
}

/** Attribute-keyed input (`email`, `employees`, mapped custom keys); activities are HubSpot's. */
function hubspotLead(input: ExplainInput, definition: Definition): LeadInput {
  const known = new Set(attributeNames(definition.mapping));
  const attributes: Record<string, AttributeValue> = {};
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(input)) {
    if (RESERVED_KEYS.has(key)) continue;
    if (known.has(key) && isAttributeValue(value)) attributes[key] = value;
    else ignored.push(key);
  }
  const activities = input.activities.map(({ type, at }) => ({ type, at: new Date(at) }));
  return {
    lead: { attributes, account: input.account ?? null },
    activities,
    ignored,
    routedAt: input.routed_at,
  };
}

/**
 * A Salesforce Lead by field API names (case-sensitive, as Salesforce spells them), translated to
 * attributes through the resolved `mapping.salesforce`; its activities are Salesforce's.
 */
function salesforceLead(input: SalesforceLeadInput, definition: Definition): LeadInput {
  const attributesOfField = new Map<string, string[]>();
  for (const [attribute, field] of Object.entries(resolveMapping(definition.mapping).salesforce)) {
    attributesOfField.set(field, [...(attributesOfField.get(field) ?? []), attribute]);
  }
  const attributes: Record<string, AttributeValue> = {};
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(input)) {
    if (RESERVED_KEYS.has(key)) continue;
    const mapped = attributesOfField.get(key);
    if (mapped !== undefined && isAttributeValue(value)) {
      for (const attribute of mapped) attributes[attribute] = value;
    } else ignored.push(key);
  }
  const activities = input.activities.map(({ type, at }): Activity => ({
    type,
    at: new Date(at),
    source: 'salesforce',
  }));
  return {
    lead: { attributes, account: input.account ?? null },
    activities,
    ignored,
    routedAt: input.routed_at,
  };
}

/** The input file as a lead of `source`'s shape, or every problem in it. */
function parseLeadInput(
  text: string,
  source: ActivitySource,
  definition: Definition,
): ParseResult<LeadInput> {
  if (source === 'salesforce') {
    const input = parseYamlWith(text, SalesforceLeadInputSchema);
    return input.ok ? { ok: true, value: salesforceLead(input.value, definition) } : input;
  }
  const input = parseYamlWith(text, ExplainInputSchema);
  return input.ok ? { ok: true, value: hubspotLead(input.value, definition) } : input;
}

function report(io: CliIo, file: string, issues: readonly ConfigIssue[]): number {
  io.stderr(`${file}: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n`);
  for (const issue of issues) io.stderr(`  ${formatIssue(issue)}\n`);
  return EXIT_INVALID;
}

/** `handoff explain`: decides one lead offline and says why. Exit 0, or 2 on bad input. */
export async function explainCommand(flags: ExplainFlags, io: CliIo): Promise<number> {
  if (flags.input === undefined) {
    io.stderr(`--input is required\nusage: ${EXPLAIN_USAGE}\n`);
    return EXIT_INVALID;
  }
  const source = flags.source ?? 'hubspot';
  if (!isExplainSource(source)) {
    io.stderr(
      `--source: expected one of ${EXPLAIN_SOURCES.join(', ')}, got ${JSON.stringify(source)}\nusage: ${EXPLAIN_USAGE}\n`,
    );
    return EXIT_INVALID;
  }
  const now = flags.now === undefined ? io.now() : parseInstant(flags.now);
  if (now === null) {
    io.stderr(
      `--now: expected an ISO-8601 date-time such as 2026-11-27T16:30:00Z, got ${JSON.stringify(flags.now)}\n`,
    );
    return EXIT_INVALID;
  }
  const file = configPath(flags.config, io);
  const definition = await loadDefinitionFile(file);
  if (!definition.ok) return report(io, file, definition.issues);
  const text = await readTextFile(flags.input);
  if (!text.ok) return report(io, flags.input, text.issues);
  const input = parseLeadInput(text.value, source, definition.value);
  if (!input.ok) return report(io, flags.input, input.issues);
  const { lead, activities, ignored } = input.value;
  const routedAt = input.value.routedAt === undefined ? now : new Date(input.value.routedAt);
  const decision = explainLead({ lead, activities, definition: definition.value, now, routedAt });
  const explanation = {
    source,
    decision,
    definition: definition.value,
    now,
    routedAt,
    ignoredAttributes: ignored,
  };
  io.stdout(
    flags.json === true
      ? `${JSON.stringify(toExplanationJson(explanation), null, 2)}\n`
      : formatExplanationText(explanation),
  );
  return EXIT_OK;
}
