import type { MarketingContact } from '../../ports/contact-source.port.js';
import type { SalesLead } from '../../ports/lead-store.port.js';

const FREE_MAIL = /@(gmail|googlemail|yahoo|hotmail|outlook|live|icloud|aol|proton|gmx)\./i;

/** The company domain of an email, for lead-to-account matching; none for free-mail addresses. */
export function emailDomain(email: unknown): string | null {
  if (typeof email !== 'string' || FREE_MAIL.test(email)) return null;
  const at = email.lastIndexOf('@');
  return at < 0 ? null : email.slice(at + 1).toLowerCase();
}

/**
 * the connector's `salesforceleadid`, else `HubSpot_Contact_Id__c`, else email
 * (an unconverted Lead before a converted one, an unclaimed one before one another contact has).
 */
export function matchLead(
  contact: MarketingContact,
  leads: readonly SalesLead[],
): SalesLead | null {
  const email =
    typeof contact.attributes['email'] === 'string'
      ? contact.attributes['email'].toLowerCase()
      : null;
  return (
    leads.find((lead) => lead.id === contact.salesforceLeadId) ??
    leads.find((lead) => lead.hubspotContactId === contact.id) ??
    leads
      .filter((lead) => email !== null && lead.email?.toLowerCase() === email)
      // Duplicates by email: an unconverted Lead no other contact claims, then the oldest
      // (Salesforce ids grow with time), so the choice never depends on query order.
      .sort(
        (a, b) =>
          Number(a.isConverted) - Number(b.isConverted) ||
          Number(a.hubspotContactId !== null) - Number(b.hubspotContactId !== null) ||
          (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      )[0] ??
    null
  );
}

/**
 * The Salesforce Contact a contact has become, if any: a converted Lead's Contact (converted
 * Leads are read-only), or the connector's `salesforcecontactid` when no Lead matched.
 */
export function convertedContactOf(
  contact: MarketingContact,
  lead: SalesLead | null,
): string | null {
  if (lead === null) return contact.salesforceContactId;
  return lead.isConverted ? lead.convertedContactId : null;
}
