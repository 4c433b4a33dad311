import type { HandoffEvents } from '../ports/handoff-events.port.js';
import type { SyncState } from '../ports/sync-state.port.js';

/**
 * The sync state with every quarantine told to `events`. Records are quarantined from many
 * places (a cycle's writes, a write-back batch, feedback refused, a job abandoned); they all go
 * through `SyncState.quarantine`, so counting here misses none and adds a line to none. Told after
 * the entry is stored: a quarantine that did not happen is not counted.
 */
export function countQuarantines(state: SyncState, events: HandoffEvents): SyncState {
  const quarantine: SyncState['quarantine'] = async (entry) => {
    await state.quarantine(entry);
    events.quarantined(entry.code);
  };
  // Every other member is the state's own, bound to it (an adapter class may keep private
  // fields that only its own `this` reaches).
  return new Proxy(state, {
    get(target, property) {
      if (property === 'quarantine') return quarantine;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function'
        ? (value as (...args: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}
