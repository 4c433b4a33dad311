import { loadDefinitionFile } from '../config/load-definition.js';
import {
  formatIssue,
  parseYamlWith,
  readTextFile,
  type ConfigIssue,
} from '../config/parse-yaml.js';
import type { Definition } from '../domain/definition.js';
import { attributeNames } from '../domain/mapping.js';
import type { Activity, AttributeValue, Lead } from '../domain/model.js';
import { explainLead } from '../usecases/explain-lead.js';
import { configPath, EXIT_INVALID, EXIT_OK, type CliIo } from './cli-io.js';
import { ExplainInputSchema, type ExplainInput } from './explain-input.schema.js';
import { formatExplanationText, toExplanationJson } from './format-explanation.js';
import { parseInstant } from './parse-instant.js';

export const EXPLAIN_USAGE =
  'handoff explain --input LEAD.json [--config FILE] [--now ISO] [--json]';

export interface ExplainFlags {
  readonly input?: string | undefined;
  readonly config?: string | undefined;
  readonly now?: string | undefined;
  readonly json?: boolean | undefined;
}

const RESERVED_KEYS = new Set(['activities', 'account', 'routed_at']);

function isAttributeValue(value: unknown): value is AttributeValue {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function toLead(input: ExplainInput, definition: Definition): { lead: Lead; ignored: string[] } {
  const known = new Set(attributeNames(definition.mapping));
  const attributes: Record<string, AttributeValue> = {};
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(input)) {
    if (RESERVED_KEYS.has(key)) continue;
    if (known.has(key) && isAttributeValue(value)) attributes[key] = value;
    else ignored.push(key);
  }
  return { lead: { attributes, account: input.account ?? null }, ignored };
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
  const input = parseYamlWith(text.value, ExplainInputSchema);
  if (!input.ok) return report(io, flags.input, input.issues);

  const { lead, ignored } = toLead(input.value, definition.value);
  const activities: Activity[] = input.value.activities.map(({ type, at }) => ({
    type,
    at: new Date(at),
  }));
  const routedAt = input.value.routed_at === undefined ? now : new Date(input.value.routed_at);
  const decision = explainLead({ lead, activities, definition: definition.value, now, routedAt });
  const explanation = {
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
