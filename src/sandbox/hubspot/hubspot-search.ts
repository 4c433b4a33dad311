import { asText } from '../core/sandbox-http.js';
import type { SortedIndex } from './sorted-index.js';
import {
  toEpochMs,
  toObjectType,
  type HubSpotObjectType,
  type HubSpotRecord,
  type HubSpotStore,
  type PropertyDefinition,
} from './hubspot-store.js';

/** Search limits as documented; the emulator enforces them like HubSpot. */
export const SEARCH_MAX_LIMIT = 200;
export const SEARCH_RESULT_CAP = 10_000;
const MAX_GROUPS = 5;
const MAX_FILTERS_PER_GROUP = 6;
const MAX_FILTERS = 18;
const MAX_QUERY_CHARS = 3_000;

export interface SearchFilter {
  readonly propertyName: string;
  readonly operator: string;
  readonly value?: unknown;
  readonly highValue?: unknown;
  readonly values?: readonly unknown[];
}

export interface SearchRequest {
  readonly filterGroups?: readonly { readonly filters?: readonly SearchFilter[] }[];
  readonly sorts?: readonly (string | { propertyName?: string; direction?: string })[];
  readonly properties?: readonly string[];
  readonly limit?: number;
  readonly after?: string | number;
  readonly query?: string;
}

export type SearchOutcome =
  | {
      readonly ok: true;
      readonly total: number;
      readonly page: readonly HubSpotRecord[];
      readonly nextAfter: string | null;
    }
  | { readonly ok: false; readonly message: string };

const OPERATORS = new Set([
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
]);

type Comparable = number | string;

/** Operators an index slice applies exactly (integer-ms bounds). */
const RANGE_OPERATORS = new Set(['GT', 'GTE', 'LT', 'LTE', 'BETWEEN', 'EQ']);

function comparable(def: PropertyDefinition | undefined, value: string): Comparable {
  if (def?.type === 'number') return Number(value);
  if (def?.type === 'datetime' || def?.type === 'date') return toEpochMs(value) ?? Number.NaN;
  return value.toLowerCase();
}

/** A record's value in comparable form, using the stored epoch for datetimes. */
function comparableOf(
  def: PropertyDefinition | undefined,
  record: HubSpotRecord,
  name: string,
  value: string,
): Comparable {
  const epoch = record.epochs[name];
  return epoch !== undefined ? epoch : comparable(def, value);
}

function compare(a: Comparable, b: Comparable): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

function tokenMatches(value: string, pattern: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .toLowerCase()
      .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')}$`,
  );
  return value
    .toLowerCase()
    .split(/[^\p{L}\p{N}@.*_-]+/u)
    .some((token) => regex.test(token));
}

type Predicate = (record: HubSpotRecord) => boolean;

function compileFilter(
  store: HubSpotStore,
  type: HubSpotObjectType,
  filter: SearchFilter,
): Predicate | string {
  const operator = String(filter.operator).toUpperCase();
  if (!OPERATORS.has(operator)) return `Invalid operator: ${filter.operator}`;
  const association = /^associations\.(.+)$/.exec(filter.propertyName);
  if (association !== null) {
    const target = toObjectType(association[1] ?? '');
    if (target === null) return `Unknown association type: ${association[1]}`;
    const ids = new Set((filter.values ?? [filter.value]).map(String));
    const positive = (record: HubSpotRecord): boolean =>
      [...ids].some((id) => store.isAssociated(type, record.id, target, id));
    return operator === 'NEQ' || operator === 'NOT_IN' ? (record) => !positive(record) : positive;
  }
  const def = store.properties[type].get(filter.propertyName);
  if (def === undefined && filter.propertyName !== 'hs_object_id') {
    return `There was a problem with the request: property ${filter.propertyName} does not exist`;
  }
  const name = filter.propertyName;
  const read = (record: HubSpotRecord): string | undefined =>
    name === 'hs_object_id' ? record.id : record.properties[name];
  const target = filter.value === undefined ? undefined : comparable(def, asText(filter.value));
  switch (operator) {
    case 'HAS_PROPERTY':
      return (record) => read(record) !== undefined;
    case 'NOT_HAS_PROPERTY':
      return (record) => read(record) === undefined;
    case 'IN':
    case 'NOT_IN': {
      // Values of IN/NOT_IN on text must be lower-case to match; they are not folded here.
      const options = new Set(
        (filter.values ?? []).map((value) =>
          def?.type === 'number' ? String(Number(value)) : String(value),
        ),
      );
      const has = (record: HubSpotRecord): boolean => {
        const value = read(record);
        if (value === undefined) return false;
        return options.has(
          def?.type === 'number'
            ? String(Number(value))
            : def?.type === 'enumeration'
              ? value
              : value.toLowerCase(),
        );
      };
      return operator === 'IN' ? has : (record) => !has(record);
    }
    case 'CONTAINS_TOKEN':
    case 'NOT_CONTAINS_TOKEN': {
      const pattern = asText(filter.value ?? '');
      const has = (record: HubSpotRecord): boolean => {
        const value = read(record);
        return value !== undefined && tokenMatches(value, pattern);
      };
      return operator === 'CONTAINS_TOKEN' ? has : (record) => !has(record);
    }
    case 'BETWEEN': {
      const high =
        filter.highValue === undefined ? undefined : comparable(def, asText(filter.highValue));
      if (target === undefined || high === undefined) return 'BETWEEN needs value and highValue';
      return (record) => {
        const value = read(record);
        if (value === undefined) return false;
        const actual = comparableOf(def, record, name, value);
        return compare(actual, target) >= 0 && compare(actual, high) <= 0;
      };
    }
    default: {
      if (target === undefined) return `Operator ${operator} needs a value`;
      const test: (order: number) => boolean =
        operator === 'EQ'
          ? (o) => o === 0
          : operator === 'NEQ'
            ? (o) => o !== 0
            : operator === 'LT'
              ? (o) => o < 0
              : operator === 'LTE'
                ? (o) => o <= 0
                : operator === 'GT'
                  ? (o) => o > 0
                  : (o) => o >= 0;
      return (record) => {
        const value = read(record);
        if (value === undefined) return operator === 'NEQ';
        return test(compare(comparableOf(def, record, name, value), target));
      };
    }
  }
}

