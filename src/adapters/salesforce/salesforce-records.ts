import type { Connection } from 'jsforce';
import { z } from 'zod';
import type { AttributeValue } from '../../domain/model.js';
import type { OpenTask, WriteOutcome } from '../../ports/lead-store.port.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { IntegrationError } from '../../platform/errors.js';
import { drawRetry, retryDelayMs, RETRY_LIMITS } from '../../platform/retry-in-place.js';
import {
  classifySalesforceError,
  installationError,
  kindOfSalesforceCode,
} from './salesforce.errors.js';
import { field, soql } from './soql.js';

/** One sObject save result (a single create or one element of a Collections answer). */
export const SaveResultWire = z.object({
  id: z.string().nullish(),
  success: z.boolean(),
  created: z.boolean().nullish(),
  errors: z
    .array(
      z.object({
        statusCode: z.string().nullish(),
        errorCode: z.string().nullish(),
        message: z.string().nullish(),
        fields: z.array(z.string()).nullish(),
      }),
    )
    .default([]),
});

/** Salesforce datetimes (`2026-05-01T10:00:00.000+0000`) and dates parse with `Date`. */
export function toDate(value: unknown): Date | null {
  if (typeof value !== 'string' || value === '') return null;
  const date = new Date(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A field's value as an attribute: text, number or boolean; anything else is null. */
function attributeValue(value: unknown): AttributeValue {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? value
    : null;
}

/** A Lead record's attributes, read through `mapping.salesforce` (attribute → field). */
export function mappedAttributes(
  record: Record<string, unknown>,
  fields: Readonly<Record<string, string>>,
): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {};
  for (const [attribute, name] of Object.entries(fields))
    attributes[attribute] = attributeValue(record[name]);
  return attributes;
}

export function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Every record of a query, all pages (SOQL pages of 2,000); failures as IntegrationError. */
export async function queryAll(
  connection: Connection,
  query: string,
): Promise<Record<string, unknown>[]> {
  try {
    // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm — 2,000 per page
    const result = await connection.query(query).run({ autoFetch: true, maxFetch: 1_000_000 });
    return result.records;
  } catch (err) {
    throw classifySalesforceError(err);
  }
}

function saveOutcomes(keys: readonly string[], raw: unknown): WriteOutcome[] {
  const results = z.array(SaveResultWire).parse(Array.isArray(raw) ? raw : [raw]);
  return results.map((result, index): WriteOutcome => {
    const key = keys[index] ?? '';
    if (result.success)
      return { ok: true, key, id: result.id ?? key, created: result.created === true };
    const error = result.errors[0];
    const code = error?.statusCode ?? error?.errorCode ?? 'UNKNOWN';
    // A field the integration user lost fails every record alike: the installation, not the
    // record, is at fault, so the whole call fails (naming the field) and no record is blamed.
    const installation = installationError(code, error?.message, error?.fields);
    if (installation !== null) throw installation;
    return { ok: false, key, code, kind: kindOfSalesforceCode(code), message: code };
  });
}

/**
 * One sObject Collections write (`allOrNone: false`): per-record results keyed by `keys`, in
 * input order. Records refused for a passing reason (`UNABLE_TO_LOCK_ROW`: another transaction
 * held the row) are sent again, those records only, after a short jittered wait drawn from the
 * job's retry budget; what still fails is returned for the caller to quarantine.
 */
export async function collection<R>(
  records: readonly R[],
  keys: readonly string[],
  write: (records: readonly R[]) => Promise<unknown>,
): Promise<WriteOutcome[]> {
  const send = async (indices: readonly number[]): Promise<WriteOutcome[]> => {
    try {
      return saveOutcomes(
        indices.map((index) => keys[index] ?? ''),
        await write(indices.map((index) => records[index] as R)),
      );
    } catch (err) {
      throw classifySalesforceError(err);
    }
  };
  const outcomes = await send(records.map((_, index) => index));
  for (let round = 1; round < RETRY_LIMITS.attemptsPerCall; round += 1) {
    const again = outcomes.flatMap((outcome, index) =>
      !outcome.ok && outcome.kind === 'transient' ? [index] : [],
    );
    if (again.length === 0) break;
    const delay = retryDelayMs(
      new IntegrationError('salesforce', 'transient', 'records locked', {
        code: 'UNABLE_TO_LOCK_ROW',
      }),
      round,
      RETRY_LIMITS,
      Math.random,
    );
    if (!drawRetry(delay)) break;
    await sleep(delay);
    const retried = await send(again);
    for (const [position, index] of again.entries()) {
      const outcome = retried[position];
      if (outcome !== undefined) outcomes[index] = outcome;
    }
  }
  return outcomes;
}

/** A relationship subquery's rows, nested in the parent record as a query result of their own. */
const ChildRowsWire = z.object({
  done: z.boolean(),
  records: z.array(z.record(z.string(), z.unknown())),
});

/**
 * The subquery that reads Handoff's open Tasks with each Lead (no call of its own), for the
 * SELECT list of a Lead query; `decisionField` is the Task's decision id field.
 */
export function openTasksSubquery(decisionField: string): string {
  const decision = field(decisionField);
  return soql`(SELECT Id, ${decision} FROM Tasks WHERE IsClosed = ${false} AND ${decision} != ${null})`;
}

/**
 * The `Tasks` subquery's rows of one Lead: Salesforce answers `null` for a Lead without one, else
 * a nested query result; a result cut short (`done: false`), missing or unreadable leaves them
 * unknown (null).
 */
export function openTasksOf(value: unknown, decisionField: string): OpenTask[] | null {
  if (value === null) return [];
  const parsed = ChildRowsWire.safeParse(value);
  if (!parsed.success || !parsed.data.done) return null;
  const tasks: OpenTask[] = [];
  for (const record of parsed.data.records) {
    const decisionId = text(record[decisionField]);
    // The subquery asked for decided Tasks only: a row that does not read as one is not known.
    if (typeof record['Id'] !== 'string' || decisionId === null) return null;
    tasks.push({ taskId: record['Id'], decisionId });
  }
  return tasks;
}
