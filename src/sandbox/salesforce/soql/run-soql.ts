import {
  formatDateTime,
  indexKey,
  type IndexLookup,
  type SalesforceStore,
  type SfRecord,
  type StoredValue,
} from '../salesforce-store.js';
import type { ChildRelationship, FieldSpec, SObjectSpec } from '../sobject-schema.js';
import {
  likeSegments,
  SoqlError,
  type Condition,
  type Literal,
  type SoqlQuery,
} from './parse-soql.js';

const DAY_MS = 86_400_000;

/** A resolved field path: how to read it from a base record, and what it is. */
interface ResolvedPath {
  /** Canonical segments: relationship names, then the field name. */
  readonly segments: readonly string[];
  readonly field: FieldSpec;
  readonly read: (record: SfRecord) => StoredValue | undefined;
}

export interface SoqlResult {
  /** Records in Salesforce's JSON shape (attributes, nested relationships, formatted datetimes). */
  readonly records: readonly Record<string, unknown>[];
  readonly totalSize: number;
}

function noSuchColumn(name: string, object: string): SoqlError {
  return new SoqlError(
    `No such column '${name}' on entity '${object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
    'INVALID_FIELD',
  );
}

function resolvePath(store: SalesforceStore, spec: SObjectSpec, path: string): ResolvedPath {
  const parts = path.split('.');
  const fieldName = parts.pop() ?? '';
  let objects: readonly string[] = [spec.name];
  const hops: FieldSpec[] = [];
  const segments: string[] = [];
  for (const part of parts) {
    const hop = objects
      .map((object) => store.catalog.relationship(object, part))
      .find((found) => found !== undefined);
    if (hop === undefined)
      throw new SoqlError(
        `Didn't understand relationship '${part}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name.`,
        'INVALID_FIELD',
      );
    hops.push(hop);
    segments.push(hop.relationshipName ?? part);
    objects = hop.referenceTo ?? [];
  }
  // Field-level security: a field the user cannot read does not exist for their queries.
  const field = objects
    .map((object) => store.visibleField(object, fieldName))
    .find((found) => found !== undefined);
  if (field === undefined) throw noSuchColumn(fieldName, objects.join('/'));
  segments.push(field.name);
  const read = (record: SfRecord): StoredValue | undefined => {
    let current: SfRecord | undefined = record;
    for (const hop of hops) {
      const id: StoredValue | undefined = current?.[hop.name];
      current = typeof id === 'string' ? store.get(id)?.record : undefined;
      if (current === undefined) return null;
    }
    return current?.[field.name];
  };
  return { segments, field, read };
}

/** A field in a WHERE clause: Salesforce refuses the few that are not filterable. */
function resolveFilterPath(store: SalesforceStore, spec: SObjectSpec, path: string): ResolvedPath {
  const resolved = resolvePath(store, spec, path);
  if (resolved.field.filterable === false)
    throw new SoqlError(
      `field '${resolved.field.name}' can not be filtered in a query call`,
      'INVALID_FIELD',
    );
  return resolved;
}

type Comparable = string | number | boolean;

function relativeRange(
  literal: Extract<Literal, { kind: 'relative' }>,
  now: number,
): [number, number] {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const n = literal.n ?? 0;
  switch (literal.name) {
    case 'TODAY':
      return [today, today + DAY_MS];
    case 'YESTERDAY':
      return [today - DAY_MS, today];
    case 'TOMORROW':
      return [today + DAY_MS, today + 2 * DAY_MS];
    case 'LAST_N_DAYS':
      return [today - n * DAY_MS, today + DAY_MS];
    case 'NEXT_N_DAYS':
      return [today, today + (n + 1) * DAY_MS];
    default:
      return [today - n * DAY_MS, today - (n - 1) * DAY_MS];
  }
}

function dateOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** A literal checked against the field's type, as Salesforce checks it. */
function literalFor(
  field: FieldSpec,
  literal: Literal,
  now: number,
): Comparable | null | [Comparable, Comparable] {
  const wrongType = (what: string): SoqlError =>
    new SoqlError(
      `value of filter criterion for field '${field.name}' must be of type ${what} and should not be enclosed in quotes`,
      'INVALID_FIELD',
    );
  if (literal.kind === 'null') return null;
  switch (field.type) {
    case 'datetime':
      if (literal.kind === 'datetime') return literal.value;
      if (literal.kind === 'relative') return relativeRange(literal, now);
      throw wrongType('dateTime');
    case 'date':
      if (literal.kind === 'date') return literal.value;
      if (literal.kind === 'relative') {
        const [start, end] = relativeRange(literal, now);
        return [dateOf(start), dateOf(end)];
      }
      throw wrongType('date');
    case 'boolean':
      if (literal.kind === 'boolean') return literal.value;
      throw wrongType('boolean');
    case 'double':
    case 'int':
    case 'currency':
      if (literal.kind === 'number') return literal.value;
      throw wrongType('number');
    case 'id':
    case 'reference':
      if (literal.kind === 'string') return literal.value;
      throw new SoqlError(
        `invalid ID field: ${literal.kind === 'number' ? literal.value : literal.kind}`,
        'INVALID_FIELD',
      );
    default:
      if (literal.kind === 'string') return literal.value.toLowerCase();
      throw new SoqlError(
        `value of filter criterion for field '${field.name}' must be a quoted string`,
        'INVALID_FIELD',
      );
  }
}

function comparableValue(field: FieldSpec, value: StoredValue | undefined): Comparable | null {
  if (value === undefined || value === null) return null;
  if (field.type === 'id' || field.type === 'reference') return String(value);
  if (typeof value === 'string' && field.type !== 'date') return value.toLowerCase();
  return value;
}

/** Ids: an 18-character id equals itself; a 15-character one matches on its case-safe prefix. */
function sameId(a: string, b: string): boolean {
  return a.length === 15 || b.length === 15 ? a.slice(0, 15) === b.slice(0, 15) : a === b;
}

function order(a: Comparable, b: Comparable): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/**
 * The test of a LIKE pattern (normalised, see `likeSegments`): case-insensitive, `%` any run of
 * characters, `_` one. It is `^…$` over the whole value, with a leading or trailing `%` left
 * unanchored instead (`^.*X` and `X.*$` match exactly where `X` does, `.` matching newlines),
 * which spares the regex engine the backtracking of `'%acme.com%'` over every Account.
 */
export function likeRegExp(pattern: string): RegExp {
  const segments = likeSegments(pattern);
  let first = 0;
  let end = segments.length;
  const openStart = segments[first]?.kind === 'any';
  if (openStart) first += 1;
  const openEnd = end > first && segments[end - 1]?.kind === 'any';
  if (openEnd) end -= 1;
  const source = segments
    .slice(first, end)
    .map((segment) =>
      segment.kind === 'any'
        ? '.*'
        : segment.kind === 'one'
          ? '.'
          : segment.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`${openStart ? '' : '^'}${source}${openEnd ? '' : '$'}`, 'is');
}

type Predicate = (record: SfRecord) => boolean;

function compileCondition(
  store: SalesforceStore,
  spec: SObjectSpec,
  condition: Condition,
  now: number,
): Predicate {
  switch (condition.kind) {
    case 'and': {
      const items = condition.items.map((item) => compileCondition(store, spec, item, now));
      return (record) => items.every((item) => item(record));
    }
    case 'or': {
      const items = condition.items.map((item) => compileCondition(store, spec, item, now));
      return (record) => items.some((item) => item(record));
    }
    case 'not': {
      const item = compileCondition(store, spec, condition.item, now);
      return (record) => !item(record);
    }
    case 'like': {
      const path = resolveFilterPath(store, spec, condition.field);
      const regex = likeRegExp(condition.pattern);
      return (record) => {
        const value = path.read(record);
        return value !== null && value !== undefined && regex.test(String(value));
      };
    }
    case 'in': {
      const path = resolveFilterPath(store, spec, condition.field);
      const options = condition.values.map((value) => literalFor(path.field, value, now));
      const isId = path.field.type === 'id' || path.field.type === 'reference';
      const has = (record: SfRecord): boolean => {
        const value = comparableValue(path.field, path.read(record));
        return options.some((option) => {
          if (option === null || value === null) return option === value;
          if (Array.isArray(option)) return false;
          return isId ? sameId(String(value), String(option)) : order(value, option) === 0;
        });
      };
      return condition.negated ? (record) => !has(record) : has;
    }
    case 'compare': {
      const path = resolveFilterPath(store, spec, condition.field);
      const target = literalFor(path.field, condition.value, now);
      const { operator } = condition;
      if (target === null) {
        if (operator !== '=' && operator !== '!=')
          throw new SoqlError(`null can only be compared with = or !=`);
        return operator === '='
          ? (record) => comparableValue(path.field, path.read(record)) === null
          : (record) => comparableValue(path.field, path.read(record)) !== null;
      }
      return (record) => {
        const value = comparableValue(path.field, path.read(record));
        if (value === null) return operator === '!=';
        if (Array.isArray(target)) {
          const [start, end] = target;
          switch (operator) {
            case '=':
              return order(value, start) >= 0 && order(value, end) < 0;
            case '!=':
              return order(value, start) < 0 || order(value, end) >= 0;
            case '<':
              return order(value, start) < 0;
            case '<=':
              return order(value, end) < 0;
            case '>':
              return order(value, end) >= 0;
            default:
              return order(value, start) >= 0;
          }
        }
        const isId = path.field.type === 'id' || path.field.type === 'reference';
        const comparison = isId && sameId(String(value), String(target)) ? 0 : order(value, target);
        switch (operator) {
          case '=':
            return comparison === 0;
          case '!=':
            return comparison !== 0;
          case '<':
            return comparison < 0;
          case '<=':
            return comparison <= 0;
          case '>':
            return comparison > 0;
          default:
            return comparison >= 0;
        }
      };
    }
  }
}

/**
 * Tables smaller than this are scanned: an index would cost more to build and keep than the
 * scans it saves.
 */
export const INDEX_MIN_ROWS = 256;

/**
 * Fields never served from an index. Audit fields are not writable through the API, so tests
 * that play a rep set them on the stored record directly, which bypasses the store's indexes.
 */
const UNINDEXED_FIELDS = new Set(['CreatedById', 'LastModifiedById']);

/**
 * The index lookups that find every record `condition` can match (a superset, in any order), or
 * null when it has none: `field = value` and `field IN (…)` on a field of the queried object,
 * an OR of such conditions, or an AND one of whose conjuncts is one (the smallest is chosen).
 * The keys are the ones {@link compileCondition}'s comparisons imply: text (and numbers,
 * booleans, dates) compare as `String(value).toLowerCase()`, ids on their first 15 characters.
 * `null` matches absent values, which no index holds, so a condition that names it is not served.
 */
function indexLookups(
  store: SalesforceStore,
  spec: SObjectSpec,
  condition: Condition,
  now: number,
): IndexLookup[] | null {
  switch (condition.kind) {
    case 'or': {
      const lookups: IndexLookup[] = [];
      for (const item of condition.items) {
        const found = indexLookups(store, spec, item, now);
        if (found === null) return null;
        lookups.push(...found);
      }
      return lookups;
    }
    case 'and': {
      let best: { lookups: IndexLookup[]; size: number } | null = null;
      for (const item of condition.items) {
        const lookups = indexLookups(store, spec, item, now);
        if (lookups === null) continue;
        const size = lookups.reduce(
          (sum, lookup) => sum + store.countFiledUnder(spec.name, lookup),
          0,
        );
        if (best === null || size < best.size) best = { lookups, size };
      }
      return best?.lookups ?? null;
    }
    case 'compare':
    case 'in': {
      if (condition.kind === 'compare' ? condition.operator !== '=' : condition.negated)
        return null;
      const path = resolvePath(store, spec, condition.field);
      const { field } = path;
      if (
        path.segments.length !== 1 ||
        field.type === 'boolean' ||
        UNINDEXED_FIELDS.has(field.name)
      )
        return null;
      const kind = field.type === 'id' || field.type === 'reference' ? 'soql-id' : 'soql-text';
      const keys: string[] = [];
      const literals = condition.kind === 'in' ? condition.values : [condition.value];
      for (const literal of literals) {
        const option = literalFor(field, literal, now);
        if (option === null) return null;
        // A relative date range: IN matches nothing with it, and = compares a range.
        if (Array.isArray(option)) {
          if (condition.kind === 'in') continue;
          return null;
        }
        const key = indexKey(kind, option);
        if (key !== null) keys.push(key);
      }
      return [{ field: field.name, kind, keys }];
    }
    default:
      return null;
  }
}

/**
 * The records a query considers, in table order: the whole table, or, when the WHERE (or the
 * `required` lookups, a further conjunct the caller checks itself) can be served from value
 * indexes and that is cheaper, only the records they file under its values. Either way the
 * caller filters them with the full condition, so the result is the scan's.
 */
function candidateRecords(
  store: SalesforceStore,
  spec: SObjectSpec,
  where: Condition | null,
  now: number,
  planner: { readonly indexMinRows: number; readonly onPlan?: (plan: 'scan' | 'index') => void },
  required: readonly IndexLookup[] | null = null,
): Iterable<SfRecord> {
  const table = store.table(spec.name);
  if (table.size >= planner.indexMinRows) {
    let best: { lookups: readonly IndexLookup[]; size: number } | null = null;
    for (const lookups of [
      required,
      where === null ? null : indexLookups(store, spec, where, now),
    ]) {
      if (lookups === null) continue;
      const size = lookups.reduce(
        (sum, lookup) => sum + store.countFiledUnder(spec.name, lookup),
        0,
      );
      if (best === null || size < best.size) best = { lookups, size };
    }
    // Collecting and ordering candidates costs more per record than a scan's test.
    if (best !== null && best.size * 4 <= table.size) {
      planner.onPlan?.('index');
      return store.recordsFiledUnder(spec.name, best.lookups);
    }
  }
  planner.onPlan?.('scan');
  return table.values();
}

type OrderBy = SoqlQuery['orderBy'];

/** The comparator of an ORDER BY (null when there is none): SOQL's nulls placement. */
function comparator(
  store: SalesforceStore,
  spec: SObjectSpec,
  orderBy: OrderBy,
): ((a: SfRecord, b: SfRecord) => number) | null {
  if (orderBy.length === 0) return null;
  const keys = orderBy.map((entry) => ({ ...entry, path: resolvePath(store, spec, entry.field) }));
  return (a, b) => {
    for (const { path, descending, nullsLast } of keys) {
      const left = comparableValue(path.field, path.read(a));
      const right = comparableValue(path.field, path.read(b));
      if (left === null || right === null) {
        if (left === right) continue;
        return (left === null) === nullsLast ? 1 : -1;
      }
      const comparison = order(left, right) * (descending ? -1 : 1);
      if (comparison !== 0) return comparison;
    }
    return 0;
  };
}

function output(field: FieldSpec, value: StoredValue | undefined): unknown {
  if (value === undefined) return null;
  if (field.type === 'datetime' && typeof value === 'number') return formatDateTime(value);
  return value;
}

function attributesFor(type: string, id: unknown, version: string): Record<string, string> {
  return { type, url: `/services/data/${version}/sobjects/${type}/${String(id)}` };
}

/** One item of a SELECT list as output: a field path, or a subquery's nested result. */
type Column =
  | { readonly kind: 'path'; readonly path: ResolvedPath }
  | {
      readonly kind: 'children';
      /** The relationship's name as the schema spells it: the property Salesforce outputs. */
      readonly name: string;
      readonly rows: (parent: SfRecord) => ChildResult | null;
    };

/** A subquery's result on its parent record, as the REST API nests it. */
interface ChildResult {
  readonly totalSize: number;
  readonly done: true;
  readonly records: readonly Record<string, unknown>[];
}

function project(
  store: SalesforceStore,
  spec: SObjectSpec,
  record: SfRecord,
  columns: readonly Column[],
  version: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    attributes: attributesFor(spec.name, record['Id'], version),
  };
  for (const column of columns) {
    if (column.kind === 'children') {
      out[column.name] = column.rows(record);
      continue;
    }
    const { path } = column;
    if (path.segments.length === 1) {
      out[path.field.name] = output(path.field, record[path.field.name]);
      continue;
    }
    // Walk relationships, creating nested objects (or null when a reference is empty).
    let source: SfRecord | undefined = record;
    let sourceSpec: SObjectSpec | undefined = spec;
    let target = out;
    for (const relationship of path.segments.slice(0, -1)) {
      const hop: FieldSpec | undefined =
        sourceSpec === undefined
          ? undefined
          : store.catalog.relationship(sourceSpec.name, relationship);
      const id: StoredValue | undefined = hop === undefined ? undefined : source?.[hop.name];
      const next: { spec: SObjectSpec; record: SfRecord } | undefined =
        typeof id === 'string' ? store.get(id) : undefined;
      if (next === undefined) {
        target[relationship] = null;
        target = {};
        break;
      }
      const existing = target[relationship];
      const nested =
        existing !== null && typeof existing === 'object'
          ? (existing as Record<string, unknown>)
          : { attributes: attributesFor(next.spec.name, next.record['Id'], version) };
      target[relationship] = nested;
      target = nested;
      source = next.record;
      sourceSpec = next.spec;
    }
    if (source !== undefined) target[path.field.name] = output(path.field, source[path.field.name]);
  }
  return out;
}

function pathColumns(paths: readonly ResolvedPath[]): Column[] {
  return paths.map((path) => ({ kind: 'path', path }));
}

/** A subquery checked against the parent object, ready to run once the parents are known. */
interface ChildQuery {
  readonly relationship: ChildRelationship;
  readonly spec: SObjectSpec;
  /** The child's reference to the parent (`WhoId`). */
  readonly reference: FieldSpec;
  readonly query: SoqlQuery;
  readonly paths: readonly ResolvedPath[];
  readonly where: Predicate;
  readonly compare: ((a: SfRecord, b: SfRecord) => number) | null;
}

function childQuery(
  store: SalesforceStore,
  parent: SObjectSpec,
  query: SoqlQuery,
  now: number,
): ChildQuery {
  const relationship = store.catalog.childRelationship(parent.name, query.from);
  const spec =
    relationship === undefined ? undefined : store.catalog.object(relationship.childSObject);
  const reference =
    relationship === undefined || spec === undefined
      ? undefined
      : store.catalog.field(spec.name, relationship.field);
  if (relationship === undefined || spec === undefined || reference === undefined)
    throw new SoqlError(
      `Didn't understand relationship '${query.from}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
      'INVALID_TYPE',
    );
  return {
    relationship,
    spec,
    reference,
    query,
    paths: query.select.flatMap((item) =>
      item.kind === 'field' ? [resolvePath(store, spec, item.path)] : [],
    ),
    where: query.where === null ? () => true : compileCondition(store, spec, query.where, now),
    compare: comparator(store, spec, query.orderBy),
  };
}

