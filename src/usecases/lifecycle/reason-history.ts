/** Long text fields hold 32,768 characters; keep room for Salesforce's own limits. */
const REASON_MAX_CHARS = 32_000;
/** The first paragraph says why the lead was qualified and routed; it always stays. */
const HEAD_KEEP_CHARS = 4_000;

/** `[2026-11-24 15:00 UTC]`: history lines sort and read the same in every zone. */
function stamp(at: Date): string {
  return `[${at.toISOString().slice(0, 16).replace('T', ' ')} UTC]`;
}

/**
 * `Handoff_Reason__c` is the lead's history for the rep and the admin: the routing reason, then
 * one line per breach, escalation or rejection. It is for people only: the state these lines
 * describe lives in the lifecycle fields (domain/lifecycle/lead-lifecycle.ts). When it would overflow, the oldest history lines
 * go; the routing paragraph stays.
 */
export function appendReason(reason: string | null, at: Date, line: string): string {
  const entry = `${stamp(at)} ${line}`;
  const next = reason === null || reason === '' ? entry : `${reason}\n${entry}`;
  if (next.length <= REASON_MAX_CHARS) return next;
  const lines = next.split('\n');
  const head = (lines[0] ?? '').slice(0, HEAD_KEEP_CHARS);
  const kept: string[] = [];
  let length = head.length + 2;
  for (let index = lines.length - 1; index > 0; index -= 1) {
    const candidate = lines[index] ?? '';
    if (length + candidate.length + 1 > REASON_MAX_CHARS) break;
    kept.unshift(candidate);
    length += candidate.length + 1;
  }
  return [head, '…', ...kept.filter((entry) => entry !== '…')].join('\n');
}

/** A person as the history names them: `Ana Ruiz (0055e000001AAAAAA3)`. */
export function who(names: ReadonlyMap<string, string>, id: string): string {
  const name = names.get(id);
  return name === undefined ? id : `${name} (${id})`;
}
