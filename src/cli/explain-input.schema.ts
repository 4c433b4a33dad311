import { z } from 'zod';
import { SALESFORCE_ACTIVITY_TYPES } from '../domain/model.js';

const INSTANT = z.iso.datetime({
  offset: true,
  error: 'expected an ISO-8601 date-time such as 2026-11-27T16:30:00Z',
});

const ACCOUNT = z.strictObject({ id: z.string().min(1), owner: z.string().min(1) }).nullish();

const ATTRIBUTE_VALUE = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: 'expected a text, number, boolean or null attribute value',
});

/**
 * The lead file `handoff explain --input` reads: canonical attributes (and mapped custom keys) at
 * the top level, plus optional `activities`, `account` and `routed_at`.
 */
export const ExplainInputSchema = z
  .object({
    activities: z.array(z.strictObject({ type: z.string().min(1), at: INSTANT })).default([]),
    account: ACCOUNT,
    routed_at: INSTANT.optional(),
  })
  .catchall(ATTRIBUTE_VALUE);

export type ExplainInput = z.infer<typeof ExplainInputSchema>;

/**
 * The lead file `handoff explain --source salesforce` reads: a Salesforce Lead, its fields by API
 * name (`Email`, `NumberOfEmployees`, `Segment__c`) at the top level, plus optional `activities`
 * (of the Salesforce activity types only), `account` and `routed_at`. A record copied from the
 * REST API may keep its `attributes` (`{ "type": "Lead", "url": … }`); it is not a field.
 */
export const SalesforceLeadInputSchema = z
  .object({
    activities: z
      .array(z.strictObject({ type: z.enum(SALESFORCE_ACTIVITY_TYPES), at: INSTANT }))
      .default([]),
    account: ACCOUNT,
    routed_at: INSTANT.optional(),
    attributes: z.unknown().optional(),
  })
  .catchall(ATTRIBUTE_VALUE);

export type SalesforceLeadInput = z.infer<typeof SalesforceLeadInputSchema>;