/**
 * A subquery's rows for every parent at once: one pass over the child records that reference
 * any of `parents` (from the reference field's index when that is cheaper than a scan), grouped
 * by parent, so a page of parents costs one lookup rather than a scan per parent. Each parent's
 * rows are then ordered, offset and limited as its own query.
 */
function childColumn(
  store: SalesforceStore,
  child: ChildQuery,
  parents: readonly SfRecord[],
  options: RunOptions,
): Column {
  // Parents by the key the `soql-id` index files ids under (15 characters); `sameId` decides.
  const byKey = new Map<string, SfRecord[]>();
  for (const parent of parents) {
    const key = indexKey('soql-id', parent['Id']);
    if (key === null) continue;
    const held = byKey.get(key);
    if (held === undefined) byKey.set(key, [parent]);
    else held.push(parent);
  }
  const groups = new Map<SfRecord, SfRecord[]>();
  if (byKey.size > 0) {
    const field = child.reference.name;
    const candidates = candidateRecords(
      store,
      child.spec,
      child.query.where,
      options.now,
      {
        indexMinRows: options.indexMinRows ?? INDEX_MIN_ROWS,
        onPlan: (plan) => options.onPlan?.(plan, child.relationship.relationshipName),
      },
      [{ field, kind: 'soql-id', keys: [...byKey.keys()] }],
    );
    for (const record of candidates) {
      if (!options.includeDeleted && record['IsDeleted'] === true) continue;
      const value = record[field];
      const key = indexKey('soql-id', value);
      const owners = key === null ? undefined : byKey.get(key);
      if (owners === undefined || !child.where(record)) continue;
      for (const owner of owners) {
        if (!sameId(String(value), String(owner['Id']))) continue;
        const rows = groups.get(owner);
        if (rows === undefined) groups.set(owner, [record]);
        else rows.push(record);
      }
    }
  }
  const columns = pathColumns(child.paths);
  const { offset, limit } = child.query;
  return {
    kind: 'children',
    name: child.relationship.relationshipName,
    rows: (parent) => {
      let rows = groups.get(parent) ?? [];
      if (child.compare !== null) rows = [...rows].sort(child.compare);
      if (offset !== null) rows = rows.slice(offset);
      if (limit !== null) rows = rows.slice(0, limit);
      // Salesforce answers null, not an empty result, for a parent without matching children.
      if (rows.length === 0) return null;
      return {
        totalSize: rows.length,
        done: true,
        records: rows.map((row) => project(store, child.spec, row, columns, options.version)),
      };
    },
  };
}

