import { FAULT_KINDS, type FaultDecision, type FaultRule, type FaultSpec } from './fault-types.js';
import type { SandboxSystem } from './sandbox-http.js';
import { seededRandom } from './seeded-random.js';

interface MutableRule extends FaultSpec {
  id: string;
  fired: number;
  seen: number;
}

function matches(pattern: string | undefined, endpoint: string): boolean {
  if (pattern === undefined || pattern === '*') return true;
  return pattern.endsWith('*') ? endpoint.startsWith(pattern.slice(0, -1)) : pattern === endpoint;
}

/** Holds the fault rules of one sandbox and decides, call by call, which fire. */
export class FaultInjector {
  private rules: MutableRule[] = [];
  private nextId = 1;
  private random: () => number;

  constructor(
    readonly system: SandboxSystem,
    seed = 1,
  ) {
    // Seeded so that a fault rate hits the same calls on every run.
    this.random = seededRandom(seed).next;
  }

  add(spec: FaultSpec): FaultRule {
    if (!FAULT_KINDS.includes(spec.kind))
      throw new Error(`unknown fault kind ${String(spec.kind)}`);
    const rule: MutableRule = { ...spec, id: `fault-${this.nextId}`, fired: 0, seen: 0 };
    this.nextId += 1;
    this.rules.push(rule);
    return { ...rule };
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((rule) => rule.id !== id);
    return this.rules.length < before;
  }

  clear(): void {
    this.rules = [];
  }

  list(): readonly FaultRule[] {
    return this.rules.map((rule) => ({ ...rule }));
  }

  /** Decides the faults of one call to `endpoint`; counts it against every matching rule. */
  decide(endpoint: string): FaultDecision {
    let latencyMs = 0;
    let answer: FaultRule | null = null;
    let partialBatch: FaultDecision['partialBatch'] = null;
    let lockRow = false;
    for (const rule of this.rules) {
      if (!matches(rule.endpoint, endpoint)) continue;
      rule.seen += 1;
      if (rule.seen <= (rule.afterCalls ?? 0)) continue;
      if (rule.times !== undefined && rule.fired >= rule.times) continue;
      if (this.random() >= (rule.rate ?? 1)) continue;
      if (rule.kind === 'latency') {
        latencyMs += rule.latencyMs ?? 0;
      } else if (rule.kind === 'partial_batch') {
        if (partialBatch !== null) continue;
        partialBatch = { fraction: rule.fraction ?? 0.5, code: rule.code };
      } else if (rule.kind === 'lock_row' && endpoint.includes('collections')) {
        if (lockRow) continue;
        lockRow = true;
      } else if (answer === null) {
        answer = { ...rule };
      } else continue;
      rule.fired += 1;
    }
    return { latencyMs, answer, partialBatch, lockRow };
  }
}
