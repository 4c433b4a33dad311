import { z } from 'zod';

/**
 * HubSpot wire shapes as HubSpot documents them, kept in the test
 * suite so sandbox answers are checked against the reference, not against themselves.
 */
export const PublicObjectShape = z.strictObject({
  id: z.string().regex(/^\d+$/),
  properties: z.record(z.string(), z.string().nullable()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  archived: z.boolean(),
  archivedAt: z.iso.datetime().optional(),
  associations: z
    .record(
      z.string(),
      z.object({ results: z.array(z.object({ id: z.string(), type: z.string() })) }),
    )
    .optional(),
});

export const SearchResponseShape = z.strictObject({
  total: z.number().int(),
  results: z.array(PublicObjectShape),
  paging: z.strictObject({ next: z.strictObject({ after: z.string().regex(/^\d+$/) }) }).optional(),
});

export const ErrorShape = z.object({
  status: z.literal('error'),
  message: z.string(),
  correlationId: z.string(),
  category: z.string(),
});

export const BatchResponseShape = z.strictObject({
  status: z.enum(['PENDING', 'PROCESSING', 'CANCELED', 'COMPLETE']),
  results: z.array(PublicObjectShape.extend({ new: z.boolean().optional() })),
  numErrors: z.number().int().optional(),
  errors: z
    .array(
      z.object({
        status: z.literal('error'),
        category: z.string(),
        message: z.string(),
        context: z.record(z.string(), z.array(z.string())).optional(),
      }),
    )
    .optional(),
  startedAt: z.iso.datetime(),
  completedAt: z.iso.datetime(),
});

export const ListMembershipChangeShape = z.strictObject({
  recordsIdsAdded: z.array(z.string()),
  recordIdsRemoved: z.array(z.string()),
  recordIdsMissing: z.array(z.string()),
});

export const AssociationsPageShape = z.strictObject({
  results: z.array(
    z.strictObject({
      toObjectId: z.string(),
      associationTypes: z.array(
        z.strictObject({
          category: z.literal('HUBSPOT_DEFINED'),
          typeId: z.number().int(),
          label: z.null(),
        }),
      ),
    }),
  ),
  paging: z.object({ next: z.object({ after: z.string() }) }).optional(),
});

export const OwnerShape = z.object({
  id: z.string(),
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  userId: z.number().int(),
  type: z.enum(['PERSON', 'QUEUE']),
  archived: z.boolean(),
});