/** The one sort a search applies: the request's, else creation date ascending. */
function sortOf(
  type: HubSpotObjectType,
  request: SearchRequest,
): { readonly propertyName: string; readonly descending: boolean } {
  const sort = request.sorts?.[0];
  return sort === undefined
    ? { propertyName: type === 'contacts' ? 'createdate' : 'hs_createdate', descending: false }
    : typeof sort === 'string'
      ? { propertyName: sort.replace(/^-/, ''), descending: sort.startsWith('-') }
      : {
          propertyName: sort.propertyName ?? 'createdate',
          descending: sort.direction === 'DESCENDING',
        };
}

/**
 * The epochs `[from, to)` that the filters on `propertyName` bound (integer ms; infinite when
 * unbounded), as the index slice applies them.
 */
function windowOf(filters: readonly SearchFilter[], propertyName: string): [number, number] {
  let from = -Infinity;
  let to = Infinity;
  for (const bound of filters) {
    if (bound.propertyName !== propertyName) continue;
    const value = toEpochMs(asText(bound.value));
    const high = toEpochMs(asText(bound.highValue));
    const operator = String(bound.operator).toUpperCase();
    if (value === null) continue;
    if (operator === 'GTE' || operator === 'BETWEEN' || operator === 'EQ')
      from = Math.max(from, value);
    if (operator === 'GT') from = Math.max(from, value + 1);
    if (operator === 'LT') to = Math.min(to, value);
    if (operator === 'LTE' || operator === 'EQ') to = Math.min(to, value + 1);
    if (operator === 'BETWEEN' && high !== null) to = Math.min(to, high + 1);
  }
  return [from, to];
}

/** Whether the index slice of `filter`'s property applies `filter` exactly. */
function coveredBySlice(filter: SearchFilter): boolean {
  const operator = String(filter.operator).toUpperCase();
  return (
    RANGE_OPERATORS.has(operator) &&
    toEpochMs(asText(filter.value)) !== null &&
    (operator !== 'BETWEEN' || toEpochMs(asText(filter.highValue)) !== null)
  );
}

/** A slice of a datetime index: the ids whose epoch of `propertyName` is in `[from, to)`. */
interface IndexWindow {
  readonly index: SortedIndex;
  readonly propertyName: string;
  readonly from: number;
  readonly to: number;
}

interface CachedResult {
  readonly version: number;
  readonly ids: readonly string[];
}

/**
 * CRM search over one object type: filter groups (OR of ANDs), one sort, offset paging with
 * the documented limits (5 groups, 6 filters per group, 18 in all, limit ≤ 200, 10,000 results).
 * A time window on an indexed datetime property, sorted ascending by it (the sync's keyset
 * pages), is answered from the index alone: counted by block sizes and read from its start. Any
 * other sorted result of a query is cached until the next write, so paging through 100,000
 * contacts costs one scan, not one per page.
 */
