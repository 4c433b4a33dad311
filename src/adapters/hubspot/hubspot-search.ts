import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts/index.js';

/**
 * A contact search over the half-open window [from, to) of one date property, sorted by it: the
 * keyset page Handoff reads changed contacts (`lastmodifieddate`) and the backtest reads created
 * ones (`createdate`) with. https://developers.hubspot.com/docs/api-reference/search/guide
 */
export function windowSearchRequest(input: {
  readonly property: string;
  readonly window: { readonly from: Date; readonly to: Date };
  readonly properties: string[];
  readonly limit: number;
  readonly after: string | null;
}) {
  const { property, window } = input;
  return {
    filterGroups: [
      {
        filters: [
          {
            propertyName: property,
            operator: FilterOperatorEnum.Gte,
            value: String(window.from.getTime()),
          },
          {
            propertyName: property,
            operator: FilterOperatorEnum.Lt,
            value: String(window.to.getTime()),
          },
        ],
      },
    ],
    sorts: [property],
    properties: input.properties,
    limit: input.limit,
    after: input.after ?? '0',
  };
}
