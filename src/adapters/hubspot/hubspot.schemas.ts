import { z } from 'zod';

/** A CRM object as the SDK returns it (dates already parsed to Date by the SDK). */
export const HubSpotObjectWire = z.object({
  id: z.string(),
  properties: z.record(z.string(), z.string().nullish()),
  updatedAt: z.date().nullish(),
});
export type HubSpotObjectWire = z.infer<typeof HubSpotObjectWire>;

export const SearchPageWire = z.object({
  total: z.number(),
  results: z.array(HubSpotObjectWire),
  paging: z.object({ next: z.object({ after: z.string() }).nullish() }).nullish(),
});

/** v4 association batch read: one entry per source id that has associations. */
export const AssociationBatchWire = z.object({
  results: z.array(
    z.object({
      _from: z.object({ id: z.string() }),
      to: z.array(z.object({ toObjectId: z.union([z.string(), z.number()]).transform(String) })),
    }),
  ),
});

export const BatchReadWire = z.object({ results: z.array(HubSpotObjectWire) });

/** A batch write's answer: 200, or 207 with errors whose context names the failed inputs. */
export const BatchWriteWire = z.object({
  results: z.array(
    z.object({
      id: z.string(),
      // When the write left the contact: its `lastmodifieddate`, else `updatedAt`.
      properties: z.record(z.string(), z.string().nullish()).nullish(),
      updatedAt: z.coerce.date().nullish(),
    }),
  ),
  errors: z
    .array(
      z.object({
        category: z.string().nullish(),
        context: z.record(z.string(), z.array(z.string())).nullish(),
      }),
    )
    .nullish(),
});