export class HubSpotSearch {
  private readonly cache = new Map<string, CachedResult>();

  constructor(
    private readonly store: HubSpotStore,
    /**
     * `indexWindows: false` answers index windows the general way (tests compare the two);
     * `onPlan` hears which way each search was answered.
     */
    private readonly options: {
      readonly indexWindows?: boolean;
      readonly onPlan?: (plan: 'window' | 'general') => void;
    } = {},
  ) {}

  run(type: HubSpotObjectType, request: SearchRequest): SearchOutcome {
    const groups = request.filterGroups ?? [];
    const filterCount = groups.reduce((sum, group) => sum + (group.filters?.length ?? 0), 0);
    if (
      groups.length > MAX_GROUPS ||
      groups.some((group) => (group.filters?.length ?? 0) > MAX_FILTERS_PER_GROUP) ||
      filterCount > MAX_FILTERS
    ) {
      return {
        ok: false,
        message: `There was a problem with the request: too many filters or filter groups (at most ${MAX_GROUPS} groups, ${MAX_FILTERS_PER_GROUP} filters each, ${MAX_FILTERS} in total)`,
      };
    }
    if ((request.query ?? '').length > MAX_QUERY_CHARS)
      return { ok: false, message: 'query is too long' };
    const limit = request.limit ?? 10;
    if (!Number.isInteger(limit) || limit < 0 || limit > SEARCH_MAX_LIMIT) {
      return { ok: false, message: `limit must be between 0 and ${SEARCH_MAX_LIMIT}` };
    }
    if ((request.sorts ?? []).length > 1)
      return { ok: false, message: 'Only one sort is supported' };
    const offset = Number(request.after ?? 0);
    if (!Number.isInteger(offset) || offset < 0)
      return { ok: false, message: `Invalid after: ${String(request.after)}` };
    if (offset >= SEARCH_RESULT_CAP) {
      return {
        ok: false,
        message: `There was a problem with the request: paging beyond ${SEARCH_RESULT_CAP} results is not supported`,
      };
    }
    const window = this.options.indexWindows === false ? null : this.indexWindow(type, request);
    this.options.onPlan?.(window === null ? 'general' : 'window');
    if (window !== null) return this.windowPage(type, window, offset, limit);
    const ids = this.matchingIds(type, request);
    if (typeof ids === 'string') return { ok: false, message: ids };
    const end = Math.min(offset + limit, ids.length, SEARCH_RESULT_CAP);
    const page: HubSpotRecord[] = [];
    for (let index = offset; index < end; index += 1) {
      const record = this.store.objects[type].get(ids[index] ?? '');
      if (record !== undefined) page.push(record);
    }
    return { ok: true, total: ids.length, page, nextAfter: end < ids.length ? String(end) : null };
  }

  /**
   * The index window that answers `request` exactly, when it is one: a single filter group
   * whose filters all bound one indexed datetime property (each applied exactly by the slice),
   * no text query, and a sort ascending by that property, which is the index's order (ties by
   * numeric id, as the sort breaks them). Null sends the request down the general path.
   */
  private indexWindow(type: HubSpotObjectType, request: SearchRequest): IndexWindow | null {
    const groups = request.filterGroups ?? [];
    const filters = groups.length === 1 ? (groups[0]?.filters ?? []) : [];
    const propertyName = filters[0]?.propertyName;
    if (propertyName === undefined || (request.query?.trim() ?? '') !== '') return null;
    const index = this.store.index(type, propertyName);
    if (index === undefined) return null;
    for (const filter of filters) {
      if (filter.propertyName !== propertyName || !coveredBySlice(filter)) return null;
      if (typeof compileFilter(this.store, type, filter) === 'string') return null;
    }
    const sort = sortOf(type, request);
    if (sort.propertyName !== propertyName || sort.descending) return null;
    const [from, to] = windowOf(filters, propertyName);
    if (from === -Infinity && to === Infinity) return null;
    return { index, propertyName, from, to };
  }

