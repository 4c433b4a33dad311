import { randomBytes } from 'node:crypto';
import {
  failingIndexes,
  json,
  SandboxHttpError,
  type Route,
  type SandboxRequest,
  type SandboxResponse,
  asText,
} from '../core/sandbox-http.js';
import type { SandboxApi } from '../core/sandbox-server.js';
import type { FaultRule } from '../core/fault-types.js';
import type { SalesforceAuth } from './salesforce-auth.js';
import {
  formatDateTime,
  type RecordError,
  type SalesforceStore,
  type SfRecord,
  type WriteResult,
} from './salesforce-store.js';
import type { FieldSpec, SObjectSpec } from './sobject-schema.js';
import { parseSoql, SoqlError } from './soql/parse-soql.js';
import { runSoql } from './soql/run-soql.js';
import { ToolingApi } from './tooling-api.js';

/** Types the control API can change a custom field to (a picklist would need values). */
const RETYPE_TARGETS = [
  'string',
  'textarea',
  'email',
  'phone',
  'url',
  'boolean',
  'double',
  'currency',
  'date',
  'datetime',
] as const satisfies readonly FieldSpec['type'][];

/** sObject Collections accept at most 200 records. */
const COLLECTION_MAX_RECORDS = 200;
const QUERY_PAGE_DEFAULT = 2_000;
/** Salesforce's bound on subrequests per Composite request. */
const COMPOSITE_MAX_SUBREQUESTS = 25;
const QUERY_PAGE_MIN = 200;
const MAX_OPEN_LOCATORS = 200;
const LOCK_MESSAGE = 'unable to obtain exclusive access to this record or 1 records';

function sfError(
  status: number,
  errorCode: string,
  message: string,
  fields?: readonly string[],
): SandboxResponse {
  return json(status, [{ message, errorCode, ...(fields === undefined ? {} : { fields }) }]);
}

function fail(
  status: number,
  errorCode: string,
  message: string,
  fields?: readonly string[],
): never {
  throw new SandboxHttpError(sfError(status, errorCode, message, fields));
}

function asObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    fail(400, 'JSON_PARSER_ERROR', 'Expected a JSON object');
  return body as Record<string, unknown>;
}

function fieldShape(field: FieldSpec): Record<string, unknown> {
  const soapTypes: Record<string, string> = {
    id: 'tns:ID',
    reference: 'tns:ID',
    boolean: 'xsd:boolean',
    double: 'xsd:double',
    currency: 'xsd:double',
    int: 'xsd:int',
    date: 'xsd:date',
    datetime: 'xsd:dateTime',
  };
  const createable = field.createable !== false;
  return {
    name: field.name,
    label: field.name.replace(/__c$/, '').replace(/_/g, ' '),
    type: field.type,
    soapType: soapTypes[field.type] ?? 'xsd:string',
    length: field.length ?? (field.type === 'id' || field.type === 'reference' ? 18 : 0),
    byteLength: (field.length ?? 0) * 3,
    custom: field.custom === true,
    createable,
    updateable: field.updateable !== false,
    nillable: field.required !== true && field.type !== 'boolean' && field.name !== 'Id',
    defaultedOnCreate: field.defaultValue !== undefined || !createable,
    defaultValue: field.defaultValue ?? null,
    externalId: field.externalId === true,
    idLookup: field.externalId === true || field.name === 'Id',
    unique: field.unique === true,
    calculated: false,
    filterable: field.filterable !== false,
    sortable: field.type !== 'textarea',
    groupable: field.type !== 'textarea',
    referenceTo: field.referenceTo ?? [],
    relationshipName: field.relationshipName ?? null,
    polymorphicForeignKey: (field.referenceTo?.length ?? 0) > 1,
    restrictedPicklist: field.restricted === true,
    picklistValues: [
      ...(field.picklist ?? []).map((value) => ({
        active: true,
        defaultValue: value === field.defaultValue,
        label: value,
        value,
        validFor: null,
      })),
      ...(field.inactivePicklist ?? []).map((value) => ({
        active: false,
        defaultValue: false,
        label: value,
        value,
        validFor: null,
      })),
    ],
  };
}

