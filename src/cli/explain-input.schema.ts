import { z } from 'zod';

const INSTANT = z.iso.datetime({
  offset: true,
  error: 'expected an ISO-8601 date-time such as 2026-11-27T16:30:00Z',
});

/**
 * The lead file `handoff explain --input` reads: canonical attributes (and mapped custom keys) at
 * the top level, plus optional `activities`, `account` and `routed_at`.
 */
export const ExplainInputSchema = z
  .object({
    activities: z.array(z.strictObject({ type: z.string().min(1), at: INSTANT })).default([]),
    account: z.strictObject({ id: z.string().min(1), owner: z.string().min(1) }).nullish(),
    routed_at: INSTANT.optional(),
  })
  .catchall(
    z.union([z.string(), z.number(), z.boolean(), z.null()], {
      error: 'expected a text, number, boolean or null attribute value',
    }),
  );

export type ExplainInput = z.infer<typeof ExplainInputSchema>;
