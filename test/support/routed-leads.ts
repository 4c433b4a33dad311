/**
 * A Lead Handoff routed for a HubSpot contact (decision ids `d-…`), as opposed to a Lead born in
 * Salesforce (`s-…`, with no contact unless one appears): tests about the contact pipeline
 * count these.
 */
export function routedForContact(lead: Readonly<Record<string, unknown>>): boolean {
  const decision = lead['Handoff_Decision_Id__c'];
  return typeof decision === 'string' && decision.startsWith('d-');
}