function describeShape(
  spec: SObjectSpec,
  fields: readonly FieldSpec[],
  version: string,
): Record<string, unknown> {
  const base = `/services/data/${version}/sobjects/${spec.name}`;
  return {
    name: spec.name,
    label: spec.label,
    labelPlural: `${spec.label}s`,
    keyPrefix: spec.keyPrefix,
    custom: false,
    createable: true,
    updateable: true,
    deletable: true,
    queryable: true,
    retrieveable: true,
    searchable: true,
    triggerable: true,
    layoutable: true,
    fields: fields.map(fieldShape),
    childRelationships: [],
    recordTypeInfos: [],
    urls: { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` },
  };
}

interface Locator {
  readonly records: readonly Record<string, unknown>[];
  readonly totalSize: number;
  readonly pageSize: number;
}

export interface SalesforceApiOptions {
  readonly store: SalesforceStore;
  readonly auth: SalesforceAuth;
  /** Daily API request allocation (DailyApiRequests.Max). */
  readonly dailyApiRequests?: number;
}

/**
 * The Salesforce REST subset Handoff uses, faithful to the vendors' documented status codes, bodies, headers, paging and limits
 * part B: JSON-array errors, `Sforce-Limit-Info` on every answer, SOQL with locators under
 * `/query/`, sObject Collections (200 records, per-record results in input order, allOrNone),
 * single-record DML with 201/204, external-id upsert with 201/200/300, describe, limits, OAuth.
 */
export class SalesforceApi implements SandboxApi {
  readonly system = 'salesforce' as const;
  readonly routes: readonly Route[];
  readonly controlRoutes: readonly Route[];
  private readonly locators = new Map<string, Locator>();
  /** Rebuilt when a control call deletes or retypes a field, so its CustomField rows follow. */
  tooling: ToolingApi;
  apiUsed = 0;
  dailyApiRequests: number;

  constructor(private readonly options: SalesforceApiOptions) {
    this.dailyApiRequests = options.dailyApiRequests ?? 100_000;
    this.tooling = new ToolingApi(options.store);
    // Every API call acts as its session's user, so field-level security applies to it.
    this.routes = this.buildRoutes().map((route) => ({
      ...route,
      handle: (request, params) =>
        this.store.runAs(this.userOf(request), () => route.handle(request, params)),
    }));
    this.controlRoutes = [
      {
        method: 'PUT',
        path: '/api-usage',
        endpoint: 'control',
        handle: (request) => {
          const body = asObject(request.body);
          if (typeof body['used'] === 'number') this.apiUsed = body['used'];
          if (typeof body['max'] === 'number') this.dailyApiRequests = body['max'];
          return json(200, { used: this.apiUsed, max: this.dailyApiRequests });
        },
      },
      {
        method: 'PUT',
        path: '/assignment-rule',
        endpoint: 'control',
        handle: (request) => {
          const body = request.body as { active?: unknown; ownerId?: unknown } | null;
          this.store.assignmentRule =
            body === null || body.active !== true
              ? null
              : { active: true, ownerId: String(body.ownerId) };
          return json(200, { assignmentRule: this.store.assignmentRule });
        },
      },
      {
        method: 'POST',
        path: '/expire-sessions',
        endpoint: 'control',
        handle: () => (this.options.auth.expireAll(), { status: 204 }),
      },
      {
        method: 'DELETE',
        path: '/fields/:object/:field',
        endpoint: 'control',
        handle: (_request, params) => this.deleteField(params['object'], params['field']),
      },
      {
        method: 'PATCH',
        path: '/fields/:object/:field',
        endpoint: 'control',
        handle: (request, params) =>
          this.retypeField(params['object'], params['field'], request.body),
      },
    ];
  }

  private get store(): SalesforceStore {
    return this.options.store;
  }

  /**
   * The Tooling API keeps its own CustomField rows; a fresh one rebuilds them from the catalog.
   * CustomField ids are renumbered, and fields created through it get the Metadata a seeded field
   * of their kind has (label from the name, no description).
   */
  private rebuildTooling(): void {
    this.tooling = new ToolingApi(this.store);
  }

  /** `DELETE /__sandbox/fields/{object}/{field}`: an admin deletes a custom field in Setup. */
  private deleteField(object: string | undefined, field: string | undefined): SandboxResponse {
    const found = this.store.catalog.field(object ?? '', field ?? '');
    if (found === undefined) return json(404, { error: `no field ${object ?? ''}.${field ?? ''}` });
    if (found.custom !== true)
      return json(400, { error: `${found.name} is a standard field: it cannot be deleted` });
    this.store.removeField(object ?? '', found.name);
    this.rebuildTooling();
    return { status: 204 };
  }

  /**
   * `PATCH /__sandbox/fields/{object}/{field}` with `{ "type": "string", "length"?: n }`: an
   * admin changes a custom field's type in Setup (describe's type names; not to a picklist).
   */
  private retypeField(
    object: string | undefined,
    field: string | undefined,
    body: unknown,
  ): SandboxResponse {
    const found = this.store.catalog.field(object ?? '', field ?? '');
    if (found === undefined) return json(404, { error: `no field ${object ?? ''}.${field ?? ''}` });
    if (found.custom !== true)
      return json(400, { error: `${found.name} is a standard field: its type cannot change` });
    const { type, length } = (body ?? {}) as { type?: unknown; length?: unknown };
    const kind = RETYPE_TARGETS.find((candidate) => candidate === type);
    if (kind === undefined)
      return json(400, { error: `type must be one of ${RETYPE_TARGETS.join(', ')}` });
    if (length !== undefined && (typeof length !== 'number' || !Number.isInteger(length)))
      return json(400, { error: 'length must be an integer' });
    const changed = this.store.changeFieldType(object ?? '', found.name, kind, length);
    this.rebuildTooling();
    return json(200, changed === null ? null : fieldShape(changed));
  }

  private static isUnmetered(endpoint: string): boolean {
    return endpoint === 'oauth.token' || endpoint === 'versions';
  }

  authenticate(request: SandboxRequest, endpoint: string): SandboxResponse | null {
    if (SalesforceApi.isUnmetered(endpoint)) return null;
    const header = request.headers.authorization ?? '';
    const token = header.replace(/^(Bearer|OAuth) /, '');
    if (this.options.auth.isValid(token)) return null;
    return sfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
  }

  admit(_request: SandboxRequest, endpoint: string): SandboxResponse | null {
    if (SalesforceApi.isUnmetered(endpoint)) return null;
    this.apiUsed += 1;
    if (this.apiUsed > this.dailyApiRequests)
      return sfError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    return null;
  }

  renderFault(rule: FaultRule): SandboxResponse {
    switch (rule.kind) {
      case 'rate_limit':
        return sfError(
          403,
          'REQUEST_LIMIT_EXCEEDED',
          rule.variant === 'concurrent'
            ? 'ConcurrentPerOrgLongTxn Limit exceeded.'
            : 'TotalRequests Limit exceeded.',
        );
      case 'expire_session':
        this.options.auth.expireAll();
        return sfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
      case 'lock_row':
        return sfError(400, 'UNABLE_TO_LOCK_ROW', LOCK_MESSAGE);
      default: {
        const status = rule.status ?? 503;
        return status === 503
          ? { status, body: 'Service Unavailable', headers: { 'Content-Type': 'text/plain' } }
          : sfError(
              status,
              'UNKNOWN_EXCEPTION',
              'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567-89012 (sandbox)',
            );
      }
    }
  }

  responseHeaders(_request: SandboxRequest, endpoint: string): Record<string, string> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json;charset=UTF-8' };
    if (!SalesforceApi.isUnmetered(endpoint))
      headers['Sforce-Limit-Info'] = `api-usage=${this.apiUsed}/${this.dailyApiRequests}`;
    return headers;
  }

  notFound(): SandboxResponse {
    return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
  }

  malformedBody(): SandboxResponse {
    return sfError(400, 'JSON_PARSER_ERROR', 'Unexpected character: was expecting a JSON value');
  }

  private buildRoutes(): Route[] {
    const v = '/services/data/:version';
    return [
      {
        method: 'POST',
        path: '/services/oauth2/token',
        endpoint: 'oauth.token',
        handle: (r) => this.token(r),
      },
      {
        method: 'GET',
        path: '/services/data',
        endpoint: 'versions',
        handle: () =>
          json(
            200,
            ['60.0', '61.0', '62.0', '63.0', '64.0', '65.0', '66.0', '67.0'].map((version) => ({
              label: `v${version}`,
              url: `/services/data/v${version}`,
              version,
            })),
          ),
      },
      {
        method: 'GET',
        path: `${v}`,
        endpoint: 'resources',
        handle: (r, p) =>
          json(200, {
            sobjects: `/services/data/${this.version(p)}/sobjects`,
            query: `/services/data/${this.version(p)}/query`,
            limits: `/services/data/${this.version(p)}/limits`,
            identity: `http://${r.headers.host ?? '127.0.0.1'}/id/${this.options.auth.orgId}/${this.userOf(r) ?? ''}`,
          }),
      },
      {
        method: 'GET',
        path: '/id/:org/:user',
        endpoint: 'identity',
        handle: (r, p) => this.identity(r, p['user'] ?? ''),
      },
      {
        method: 'GET',
        path: `${v}/limits`,
        endpoint: 'limits',
        handle: (_r, p) => (this.version(p), this.limits()),
      },
      {
        method: 'GET',
        path: `${v}/tooling/query`,
        endpoint: 'tooling.query',
        handle: (r, p) => this.tooling.query(r.query.get('q') ?? '', this.version(p)),
      },
      {
        method: 'POST',
        path: `${v}/tooling/sobjects/:object`,
        endpoint: 'tooling.create',
        handle: (r, p) => (this.toolingObject(p), this.tooling.create(r.body)),
      },
      {
        method: 'GET',
        path: `${v}/tooling/sobjects/:object/:id`,
        endpoint: 'tooling.get',
        handle: (_r, p) => (
          this.toolingObject(p),
          this.tooling.retrieve(p['id'] ?? '', this.version(p))
        ),
      },
      {
        method: 'PATCH',
        path: `${v}/tooling/sobjects/:object/:id`,
        endpoint: 'tooling.update',
        handle: (r, p) => (this.toolingObject(p), this.tooling.update(p['id'] ?? '', r.body)),
      },
      {
        method: 'POST',
        path: `${v}/composite`,
        endpoint: 'composite',
        handle: (r, p) => this.composite(r, this.version(p)),
      },
      {
        method: 'GET',
        path: `${v}/query`,
        endpoint: 'query',
        handle: (r, p) => this.query(r, this.version(p), false),
      },
      {
        method: 'GET',
        path: `${v}/queryAll`,
        endpoint: 'queryAll',
        handle: (r, p) => this.query(r, this.version(p), true),
      },
      {
        method: 'GET',
        path: `${v}/query/:locator`,
        endpoint: 'queryMore',
        handle: (_r, p) => this.queryMore(this.version(p), p['locator'] ?? ''),
      },
      {
        method: 'GET',
        path: `${v}/queryAll/:locator`,
        endpoint: 'queryMore',
        handle: (_r, p) => this.queryMore(this.version(p), p['locator'] ?? ''),
      },
      {
        method: 'GET',
        path: `${v}/sobjects`,
        endpoint: 'describeGlobal',
        handle: (_r, p) => this.describeGlobal(this.version(p)),
      },
      {
        method: 'GET',
        path: `${v}/sobjects/:object/describe`,
        endpoint: 'describe',
        handle: (_r, p) => this.describe(p['object'], this.version(p)),
      },
      {
        method: 'POST',
        path: `${v}/sobjects/:object`,
        endpoint: 'sobjects.create',
        handle: (r, p) => this.createOne(r, p),
      },
      {
        method: 'GET',
        path: `${v}/sobjects/:object/:id`,
        endpoint: 'sobjects.get',
        handle: (r, p) => this.getOne(r, p),
      },
      {
        method: 'PATCH',
        path: `${v}/sobjects/:object/:id`,
        endpoint: 'sobjects.update',
        handle: (r, p) => this.updateOne(r, p),
      },
      {
        method: 'DELETE',
        path: `${v}/sobjects/:object/:id`,
        endpoint: 'sobjects.delete',
        handle: (_r, p) => this.deleteOne(p),
      },
      {
        method: 'PATCH',
        path: `${v}/sobjects/:object/:field/:value`,
        endpoint: 'sobjects.upsert',
        handle: (r, p) => this.upsertOne(r, p),
      },
      {
        method: 'POST',
        path: `${v}/composite/sobjects`,
        endpoint: 'collections.create',
        handle: (r, p) => this.collection(r, p, 'create'),
      },
      {
        method: 'PATCH',
        path: `${v}/composite/sobjects`,
        endpoint: 'collections.update',
        handle: (r, p) => this.collection(r, p, 'update'),
      },
      {
        method: 'DELETE',
        path: `${v}/composite/sobjects`,
        endpoint: 'collections.delete',
        handle: (r, p) => this.deleteMany(r, p),
      },
      {
        method: 'PATCH',
        path: `${v}/composite/sobjects/:object/:field`,
        endpoint: 'collections.upsert',
        handle: (r, p) => this.collection(r, p, 'upsert'),
      },
      {
        method: 'GET',
        path: `${v}/composite/sobjects/:object`,
        endpoint: 'collections.retrieve',
        handle: (r, p) =>
          this.retrieve(
            p,
            (r.query.get('ids') ?? '').split(','),
            (r.query.get('fields') ?? '').split(','),
          ),
      },
      {
        method: 'POST',
        path: `${v}/composite/sobjects/:object`,
        endpoint: 'collections.retrieve',
        handle: (r, p) => this.retrieveFromBody(r, p),
      },
    ];
  }

  private version(params: Readonly<Record<string, string>>): string {
    const version = params['version'] ?? '';
    const match = /^v(\d+)\.0$/.exec(version);
    if (match === null || Number(match[1]) < 20)
      fail(404, 'NOT_FOUND', 'The requested resource does not exist');
    return version;
  }

  /** The sandbox's Tooling API serves CustomField only. */
  private toolingObject(params: Readonly<Record<string, string>>): void {
    this.version(params);
    if ((params['object'] ?? '').toLowerCase() !== 'customfield')
      fail(404, 'NOT_FOUND', 'The requested resource does not exist');
  }

  private spec(object: string | undefined): SObjectSpec {
    const spec = this.store.catalog.object(object ?? '');
    if (spec === undefined) fail(404, 'NOT_FOUND', `The requested resource does not exist`);
    return spec;
  }

  private userOf(request: SandboxRequest): string | undefined {
    const token = (request.headers.authorization ?? '').replace(/^(Bearer|OAuth) /, '');
    return this.options.auth.userOf(token);
  }

  /** The identity URL's answer (what `conn.identity()` reads): who the session acts as. */
  private identity(request: SandboxRequest, userId: string): SandboxResponse {
    if (this.userOf(request) !== userId) fail(403, 'INSUFFICIENT_ACCESS', 'Bad_OAuth_Token');
    const user = this.store.get(userId)?.record;
    return json(200, {
      id: `http://${request.headers.host ?? '127.0.0.1'}/id/${this.options.auth.orgId}/${userId}`,
      asserted_user: true,
      user_id: userId,
      organization_id: this.options.auth.orgId,
      username: user?.['Username'] ?? null,
      display_name: user?.['Name'] ?? null,
      active: user?.['IsActive'] ?? false,
    });
  }

  private token(request: SandboxRequest): SandboxResponse {
    const form = (request.body ?? {}) as Record<string, string>;
    const outcome = this.options.auth.grant(form);
    if (!outcome.ok)
      return json(400, { error: outcome.error, error_description: outcome.description });
    const base = `http://${request.headers.host ?? '127.0.0.1'}`;
    return json(200, {
      access_token: outcome.accessToken,
      scope: 'api',
      instance_url: base,
      id: `${base}/id/${this.options.auth.orgId}/${outcome.userId}`,
      token_type: 'Bearer',
      issued_at: String(this.store.now()),
      signature: randomBytes(32).toString('base64'),
    });
  }

  /**
   * `GET /limits` (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_limits.htm):
   * DailyApiRequests counts the calls this sandbox has served (this one included, like the
   * `Sforce-Limit-Info` header); PermissionSets counts the org's custom permission sets.
   */
  private limits(): SandboxResponse {
    const custom = [...this.store.table('PermissionSet').values()].filter(
      (set) => set['IsDeleted'] !== true && set['IsOwnedByProfile'] !== true,
    ).length;
    const all = [...this.store.table('PermissionSet').values()].filter(
      (set) => set['IsDeleted'] !== true,
    ).length;
    return json(200, {
      ConcurrentAsyncGetReportInstances: { Max: 200, Remaining: 200 },
      DailyApiRequests: {
        Max: this.dailyApiRequests,
        Remaining: Math.max(0, this.dailyApiRequests - this.apiUsed),
      },
      DailyBulkApiBatches: { Max: 15_000, Remaining: 15_000 },
      DailyBulkV2QueryFileStorageMB: { Max: 976_562, Remaining: 976_562 },
      DailyBulkV2QueryJobs: { Max: 10_000, Remaining: 10_000 },
      DailyDeliveredPlatformEvents: { Max: 10_000, Remaining: 10_000 },
      DailyStandardVolumePlatformEvents: { Max: 10_000, Remaining: 10_000 },
      HourlyPublishedPlatformEvents: { Max: 50_000, Remaining: 50_000 },
      PermissionSets: {
        Max: 1_500,
        Remaining: Math.max(0, 1_500 - all),
        CreateCustom: { Max: 1_000, Remaining: Math.max(0, 1_000 - custom) },
      },
    });
  }

  private describeGlobal(version: string): SandboxResponse {
    return json(200, {
      encoding: 'UTF-8',
      maxBatchSize: 200,
      sobjects: this.store.catalog.all().map((spec) => ({
        name: spec.name,
        label: spec.label,
        keyPrefix: spec.keyPrefix,
        custom: false,
        queryable: true,
        urls: { sobject: `/services/data/${version}/sobjects/${spec.name}` },
      })),
    });
  }

  private page(
    locatorId: string,
    locator: Locator,
    offset: number,
    version: string,
  ): SandboxResponse {
    const records = locator.records.slice(offset, offset + locator.pageSize);
    const next = offset + locator.pageSize;
    const done = next >= locator.records.length;
    if (done) this.locators.delete(locatorId);
    return json(
      200,
      {
        totalSize: locator.totalSize,
        done,
        ...(done ? {} : { nextRecordsUrl: `/services/data/${version}/query/${locatorId}-${next}` }),
        records,
      },
      { recordsOut: records.length },
    );
  }

  private query(
    request: SandboxRequest,
    version: string,
    includeDeleted: boolean,
  ): SandboxResponse {
    const text = request.query.get('q') ?? '';
    let result;
    try {
      result = runSoql(this.store, parseSoql(text), {
        includeDeleted,
        version,
        now: this.store.now(),
      });
    } catch (err) {
      if (err instanceof SoqlError) fail(400, err.errorCode, err.message);
      throw err;
    }
    const option = /batchSize=(\d+)/i.exec(String(request.headers['sforce-query-options'] ?? ''));
    const pageSize =
      option === null
        ? QUERY_PAGE_DEFAULT
        : Math.min(QUERY_PAGE_DEFAULT, Math.max(QUERY_PAGE_MIN, Number(option[1])));
    const locatorId = `01g5e${randomBytes(8).toString('hex').slice(0, 13).toUpperCase()}`;
    const locator = { records: result.records, totalSize: result.totalSize, pageSize };
    if (result.records.length > pageSize) {
      if (this.locators.size >= MAX_OPEN_LOCATORS)
        this.locators.delete(this.locators.keys().next().value ?? '');
      this.locators.set(locatorId, locator);
    }
    return this.page(locatorId, locator, 0, version);
  }

  private describe(object: string | undefined, version: string): SandboxResponse {
    const spec = this.spec(object);
    // Read without edit: the field is described, but neither createable nor updateable.
    const fields = this.store
      .visibleFields(spec)
      .map((field) =>
        this.store.canAccess(spec.name, field, 'edit')
          ? field
          : { ...field, createable: false, updateable: false },
      );
    return json(200, describeShape(spec, fields, version));
  }

  /**
   * `POST /composite`: up to 25 subrequests answered in order, the whole counted as one API call
   * (the meter sees one request). The sandbox serves Query (`GET …/query?q=`) and sObject Describe
   * (`GET …/sobjects/X/describe`) subrequests; each answers with its own `httpStatusCode` and
   * body while the envelope is 200, as Salesforce does.
   */
  private composite(request: SandboxRequest, version: string): SandboxResponse {
    const body = (request.body ?? {}) as { compositeRequest?: unknown };
    const subrequests = Array.isArray(body.compositeRequest) ? body.compositeRequest : null;
    if (subrequests === null || subrequests.length === 0)
      fail(400, 'JSON_PARSER_ERROR', 'compositeRequest is required');
    if (subrequests.length > COMPOSITE_MAX_SUBREQUESTS)
      fail(
        400,
        'INVALID_BATCH_REQUEST',
        `Composite request must have at most ${COMPOSITE_MAX_SUBREQUESTS} subrequests`,
      );
    const compositeResponse = subrequests.map((raw: unknown) => {
      const sub = (raw ?? {}) as { method?: unknown; url?: unknown; referenceId?: unknown };
      const referenceId = typeof sub.referenceId === 'string' ? sub.referenceId : '';
      const url = new URL(typeof sub.url === 'string' ? sub.url : '', 'http://sandbox');
      const root = `/services/data/${version}`;
      const path = url.pathname.startsWith(`${root}/`) ? url.pathname.slice(root.length) : '';
      const isQuery = sub.method === 'GET' && /^\/query\/?$/.test(path);
      const described =
        sub.method === 'GET' ? /^\/sobjects\/([^/]+)\/describe\/?$/.exec(path) : null;
      if (!isQuery && described === null)
        return {
          body: [
            {
              errorCode: 'NOT_SUPPORTED',
              message: 'the sandbox serves Query and sObject Describe subrequests only',
            },
          ],
          httpHeaders: {},
          httpStatusCode: 400,
          referenceId,
        };
      try {
        const answer =
          described === null
            ? this.query({ ...request, query: url.searchParams }, version, false)
            : this.describe(described[1], version);
        return { body: answer.body, httpHeaders: {}, httpStatusCode: answer.status, referenceId };
      } catch (err) {
        if (!(err instanceof SandboxHttpError)) throw err;
        return {
          body: err.response.body,
          httpHeaders: {},
          httpStatusCode: err.response.status,
          referenceId,
        };
      }
    });
    return json(200, { compositeResponse });
  }

  private queryMore(version: string, locatorText: string): SandboxResponse {
    const match = /^(.+)-(\d+)$/.exec(locatorText);
    const locator = match === null ? undefined : this.locators.get(match[1] ?? '');
    if (match === null || locator === undefined)
      fail(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    return this.page(match[1] ?? '', locator, Number(match[2]), version);
  }

  private static autoAssign(request: SandboxRequest): boolean {
    return String(request.headers['sforce-auto-assign'] ?? 'TRUE').toUpperCase() !== 'FALSE';
  }

  private singleError(errors: readonly RecordError[]): never {
    throw new SandboxHttpError(
      json(
        400,
        errors.map((error) => ({
          message: error.message,
          errorCode: error.statusCode,
          fields: error.fields,
        })),
      ),
    );
  }

  private createOne(
    request: SandboxRequest,
    params: Readonly<Record<string, string>>,
  ): SandboxResponse {
    const spec = this.spec(params['object']);
    const result = this.store.create(
      spec.name,
      asObject(request.body),
      SalesforceApi.autoAssign(request),
    );
    if (!result.ok) this.singleError(result.errors);
    return json(201, { id: result.id, success: true, errors: [] }, { recordsIn: 1 });
  }

  private getOne(
    request: SandboxRequest,
    params: Readonly<Record<string, string>>,
  ): SandboxResponse {
    const spec = this.spec(params['object']);
    const found = this.store.get(params['id'] ?? '');
    if (found === undefined || found.spec.name !== spec.name || found.record['IsDeleted'] === true)
      fail(404, 'NOT_FOUND', 'The requested resource does not exist');
    const fields = request.query.get('fields');
    return json(
      200,
      this.recordShape(
        spec,
        found.record,
        fields === null ? null : fields.split(','),
        this.version(params),
      ),
      { recordsOut: 1 },
    );
  }

  private recordShape(
    spec: SObjectSpec,
    record: SfRecord,
    fields: readonly string[] | null,
    version: string,
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {
      attributes: {
        type: spec.name,
        url: `/services/data/${version}/sobjects/${spec.name}/${String(record['Id'])}`,
      },
    };
    const wanted =
      fields === null
        ? this.store.visibleFields(spec)
        : fields.map(
            (name) =>
              this.store.visibleField(spec.name, name.trim()) ??
              fail(
                400,
                'INVALID_FIELD',
                `No such column '${name}' on sobject of type ${spec.name}`,
              ),
          );
    for (const field of wanted) {
      const value = record[field.name];
      out[field.name] =
        field.type === 'datetime' && typeof value === 'number'
          ? formatDateTime(value)
          : (value ?? null);
    }
    return out;
  }

  private updateOne(
    request: SandboxRequest,
    params: Readonly<Record<string, string>>,
  ): SandboxResponse {
    const spec = this.spec(params['object']);
    const found = this.store.get(params['id'] ?? '');
    if (found === undefined || found.spec.name !== spec.name)
      fail(404, 'NOT_FOUND', 'The requested resource does not exist');
    const result = this.store.update(
      spec.name,
      params['id'] ?? '',
      asObject(request.body),
      SalesforceApi.autoAssign(request),
    );
    if (!result.ok) this.singleError(result.errors);
    return { status: 204, recordsIn: 1 };
  }

  private deleteOne(params: Readonly<Record<string, string>>): SandboxResponse {
    this.spec(params['object']);
    const result = this.store.delete(params['id'] ?? '');
    if (!result.ok) fail(404, 'ENTITY_IS_DELETED', 'entity is deleted');
    return { status: 204 };
  }

  private externalIdField(spec: SObjectSpec, name: string | undefined): FieldSpec {
    const field = this.store.visibleField(spec.name, name ?? '');
    if (field === undefined || (field.externalId !== true && field.name !== 'Id')) {
      fail(
        404,
        'NOT_FOUND',
        `Provided external ID field does not exist or is not accessible: ${name ?? ''}`,
      );
    }
    return field;
  }

  private upsertOne(
    request: SandboxRequest,
    params: Readonly<Record<string, string>>,
  ): SandboxResponse {
    const spec = this.spec(params['object']);
    const field = this.externalIdField(spec, params['field']);
    const value = params['value'] ?? '';
    const matches = this.store.findBy(spec.name, field.name, value);
    if (matches.length > 1) {
      return json(
        300,
        matches.map(
          (record) =>
            `/services/data/${this.version(params)}/sobjects/${spec.name}/${String(record['Id'])}`,
        ),
      );
    }
    const body = asObject(request.body);
    const autoAssign = SalesforceApi.autoAssign(request);
    const existing = matches[0];
    const result =
      existing === undefined
        ? this.store.create(spec.name, { ...body, [field.name]: value }, autoAssign)
        : this.store.update(spec.name, String(existing['Id']), body, autoAssign);
    if (!result.ok) this.singleError(result.errors);
    return json(
      result.created ? 201 : 200,
      { id: result.id, success: true, errors: [], created: result.created },
      { recordsIn: 1 },
    );
  }

  private collection(
    request: SandboxRequest,
    params: Readonly<Record<string, string>>,
    mode: 'create' | 'update' | 'upsert',
  ): SandboxResponse {
    const body = asObject(request.body);
    const records = body['records'];
    if (!Array.isArray(records)) fail(400, 'JSON_PARSER_ERROR', 'records is required');
    if (records.length > COLLECTION_MAX_RECORDS)
      fail(
        400,
        'EXCEEDED_ID_LIMIT',
        `record limit reached. cannot submit more than ${COLLECTION_MAX_RECORDS} records into this call`,
      );
    const allOrNone = body['allOrNone'] === true;
    const upsertSpec = mode === 'upsert' ? this.spec(params['object']) : null;
    const upsertField =
      upsertSpec === null ? null : this.externalIdField(upsertSpec, params['field']);
    const autoAssign = SalesforceApi.autoAssign(request);
    const injected = failingIndexes(records.length, request.faults?.partialBatch?.fraction ?? 0);
    const injectedCode = request.faults?.partialBatch?.code ?? 'UNABLE_TO_LOCK_ROW';
    const snapshots = new Map<string, SfRecord>();
    const created: string[] = [];

    const results: WriteResult[] = records.map((raw, index): WriteResult => {
      const record = asObject(raw);
      const attributes = record['attributes'] as { type?: unknown } | undefined;
      const type = typeof attributes?.type === 'string' ? attributes.type : upsertSpec?.name;
      if (type === undefined)
        return {
          ok: false,
          errors: [
            {
              statusCode: 'INVALID_TYPE',
              message: 'Must send a concrete entity type.',
              fields: [],
            },
          ],
        };
      const id =
        typeof record['id'] === 'string'
          ? record['id']
          : typeof record['Id'] === 'string'
            ? record['Id']
            : undefined;
      if (request.faults?.lockRow === true || injected.has(index)) {
        const code = request.faults?.lockRow === true ? 'UNABLE_TO_LOCK_ROW' : injectedCode;
        return {
          ok: false,
          errors: [
            {
              statusCode: code,
              message:
                code === 'UNABLE_TO_LOCK_ROW' ? `${LOCK_MESSAGE}: ${id ?? ''}` : 'injected failure',
              fields: [],
            },
          ],
        };
      }
      const fields = Object.fromEntries(
        Object.entries(record).filter(
          ([key]) => key !== 'attributes' && key !== 'id' && key !== 'Id',
        ),
      );
      let target = id;
      if (upsertField !== null && upsertSpec !== null) {
        const value = record[upsertField.name];
        if (value === undefined || value === null)
          return {
            ok: false,
            errors: [
              {
                statusCode: 'MISSING_ARGUMENT',
                message: `${upsertField.name} not specified`,
                fields: [upsertField.name],
              },
            ],
          };
        const matches = this.store.findBy(upsertSpec.name, upsertField.name, asText(value));
        if (matches.length > 1)
          return {
            ok: false,
            errors: [
              {
                statusCode: 'DUPLICATE_EXTERNAL_ID',
                message: `${upsertField.name}: more than one record found for external id field: ${asText(value)}`,
                fields: [upsertField.name],
              },
            ],
          };
        target = matches[0]?.['Id'] as string | undefined;
      } else if (mode === 'update' && id === undefined) {
        return {
          ok: false,
          errors: [
            {
              statusCode: 'MISSING_ARGUMENT',
              message: 'Id not specified in an update call',
              fields: [],
            },
          ],
        };
      }
      if (mode === 'create' || target === undefined) {
        const result = this.store.create(type, fields, autoAssign);
        if (result.ok) created.push(result.id);
        return result;
      }
      const existing = this.store.get(target);
      if (existing !== undefined && !snapshots.has(target))
        snapshots.set(target, { ...existing.record });
      return this.store.update(type, target, fields, autoAssign);
    });

    const failed = results.some((result) => !result.ok);
    if (allOrNone && failed) {
      for (const [id, snapshot] of snapshots) this.store.restore(id, snapshot);
      for (const id of created) this.store.discard(id);
      this.store.permissionsChanged();
    }
    const body200 = results.map((result) => {
      if (!result.ok) return { success: false, errors: result.errors };
      if (allOrNone && failed) {
        return {
          id: result.id,
          success: false,
          errors: [
            {
              statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
              message:
                'Record rolled back because not all records were valid and the request was using AllOrNone header',
              fields: [],
            },
          ],
        };
      }
      return {
        id: result.id,
        success: true,
        errors: [],
        ...(mode === 'upsert' ? { created: result.created } : {}),
      };
    });
    return json(200, body200, { recordsIn: records.length, recordsOut: body200.length });
  }

  private deleteMany(
    request: SandboxRequest,
    params: Readonly<Record<string, string>>,
  ): SandboxResponse {
    this.version(params);
    const ids = (request.query.get('ids') ?? '').split(',').filter((id) => id !== '');
    if (ids.length > COLLECTION_MAX_RECORDS)
      fail(
        400,
        'EXCEEDED_ID_LIMIT',
        `record limit reached. cannot submit more than ${COLLECTION_MAX_RECORDS} records into this call`,
      );
    const results = ids.map((id) => {
      const result = this.store.delete(id);
      return result.ok
        ? { id: result.id, success: true, errors: [] }
        : { id, success: false, errors: result.errors };
    });
    return json(200, results, { recordsIn: ids.length, recordsOut: results.length });
  }

  private retrieve(
    params: Readonly<Record<string, string>>,
    ids: readonly string[],
    fields: readonly string[],
  ): SandboxResponse {
    const spec = this.spec(params['object']);
    const version = this.version(params);
    const wanted = fields.filter((field) => field.trim() !== '');
    const records = ids
      .filter((id) => id !== '')
      .map((id) => {
        const found = this.store.get(id);
        return found === undefined ||
          found.spec.name !== spec.name ||
          found.record['IsDeleted'] === true
          ? null
          : this.recordShape(spec, found.record, wanted.length === 0 ? null : wanted, version);
      });
    return json(200, records, {
      recordsIn: ids.length,
      recordsOut: records.filter((record) => record !== null).length,
    });
  }

  private retrieveFromBody(
    request: SandboxRequest,
    params: Readonly<Record<string, string>>,
  ): SandboxResponse {
    const body = asObject(request.body);
    const ids = Array.isArray(body['ids']) ? body['ids'].map(String) : [];
    const fields = Array.isArray(body['fields']) ? body['fields'].map(String) : [];
    return this.retrieve(params, ids, fields);
  }
}