  /**
   * One page of an index window: what the general path gives for it (the window's live records
   * in index order, `total` counting them), without collecting the window. Archived records stay
   * in the index, so they are counted out and skipped.
   */
  private windowPage(
    type: HubSpotObjectType,
    window: IndexWindow,
    offset: number,
    limit: number,
  ): SearchOutcome {
    const { index, propertyName, from, to } = window;
    const records = this.store.objects[type];
    let total = index.count(from, to);
    for (const id of this.store.archivedIds(type)) {
      // An archived record keeps its place in the index, under its current epoch.
      const epoch = records.get(id)?.epochs[propertyName];
      if (epoch !== undefined && epoch >= from && epoch < to) total -= 1;
    }
    const end = Math.min(offset + limit, total, SEARCH_RESULT_CAP);
    const page: HubSpotRecord[] = [];
    let skipped = 0;
    if (offset < end)
      index.each(from, to, (id) => {
        const record = records.get(id);
        if (record === undefined || record.archived) return true;
        if (skipped < offset) skipped += 1;
        else page.push(record);
        return offset + page.length < end;
      });
    return { ok: true, total, page, nextAfter: end < total ? String(end) : null };
  }

  /**
   * Records that can match, and whether they already come ordered by a property: a slice of a
   * datetime index when the single filter group bounds an indexed property (the sync's time
   * windows), the one contact with an `email` EQ filter, else every record. Predicates still run.
   */
  private candidates(
    type: HubSpotObjectType,
    request: SearchRequest,
  ): { records: Iterable<HubSpotRecord>; orderedBy: string | null } {
    const groups = request.filterGroups ?? [];
    const records = this.store.objects[type];
    const filters = groups.length === 1 ? (groups[0]?.filters ?? []) : [];
    const byEmail =
      type === 'contacts'
        ? filters.find(
            (filter) =>
              filter.propertyName === 'email' && String(filter.operator).toUpperCase() === 'EQ',
          )
        : undefined;
    if (byEmail !== undefined) {
      const record = this.store.findByEmail(asText(byEmail.value));
      return { records: record === undefined ? [] : [record], orderedBy: null };
    }
    for (const filter of filters) {
      const index = this.store.index(type, filter.propertyName);
      if (index === undefined) continue;
      const [from, to] = windowOf(filters, filter.propertyName);
      if (from === -Infinity && to === Infinity) continue;
      const slice: HubSpotRecord[] = [];
      for (const id of index.range(from, to)) {
        const record = records.get(id);
        if (record !== undefined) slice.push(record);
      }
      return { records: slice, orderedBy: filter.propertyName };
    }
    return { records: records.values(), orderedBy: null };
  }

  private matchingIds(type: HubSpotObjectType, request: SearchRequest): readonly string[] | string {
    const key = `${type}|${JSON.stringify([request.filterGroups ?? [], request.sorts ?? [], request.query ?? ''])}`;
    const cached = this.cache.get(key);
    if (cached?.version === this.store.version) return cached.ids;

    const candidates = this.candidates(type, request);
    const groups: Predicate[][] = [];
    for (const group of request.filterGroups ?? []) {
      const predicates: Predicate[] = [];
      for (const filter of group.filters ?? []) {
        const predicate = compileFilter(this.store, type, filter);
        if (typeof predicate === 'string') return predicate;
        // A range the index slice already applied need not be checked again per record.
        if (filter.propertyName !== candidates.orderedBy || !coveredBySlice(filter))
          predicates.push(predicate);
      }
      groups.push(predicates);
    }
    const query = request.query?.trim().toLowerCase();
    const matched: HubSpotRecord[] = [];
    for (const record of candidates.records) {
      if (record.archived) continue;
      if (
        groups.length > 0 &&
        !groups.some((predicates) => predicates.every((predicate) => predicate(record)))
      )
        continue;
      if (
        query !== undefined &&
        query !== '' &&
        !Object.values(record.properties).some((value) => value.toLowerCase().includes(query))
      )
        continue;
      matched.push(record);
    }
    const sortSpec = sortOf(type, request);
    const def = this.store.properties[type].get(sortSpec.propertyName);
    const keyOf = (record: HubSpotRecord): Comparable => {
      const value =
        sortSpec.propertyName === 'hs_object_id'
          ? record.id
          : record.properties[sortSpec.propertyName];
      return value === undefined ? '' : comparableOf(def, record, sortSpec.propertyName, value);
    };
    let ids: string[];
    if (candidates.orderedBy === sortSpec.propertyName && !sortSpec.descending) {
      // The index already orders by this property, ties by numeric id: the order sorting gives.
      ids = matched.map((record) => record.id);
    } else {
      const keyed = matched.map((record) => ({ id: record.id, key: keyOf(record) }));
      keyed.sort((a, b) => {
        const order = compare(a.key, b.key) * (sortSpec.descending ? -1 : 1);
        return order !== 0 ? order : Number(a.id) - Number(b.id);
      });
      ids = keyed.map((entry) => entry.id);
    }
    if (this.cache.size > 64) this.cache.clear();
    this.cache.set(key, { version: this.store.version, ids });
    return ids;
  }
}