export interface RunOptions {
  readonly includeDeleted: boolean;
  readonly version: string;
  readonly now: number;
  readonly indexMinRows?: number;
  /**
   * Which way rows were found: `from` is the queried object, or a subquery's relationship
   * name (`Tasks`), each told once per query (a subquery's only when there are parents).
   */
  readonly onPlan?: (plan: 'scan' | 'index', from: string) => void;
}

/**
 * Runs a parsed query against the store. `includeDeleted` is queryAll (for subqueries' rows
 * too). Aggregates (COUNT with GROUP BY) return `AggregateResult` rows with `expr0`… or the
 * alias. Equality and IN conditions are served from value indexes on tables of `indexMinRows`
 * records or more (default {@link INDEX_MIN_ROWS}; Infinity scans always), and so are
 * subqueries' lookups of their parents' children; `onPlan` hears which way the rows were found.
 */
export function runSoql(store: SalesforceStore, query: SoqlQuery, options: RunOptions): SoqlResult {
  const spec = store.catalog.object(query.from);
  if (spec === undefined) {
    throw new SoqlError(
      `sObject type '${query.from}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
      'INVALID_TYPE',
    );
  }
  // Every item is checked before any row is read, so errors do not depend on the data.
  const items = query.select.map((item) =>
    item.kind === 'field'
      ? { kind: 'path' as const, path: resolvePath(store, spec, item.path) }
      : item.kind === 'subquery'
        ? { kind: 'subquery' as const, child: childQuery(store, spec, item.query, options.now) }
        : null,
  );
  const followed = new Set<string>();
  for (const item of items) {
    if (item?.kind !== 'subquery') continue;
    const name = item.child.relationship.relationshipName;
    if (followed.has(name))
      throw new SoqlError(`Cannot follow the same aggregate relationship twice: ${name}`);
    followed.add(name);
  }
  const fieldPaths = items.flatMap((item) => (item?.kind === 'path' ? [item.path] : []));
  const where =
    query.where === null ? () => true : compileCondition(store, spec, query.where, options.now);
  const compare = comparator(store, spec, query.orderBy);
  let matched: SfRecord[] = [];
  const records = candidateRecords(store, spec, query.where, options.now, {
    indexMinRows: options.indexMinRows ?? INDEX_MIN_ROWS,
    onPlan: (plan) => options.onPlan?.(plan, spec.name),
  });
  for (const record of records) {
    if (!options.includeDeleted && record['IsDeleted'] === true) continue;
    if (where(record)) matched.push(record);
  }
  if (compare !== null) matched.sort(compare);
  const counts = query.select.filter((item) => item.kind === 'count');
  if (
    counts.length > 0 &&
    query.groupBy.length === 0 &&
    fieldPaths.length === 0 &&
    counts[0]?.field === null
  ) {
    return { records: [], totalSize: matched.length };
  }
  if (counts.length > 0 || query.groupBy.length > 0)
    return aggregate(store, spec, query, matched, fieldPaths);
  if (query.offset !== null) matched = matched.slice(query.offset);
  if (query.limit !== null) matched = matched.slice(0, query.limit);
  const columns = items.flatMap((item): Column[] =>
    item === null
      ? []
      : item.kind === 'path'
        ? [item]
        : [childColumn(store, item.child, matched, options)],
  );
  return {
    records: matched.map((record) => project(store, spec, record, columns, options.version)),
    totalSize: matched.length,
  };
}

function aggregate(
  store: SalesforceStore,
  spec: SObjectSpec,
  query: SoqlQuery,
  matched: readonly SfRecord[],
  fieldPaths: readonly ResolvedPath[],
): SoqlResult {
  const groupPaths = query.groupBy.map((name) => resolvePath(store, spec, name));
  const grouped = fieldPaths.every((path) =>
    groupPaths.some((group) => group.field.name === path.field.name),
  );
  if (!grouped) throw new SoqlError('Field must be grouped or aggregated', 'MALFORMED_QUERY');
  const groups = new Map<string, { key: readonly (StoredValue | undefined)[]; rows: SfRecord[] }>();
  for (const record of matched) {
    const key = groupPaths.map((path) => path.read(record));
    const id = JSON.stringify(key);
    const group = groups.get(id) ?? { key, rows: [] };
    group.rows.push(record);
    groups.set(id, group);
  }
  const countItems = query.select.filter((item) => item.kind === 'count');
  const countPaths = countItems.map((item) =>
    item.field === null ? null : resolvePath(store, spec, item.field),
  );
  let records = [...groups.values()].map(({ key, rows }) => {
    const row: Record<string, unknown> = { attributes: { type: 'AggregateResult' } };
    groupPaths.forEach((path, index) => {
      row[path.field.name] = output(path.field, key[index]);
    });
    countItems.forEach((item, index) => {
      const path = countPaths[index];
      row[item.alias ?? `expr${index}`] =
        path === null || path === undefined
          ? rows.length
          : rows.filter((record) => path.read(record) !== null && path.read(record) !== undefined)
              .length;
    });
    return row;
  });
  if (query.limit !== null) records = records.slice(0, query.limit);
  return { records, totalSize: records.length };
}
