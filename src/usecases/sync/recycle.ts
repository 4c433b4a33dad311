import type { Definition } from '../../domain/definition.js';
import { isReturned } from '../../domain/lifecycle/lead-lifecycle.js';
import { MS_PER_DAY } from '../../domain/time/zoned-time.js';
import type { MarketingContact } from '../../ports/contact-source.port.js';
import type { ContactUpdate } from '../../ports/contact-writer.port.js';
import type { SalesLead } from '../../ports/lead-store.port.js';

/**
 * When a rejected lead may be routed again: its rejection (`handoff_rejected_at`, else the
 * Lead's last change when the Lead says rejected) plus its reason's recycle days; null when the
 * lead was never rejected.
 */
export function recycleAt(
  definition: Definition,
  contact: MarketingContact,
  lead: SalesLead | null,
): Date | null {
  const stamped = Date.parse(contact.handoff.rejected_at ?? '');
  const leadRejected = isReturned(lead?.handoff.lifecycle ?? null);
  const rejectedAt = Number.isNaN(stamped)
    ? leadRejected && lead !== null
      ? lead.modifiedAt.getTime()
      : null
    : stamped;
  if (rejectedAt === null) return null;
  const { feedback } = definition;
  const reason = contact.handoff.rejection_reason ?? feedback.default_reason;
  const days = feedback.reasons[reason]?.recycle_after_days ?? feedback.recycle_after_days;
  return new Date(rejectedAt + days * MS_PER_DAY);
}

/** The fewest days any reason keeps a rejected lead from being routed again. */
function shortestRecycleDays(definition: Definition): number {
  const { feedback } = definition;
  return Math.min(
    feedback.recycle_after_days,
    ...Object.values(feedback.reasons).map(
      (reason) => reason.recycle_after_days ?? feedback.recycle_after_days,
    ),
  );
}

/**
 * Rejected contacts whose recycle date has passed go back to marketing: `handoff_status` becomes
 * `recycled` (they are routed again, as new MQLs, once they qualify). Found with one HubSpot
 * search for contacts rejected before the shortest recycle window, then checked per reason.
 */
export async function recycledContacts(
  definition: Definition,
  rejectedBefore: (instant: Date) => Promise<readonly MarketingContact[]>,
  now: Date,
): Promise<ContactUpdate[]> {
  const candidates = await rejectedBefore(
    new Date(now.getTime() - shortestRecycleDays(definition) * MS_PER_DAY),
  );
  return candidates
    .filter((contact) => {
      const at = recycleAt(definition, contact, null);
      return at !== null && at.getTime() <= now.getTime();
    })
    .map((contact) => recycledUpdate(contact.id));
}

export function recycledUpdate(contactId: string): ContactUpdate {
  return { contactId, properties: { status: 'recycled' } };
}
