import { randomUUID } from 'node:crypto';
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
import {
  DEFAULT_HUBSPOT_LIMITS,
  HubSpotRateLimiter,
  rateLimitBody,
  type HubSpotLimits,
} from './hubspot-rate-limits.js';
import { HubSpotSearch, type SearchRequest } from './hubspot-search.js';
import {
  associationTypeId,
  defaultProperties,
  toObjectType,
  type HubSpotList,
  type HubSpotObjectType,
  type HubSpotOwner,
  type HubSpotRecord,
  type HubSpotStore,
  type PropertyDefinition,
  type PropertyType,
} from './hubspot-store.js';

/** Documented batch size. */
const BATCH_MAX_INPUTS = 100;
/** Associations v4 batch read takes up to 1,000 ids (since 2025-02-10). */
const ASSOCIATION_BATCH_MAX_INPUTS = 1_000;
const ASSOCIATIONS_MAX_LIMIT = 500;

function hubspotError(
  status: number,
  category: string,
  message: string,
  extra: Record<string, unknown> = {},
): SandboxResponse {
  return json(status, {
    status: 'error',
    message,
    correlationId: randomUUID(),
    category,
    ...extra,
  });
}

function fail(
  status: number,
  category: string,
  message: string,
  extra: Record<string, unknown> = {},
): never {
  throw new SandboxHttpError(hubspotError(status, category, message, extra));
}

/** HubSpot's message for ids of a batch that do not exist. */
function notFoundMessage(type: HubSpotObjectType): string {
  return `Could not get some ${type.slice(0, -1).toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function objectType(name: string | undefined): HubSpotObjectType {
  const type = toObjectType(name ?? '');
  if (type === null)
    fail(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${name ?? ''}`);
  return type;
}

/** `?properties=a&properties=b` and `?properties=a,b` both mean [a, b]. */
function listParam(query: URLSearchParams, name: string): string[] | null {
  const values = query.getAll(name);
  if (values.length === 0) return null;
  return values
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
}

function asObject(body: unknown, what = 'body'): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    fail(400, 'VALIDATION_ERROR', `Invalid input JSON: ${what} must be an object`);
  return body as Record<string, unknown>;
}

function asInputs(body: unknown, max = BATCH_MAX_INPUTS): Record<string, unknown>[] {
  const inputs = asObject(body)['inputs'];
  if (!Array.isArray(inputs))
    fail(400, 'VALIDATION_ERROR', 'Invalid input JSON: inputs must be an array');
  if (inputs.length > max) {
    fail(
      400,
      'VALIDATION_ERROR',
      `Batch input length was ${inputs.length}, but the limit is ${max}`,
    );
  }
  return inputs.map((input) => asObject(input, 'input'));
}

function propertiesOf(input: Record<string, unknown>): Record<string, unknown> {
  const properties = input['properties'];
  if (properties === undefined) return {};
  return asObject(properties, 'properties');
}

/** The public shape of a record with the requested (or default) properties; missing ones are null. */
export function toPublicObject(
  type: HubSpotObjectType,
  record: HubSpotRecord,
  requested: readonly string[] | null,
): Record<string, unknown> {
  const names = requested ?? defaultProperties(type);
  const properties: Record<string, string | null> = {};
  for (const name of names) properties[name] = record.properties[name] ?? null;
  return {
    id: record.id,
    properties,
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
    archived: record.archived,
    ...(record.archivedAt === null ? {} : { archivedAt: iso(record.archivedAt) }),
  };
}

/**
 * The field types each property type takes, as HubSpot's properties guide tabulates them
 * (https://developers.hubspot.com/docs/api/crm/properties); the 400 wording for a mismatch is
 * unverified.
 */
const FIELD_TYPES: Readonly<Record<PropertyType, readonly string[]>> = {
  bool: ['booleancheckbox', 'calculation_equation'],
  enumeration: ['booleancheckbox', 'checkbox', 'radio', 'select', 'calculation_equation'],
  date: ['date'],
  datetime: ['date'],
  string: ['text', 'textarea', 'file', 'html', 'phonenumber', 'calculation_equation'],
  number: ['number', 'calculation_equation'],
};

function checkTypes(type: string, fieldType: string): PropertyType {
  if (!Object.hasOwn(FIELD_TYPES, type))
    fail(400, 'VALIDATION_ERROR', `Invalid property type ${type}`, {
      errors: [
        {
          message: `type must be one of ${Object.keys(FIELD_TYPES).join(', ')}`,
          code: 'INVALID_ENUM',
          in: 'type',
        },
      ],
    });
  const allowed = FIELD_TYPES[type as PropertyType];
  if (!allowed.includes(fieldType))
    fail(
      400,
      'VALIDATION_ERROR',
      `Property type ${type} is not compatible with field type ${fieldType}; use one of ${allowed.join(', ')}`,
      {
        errors: [
          { message: `invalid fieldType ${fieldType}`, code: 'INVALID_ENUM', in: 'fieldType' },
        ],
      },
    );
  return type as PropertyType;
}

function optionsOf(raw: unknown): PropertyDefinition['options'] {
  if (!Array.isArray(raw)) return [];
  return raw.map((option, index) => {
    const entry = asObject(option, 'option');
    return {
      label: asText(entry['label'] ?? ''),
      value: asText(entry['value'] ?? ''),
      displayOrder: Number(entry['displayOrder'] ?? index),
      hidden: entry['hidden'] === true,
    };
  });
}

function listShape(list: HubSpotList): Record<string, unknown> {
  return {
    listId: list.listId,
    listVersion: list.listVersion,
    name: list.name,
    objectTypeId: list.objectTypeId,
    processingType: list.processingType,
    processingStatus: 'COMPLETE',
    createdAt: iso(list.createdAt),
    updatedAt: iso(list.updatedAt),
    size: list.members.size,
  };
}

function ownerShape(owner: HubSpotOwner): Record<string, unknown> {
  return {
    id: owner.id,
    email: owner.email,
    firstName: owner.firstName,
    lastName: owner.lastName,
    userId: owner.userId,
    userIdIncludingInactive: owner.userId,
    type: 'PERSON',
    archived: owner.archived,
    createdAt: iso(owner.createdAt),
    updatedAt: iso(owner.updatedAt),
    teams: [],
  };
}

export interface HubSpotApiOptions {
  readonly store: HubSpotStore;
  /** Private-app tokens the portal accepts. */
  readonly tokens: readonly string[];
  readonly limits?: Partial<HubSpotLimits>;
  /** Scopes the private-app tokens report through the access-token-info endpoint. */
  readonly scopes?: readonly string[];
}

/** The scopes a private app for Handoff is given (what `handoff doctor` can check). */
export const HANDOFF_APP_SCOPES: readonly string[] = [
  'crm.lists.read',
  'crm.lists.write',
  'crm.objects.contacts.read',
  'crm.objects.contacts.write',
  'crm.objects.owners.read',
  'crm.schemas.contacts.read',
  'crm.schemas.contacts.write',
];

/** The sandbox portal's id (hubId) and its private app's ids. */
const SANDBOX_HUB_ID = 1;
const SANDBOX_APP_ID = 1;
const SANDBOX_APP_USER_ID = 9_000_000;

/**
 * The HubSpot CRM v3/v4 subset Handoff uses, faithful to the vendors' documented status codes, bodies, headers, paging and limits
 * part A: exact success codes (201/200/204/207), `application/json;charset=utf-8` on every answer,
 * string property values, the documented search and batch limits, and the real 429 bodies.
 */
export class HubSpotApi implements SandboxApi {
  readonly system = 'hubspot' as const;
  readonly routes: readonly Route[];
  readonly controlRoutes: readonly Route[];
  readonly limiter: HubSpotRateLimiter;
  private readonly search: HubSpotSearch;
  private readonly tokens: Set<string>;
  /** What access-token-info reports; the control API can narrow it (PUT /__sandbox/scopes). */
  scopes: readonly string[];

  constructor(private readonly options: HubSpotApiOptions) {
    this.tokens = new Set(options.tokens);
    this.scopes = options.scopes ?? HANDOFF_APP_SCOPES;
    this.limiter = new HubSpotRateLimiter(
      { ...DEFAULT_HUBSPOT_LIMITS, ...options.limits },
      options.store.now,
    );
    this.search = new HubSpotSearch(options.store);
    this.routes = this.buildRoutes();
    this.controlRoutes = [
      {
        method: 'GET',
        path: '/limits',
        endpoint: 'control',
        handle: () => json(200, this.limiter.settings),
      },
      {
        method: 'PUT',
        path: '/limits',
        endpoint: 'control',
        handle: (request) => json(200, this.limiter.configure(asObject(request.body))),
      },
      {
        method: 'PUT',
        path: '/scopes',
        endpoint: 'control',
        handle: (request) => {
          const scopes = asObject(request.body)['scopes'];
          if (!Array.isArray(scopes)) return json(400, { error: 'scopes must be an array' });
          this.scopes = scopes.map(String);
          return json(200, { scopes: this.scopes });
        },
      },
    ];
  }

  private get store(): HubSpotStore {
    return this.options.store;
  }

  authenticate(request: SandboxRequest, endpoint?: string): SandboxResponse | null {
    // The token to inspect travels in the body of access-token-info.
    if (endpoint === 'oauth.tokenInfo') return null;
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (this.tokens.has(token)) return null;
    return hubspotError(
      401,
      'INVALID_AUTHENTICATION',
      'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
    );
  }

  admit(_request: SandboxRequest, endpoint: string): SandboxResponse | null {
    return this.limiter.admit(endpoint.endsWith('.search'));
  }

  renderFault(rule: {
    kind: string;
    status?: number | undefined;
    variant?: string | undefined;
    retryAfterSeconds?: number | undefined;
  }): SandboxResponse {
    switch (rule.kind) {
      case 'rate_limit':
        return {
          status: 429,
          body: rateLimitBody(rule.variant ?? 'ten_secondly'),
          // HubSpot documents no Retry-After on its 429s; proxies and gateways in front of it may.
          ...(rule.retryAfterSeconds === undefined
            ? {}
            : { headers: { 'Retry-After': String(rule.retryAfterSeconds) } }),
        };
      case 'expire_session':
        return hubspotError(
          401,
          'EXPIRED_AUTHENTICATION',
          'The OAuth token used to make this call expired.',
        );
      case 'lock_row':
        return hubspotError(423, 'LOCKED', 'The record is locked; retry after 2 seconds.');
      default: {
        const status = rule.status ?? 503;
        return hubspotError(
          status,
          'INTERNAL_ERROR',
          status === 503 ? 'Service Unavailable' : 'internal error',
        );
      }
    }
  }

  responseHeaders(_request: SandboxRequest, endpoint: string): Record<string, string> {
    return {
      'Content-Type': 'application/json;charset=utf-8',
      'X-HubSpot-Correlation-Id': randomUUID(),
      ...this.limiter.headers(endpoint.endsWith('.search')),
    };
  }

  notFound(request: SandboxRequest): SandboxResponse {
    return hubspotError(
      404,
      'OBJECT_NOT_FOUND',
      `resource not found: ${request.method} ${request.path}`,
    );
  }

  malformedBody(): SandboxResponse {
    return hubspotError(400, 'VALIDATION_ERROR', 'Invalid input JSON on line 1: malformed JSON');
  }

  private buildRoutes(): Route[] {
    const batchHandlers = {
      read: (r: SandboxRequest, t: string | undefined) => this.batchRead(r, t),
      create: (r: SandboxRequest, t: string | undefined) => this.batchCreate(r, t),
      update: (r: SandboxRequest, t: string | undefined) => this.batchUpdate(r, t),
      upsert: (r: SandboxRequest, t: string | undefined) => this.batchUpsert(r, t),
      archive: (r: SandboxRequest, t: string | undefined) => this.batchArchive(r, t),
    };
    const byType = (suffix: string) => (params: Readonly<Record<string, string>>) =>
      `${toObjectType(params['objectType'] ?? '') ?? params['objectType'] ?? 'objects'}.${suffix}`;
    return [
      {
        method: 'POST',
        path: '/crm/v3/objects/:objectType/search',
        endpoint: byType('search'),
        handle: (r, p) => this.doSearch(r, p['objectType']),
      },
      ...(['read', 'create', 'update', 'upsert', 'archive'] as const).map((action): Route => ({
        method: 'POST',
        path: `/crm/v3/objects/:objectType/batch/${action}`,
        endpoint: byType(`batch.${action}`),
        handle: (r, p) => batchHandlers[action](r, p['objectType']),
      })),
      {
        method: 'GET',
        path: '/crm/v3/objects/:objectType',
        endpoint: byType('list'),
        handle: (r, p) => this.listObjects(r, p['objectType']),
      },
      {
        method: 'POST',
        path: '/crm/v3/objects/:objectType',
        endpoint: byType('create'),
        handle: (r, p) => this.createObject(r, p['objectType']),
      },
      {
        method: 'GET',
        path: '/crm/v3/objects/:objectType/:id',
        endpoint: byType('get'),
        handle: (r, p) => this.getObject(r, p['objectType'], p['id']),
      },
      {
        method: 'PATCH',
        path: '/crm/v3/objects/:objectType/:id',
        endpoint: byType('update'),
        handle: (r, p) => this.patchObject(r, p['objectType'], p['id']),
      },
      {
        method: 'DELETE',
        path: '/crm/v3/objects/:objectType/:id',
        endpoint: byType('archive'),
        handle: (r, p) => this.archiveObject(r, p['objectType'], p['id']),
      },
      {
        method: 'GET',
        path: '/crm/v4/objects/:objectType/:id/associations/:toType',
        endpoint: 'associations.read',
        handle: (r, p) => this.readAssociations(r, p),
      },
      {
        method: 'PUT',
        path: '/crm/v4/objects/:objectType/:id/associations/default/:toType/:toId',
        endpoint: 'associations.create',
        handle: (_r, p) => this.createDefaultAssociation(p),
      },
      {
        method: 'POST',
        path: '/crm/v4/associations/:objectType/:toType/batch/read',
        endpoint: 'associations.batch.read',
        handle: (r, p) => this.batchReadAssociations(r, p),
      },
      {
        method: 'GET',
        path: '/crm/v3/properties/:objectType/groups',
        endpoint: 'properties.groups.list',
        handle: (_r, p) => this.listGroups(p['objectType']),
      },
      {
        method: 'POST',
        path: '/crm/v3/properties/:objectType/groups',
        endpoint: 'properties.groups.create',
        handle: (r, p) => this.createGroup(r, p['objectType']),
      },
      {
        method: 'GET',
        path: '/crm/v3/properties/:objectType/groups/:groupName',
        endpoint: 'properties.groups.get',
        handle: (_r, p) => this.getGroup(p['objectType'], p['groupName']),
      },
      {
        method: 'GET',
        path: '/crm/v3/properties/:objectType',
        endpoint: 'properties.list',
        handle: (_r, p) => this.listProperties(p['objectType']),
      },
      {
        method: 'POST',
        path: '/crm/v3/properties/:objectType',
        endpoint: 'properties.create',
        handle: (r, p) => this.createProperty(r, p['objectType']),
      },
      {
        method: 'GET',
        path: '/crm/v3/properties/:objectType/:name',
        endpoint: 'properties.get',
        handle: (_r, p) => this.getProperty(p['objectType'], p['name']),
      },
      {
        method: 'POST',
        path: '/oauth/v2/private-apps/get/access-token-info',
        endpoint: 'oauth.tokenInfo',
        handle: (r) => this.tokenInfo(r),
      },
      {
        method: 'PATCH',
        path: '/crm/v3/properties/:objectType/:name',
        endpoint: 'properties.update',
        handle: (r, p) => this.updateProperty(r, p['objectType'], p['name']),
      },
      {
        method: 'POST',
        path: '/crm/v3/lists',
        endpoint: 'lists.create',
        handle: (r) => this.createList(r),
      },
      {
        method: 'POST',
        path: '/crm/v3/lists/search',
        endpoint: 'lists.search',
        handle: (r) => this.searchLists(r),
      },
      {
        method: 'GET',
        path: '/crm/v3/lists/object-type-id/:objectTypeId/name/:listName',
        endpoint: 'lists.getByName',
        handle: (_r, p) => this.listByName(p['objectTypeId'], p['listName']),
      },
      {
        method: 'GET',
        path: '/crm/v3/lists/:listId',
        endpoint: 'lists.get',
        handle: (_r, p) => json(200, { list: listShape(this.list(p['listId'])) }),
      },
      {
        method: 'PUT',
        path: '/crm/v3/lists/:listId/memberships/add',
        endpoint: 'lists.memberships.add',
        handle: (r, p) => this.changeMembership(r, p['listId'], 'add'),
      },
      {
        method: 'PUT',
        path: '/crm/v3/lists/:listId/memberships/remove',
        endpoint: 'lists.memberships.remove',
        handle: (r, p) => this.changeMembership(r, p['listId'], 'remove'),
      },
      {
        method: 'GET',
        path: '/crm/v3/lists/:listId/memberships',
        endpoint: 'lists.memberships.read',
        handle: (r, p) => this.readMemberships(r, p['listId']),
      },
      {
        method: 'GET',
        path: '/crm/v3/owners',
        endpoint: 'owners.list',
        handle: (r) => this.listOwners(r),
      },
      {
        method: 'GET',
        path: '/crm/v3/owners/:ownerId',
        endpoint: 'owners.get',
        handle: (r, p) => this.getOwner(r, p['ownerId']),
      },
    ];
  }

  private doSearch(request: SandboxRequest, typeName: string | undefined): SandboxResponse {
    const type = objectType(typeName);
    const body = asObject(request.body) as SearchRequest;
    const outcome = this.search.run(type, body);
    if (!outcome.ok) fail(400, 'VALIDATION_ERROR', outcome.message);
    const requested =
      Array.isArray(body.properties) && body.properties.length > 0 ? body.properties : null;
    return json(
      200,
      {
        total: outcome.total,
        results: outcome.page.map((record) => toPublicObject(type, record, requested)),
        ...(outcome.nextAfter === null ? {} : { paging: { next: { after: outcome.nextAfter } } }),
      },
      { recordsOut: outcome.page.length },
    );
  }

  private batchErrors(
    category: string,
    message: string,
    ids: readonly string[],
  ): Record<string, unknown>[] {
    return ids.length === 0 ? [] : [{ status: 'error', category, message, context: { ids } }];
  }

  /** 200, or 207 with `errors` when some inputs failed; the SDK resolves both. */
  private batchResponse(
    results: Record<string, unknown>[],
    errors: Record<string, unknown>[],
    okStatus: number,
    startedAt: number,
    recordsIn: number,
  ): SandboxResponse {
    const body = {
      status: 'COMPLETE',
      results,
      ...(errors.length > 0 ? { numErrors: errors.length, errors } : {}),
      startedAt: iso(startedAt),
      completedAt: iso(this.store.now()),
    };
    return json(errors.length > 0 ? 207 : okStatus, body, {
      recordsIn,
      recordsOut: results.length,
    });
  }

  private injectedFailures(request: SandboxRequest, count: number): ReadonlySet<number> {
    return failingIndexes(count, request.faults?.partialBatch?.fraction ?? 0);
  }

  private batchRead(request: SandboxRequest, typeName: string | undefined): SandboxResponse {
    const started = this.store.now();
    const type = objectType(typeName);
    const body = asObject(request.body);
    const inputs = asInputs(body);
    const idProperty = typeof body['idProperty'] === 'string' ? body['idProperty'] : null;
    const requested =
      Array.isArray(body['properties']) && body['properties'].length > 0
        ? body['properties'].map(String)
        : null;
    const withHistory = Array.isArray(body['propertiesWithHistory'])
      ? body['propertiesWithHistory'].map(String)
      : [];
    const archived = request.query.get('archived') === 'true';
    const failing = this.injectedFailures(request, inputs.length);
    const results: Record<string, unknown>[] = [];
    const missing: string[] = [];
    inputs.forEach((input, index) => {
      const id = asText(input['id'] ?? '');
      const record = failing.has(index)
        ? undefined
        : this.store.find(type, id, idProperty, archived);
      if (record === undefined) missing.push(id);
      else
        results.push({
          ...toPublicObject(type, record, requested),
          ...(withHistory.length === 0
            ? {}
            : {
                propertiesWithHistory: Object.fromEntries(
                  withHistory.map((name) => [
                    name,
                    this.store.history
                      .of(type, record, name)
                      .map((version) => ({ ...version, timestamp: iso(version.timestamp) })),
                  ]),
                ),
              }),
        });
    });
    const errors = this.batchErrors('OBJECT_NOT_FOUND', notFoundMessage(type), missing);
    return this.batchResponse(results, errors, 200, started, inputs.length);
  }

  private validateAll(type: HubSpotObjectType, inputs: readonly Record<string, unknown>[]): void {
    const problems = inputs.flatMap((input) => this.store.validate(type, propertiesOf(input)));
    if (problems.length === 0) return;
    const details = problems.map((problem) => ({
      isValid: false,
      message: problem.message,
      error: problem.error,
      name: problem.name,
    }));
    fail(400, 'VALIDATION_ERROR', `Property values were not valid: ${JSON.stringify(details)}`, {
      errors: problems.map((problem) => ({
        message: problem.message,
        code: problem.error,
        context: { propertyName: [problem.name] },
      })),
    });
  }

  private batchCreate(request: SandboxRequest, typeName: string | undefined): SandboxResponse {
    const started = this.store.now();
    const type = objectType(typeName);
    const inputs = asInputs(request.body);
    this.validateAll(type, inputs);
    const failing = this.injectedFailures(request, inputs.length);
    const results: Record<string, unknown>[] = [];
    const errors: Record<string, unknown>[] = [];
    inputs.forEach((input, index) => {
      const properties = propertiesOf(input);
      const traceId =
        typeof input['objectWriteTraceId'] === 'string' ? input['objectWriteTraceId'] : undefined;
      const email =
        type === 'contacts' && typeof properties['email'] === 'string'
          ? properties['email']
          : undefined;
      const existing = email === undefined ? undefined : this.store.findByEmail(email);
      if (failing.has(index) || existing !== undefined) {
        const message =
          existing === undefined
            ? 'injected failure'
            : `Contact already exists. Existing ID: ${existing.id}`;
        if (traceId === undefined && existing !== undefined) fail(409, 'CONFLICT', message);
        errors.push({
          status: 'error',
          category: existing === undefined ? 'VALIDATION_ERROR' : 'CONFLICT',
          message,
          context: traceId === undefined ? {} : { objectWriteTraceId: [traceId] },
        });
        return;
      }
      const record = this.store.create(type, properties);
      this.associateFromInput(type, record.id, input);
      results.push(toPublicObject(type, record, Object.keys(record.properties)));
    });
    return this.batchResponse(results, errors, 201, started, inputs.length);
  }

  private batchUpdate(request: SandboxRequest, typeName: string | undefined): SandboxResponse {
    const started = this.store.now();
    const type = objectType(typeName);
    const inputs = asInputs(request.body);
    this.validateAll(type, inputs);
    const failing = this.injectedFailures(request, inputs.length);
    const results: Record<string, unknown>[] = [];
    const missing: string[] = [];
    const injected: string[] = [];
    inputs.forEach((input, index) => {
      const id = asText(input['id'] ?? '');
      if (failing.has(index)) {
        injected.push(id);
        return;
      }
      const idProperty = typeof input['idProperty'] === 'string' ? input['idProperty'] : null;
      const record = this.store.find(type, id, idProperty);
      if (record === undefined) {
        missing.push(id);
        return;
      }
      const properties = propertiesOf(input);
      this.store.update(type, record, properties);
      // Real answers echo the written properties plus system ones, not every property.
      results.push(
        toPublicObject(type, record, [
          ...Object.keys(properties),
          type === 'contacts' ? 'lastmodifieddate' : 'hs_lastmodifieddate',
        ]),
      );
    });
    const errors = [
      ...this.batchErrors('OBJECT_NOT_FOUND', notFoundMessage(type), missing),
      ...this.batchErrors(
        request.faults?.partialBatch?.code ?? 'VALIDATION_ERROR',
        'injected failure',
        injected,
      ),
    ];
    return this.batchResponse(results, errors, 200, started, inputs.length);
  }

  private batchUpsert(request: SandboxRequest, typeName: string | undefined): SandboxResponse {
    const started = this.store.now();
    const type = objectType(typeName);
    const inputs = asInputs(request.body);
    this.validateAll(type, inputs);
    const failing = this.injectedFailures(request, inputs.length);
    const results: Record<string, unknown>[] = [];
    const injected: string[] = [];
    inputs.forEach((input, index) => {
      const id = asText(input['id'] ?? '');
      if (failing.has(index)) {
        injected.push(id);
        return;
      }
      const idProperty = typeof input['idProperty'] === 'string' ? input['idProperty'] : null;
      const properties = propertiesOf(input);
      const existing = this.store.find(type, id, idProperty);
      const record =
        existing ??
        this.store.create(
          type,
          idProperty === null ? properties : { ...properties, [idProperty]: id },
        );
      if (existing !== undefined) this.store.update(type, existing, properties);
      results.push({
        ...toPublicObject(type, record, Object.keys(properties)),
        new: existing === undefined,
      });
    });
    const errors = this.batchErrors(
      request.faults?.partialBatch?.code ?? 'VALIDATION_ERROR',
      'injected failure',
      injected,
    );
    return this.batchResponse(results, errors, 200, started, inputs.length);
  }

  private batchArchive(request: SandboxRequest, typeName: string | undefined): SandboxResponse {
    const type = objectType(typeName);
    const inputs = asInputs(request.body);
    for (const input of inputs) {
      const record = this.store.find(type, asText(input['id'] ?? ''));
      if (record !== undefined) this.store.archive(type, record);
    }
    return { status: 204, recordsIn: inputs.length };
  }

  private associateFromInput(
    type: HubSpotObjectType,
    id: string,
    input: Record<string, unknown>,
  ): void {
    const associations = input['associations'];
    if (!Array.isArray(associations)) return;
    for (const association of associations) {
      const spec = asObject(association, 'association');
      const toId = asText(asObject(spec['to'] ?? {}, 'association.to')['id'] ?? '');
      const types = Array.isArray(spec['types'])
        ? spec['types'].map((entry) => asObject(entry, 'association type'))
        : [];
      const typeId = Number(types[0]?.['associationTypeId']);
      const target = (['contacts', 'calls', 'emails', 'meetings', 'notes', 'tasks'] as const).find(
        (candidate) => associationTypeId(type, candidate) === typeId,
      );
      if (target === undefined)
        fail(
          400,
          'VALIDATION_ERROR',
          `invalid association type id ${String(types[0]?.['associationTypeId'])} from ${type}`,
        );
      if (this.store.find(target, toId) === undefined)
        fail(
          400,
          'VALIDATION_ERROR',
          `${target.slice(0, -1)} ${toId} does not exist; cannot associate`,
        );
      this.store.associate(type, id, target, toId);
    }
  }

  private createObject(request: SandboxRequest, typeName: string | undefined): SandboxResponse {
    const type = objectType(typeName);
    const input = asObject(request.body);
    const properties = propertiesOf(input);
    this.validateAll(type, [input]);
    if (
      type === 'notes' ||
      type === 'calls' ||
      type === 'emails' ||
      type === 'meetings' ||
      type === 'tasks'
    ) {
      if (properties['hs_timestamp'] === undefined)
        fail(400, 'VALIDATION_ERROR', 'Property values were not valid: hs_timestamp is required');
    }
    if (type === 'contacts' && typeof properties['email'] === 'string') {
      const existing = this.store.findByEmail(properties['email']);
      if (existing !== undefined)
        fail(409, 'CONFLICT', `Contact already exists. Existing ID: ${existing.id}`);
    }
    // Validate associations before writing, so a bad association leaves nothing behind.
    const record = this.store.create(type, properties);
    try {
      this.associateFromInput(type, record.id, input);
    } catch (err) {
      this.store.objects[type].delete(record.id);
      throw err;
    }
    return json(201, toPublicObject(type, record, Object.keys(record.properties)), {
      recordsIn: 1,
      recordsOut: 1,
    });
  }

  private getObject(
    request: SandboxRequest,
    typeName: string | undefined,
    id: string | undefined,
  ): SandboxResponse {
    const type = objectType(typeName);
    const archived = request.query.get('archived') === 'true';
    const record = this.store.find(type, id ?? '', request.query.get('idProperty'), archived);
    if (record === undefined)
      fail(404, 'OBJECT_NOT_FOUND', `Object not found.  objectId are usually numeric.`);
    const body = toPublicObject(type, record, listParam(request.query, 'properties'));
    const associations = listParam(request.query, 'associations');
    if (associations !== null) {
      const map: Record<string, unknown> = {};
      for (const name of associations) {
        const target = toObjectType(name);
        if (target === null) continue;
        const ids = this.store.associated(type, record.id, target);
        if (ids.length > 0) {
          map[target] = {
            results: ids.map((toId) => ({
              id: toId,
              type: `${type.slice(0, -1)}_to_${target.slice(0, -1)}`,
            })),
          };
        }
      }
      body['associations'] = map;
    }
    return json(200, body, { recordsOut: 1 });
  }

  private patchObject(
    request: SandboxRequest,
    typeName: string | undefined,
    id: string | undefined,
  ): SandboxResponse {
    const type = objectType(typeName);
    const record = this.store.find(type, id ?? '', request.query.get('idProperty'));
    if (record === undefined)
      fail(404, 'OBJECT_NOT_FOUND', 'Object not found.  objectId are usually numeric.');
    const input = asObject(request.body);
    this.validateAll(type, [input]);
    const properties = propertiesOf(input);
    this.store.update(type, record, properties);
    return json(
      200,
      toPublicObject(type, record, [...Object.keys(properties), ...defaultProperties(type)]),
      { recordsIn: 1, recordsOut: 1 },
    );
  }

  private archiveObject(
    _request: SandboxRequest,
    typeName: string | undefined,
    id: string | undefined,
  ): SandboxResponse {
    const type = objectType(typeName);
    const record = this.store.find(type, id ?? '');
    if (record !== undefined) this.store.archive(type, record);
    return { status: 204, recordsIn: 1 };
  }

  private listObjects(request: SandboxRequest, typeName: string | undefined): SandboxResponse {
    const type = objectType(typeName);
    const limit = Math.min(Number(request.query.get('limit') ?? 10), 100);
    const after = Number(request.query.get('after') ?? 0);
    const archived = request.query.get('archived') === 'true';
    const live = [...this.store.objects[type].values()].filter(
      (record) => record.archived === archived,
    );
    const page = live.slice(after, after + limit);
    const next =
      after + limit < live.length
        ? { paging: { next: { after: String(after + limit), link: '' } } }
        : {};
    return json(
      200,
      {
        results: page.map((record) =>
          toPublicObject(type, record, listParam(request.query, 'properties')),
        ),
        ...next,
      },
      { recordsOut: page.length },
    );
  }

  private readAssociations(
    request: SandboxRequest,
    params: Readonly<Record<string, string>>,
  ): SandboxResponse {
    const type = objectType(params['objectType']);
    const target = objectType(params['toType']);
    const limit = Math.min(
      Number(request.query.get('limit') ?? ASSOCIATIONS_MAX_LIMIT),
      ASSOCIATIONS_MAX_LIMIT,
    );
    const after = Number(request.query.get('after') ?? 0);
    const ids = this.store.associated(type, params['id'] ?? '', target);
    const page = ids.slice(after, after + limit);
    const typeId = associationTypeId(type, target);
    return json(
      200,
      {
        results: page.map((toId) => ({
          toObjectId: toId,
          associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId, label: null }],
        })),
        ...(after + limit < ids.length
          ? { paging: { next: { after: String(after + limit) } } }
          : {}),
      },
      { recordsOut: page.length },
    );
  }

  private createDefaultAssociation(params: Readonly<Record<string, string>>): SandboxResponse {
    const type = objectType(params['objectType']);
    const target = objectType(params['toType']);
    const from = this.store.find(type, params['id'] ?? '');
    const to = this.store.find(target, params['toId'] ?? '');
    if (from === undefined || to === undefined)
      fail(404, 'OBJECT_NOT_FOUND', 'one of the objects does not exist');
    this.store.associate(type, from.id, target, to.id);
    return json(200, {
      status: 'COMPLETE',
      results: [
        {
          from: { id: from.id },
          to: { id: to.id },
          associationSpec: {
            associationCategory: 'HUBSPOT_DEFINED',
            associationTypeId: associationTypeId(type, target),
          },
        },
      ],
      startedAt: iso(this.store.now()),
      completedAt: iso(this.store.now()),
    });
  }

  private batchReadAssociations(
    request: SandboxRequest,
    params: Readonly<Record<string, string>>,
  ): SandboxResponse {
    const started = this.store.now();
    const type = objectType(params['objectType']);
    const target = objectType(params['toType']);
    const inputs = asInputs(request.body, ASSOCIATION_BATCH_MAX_INPUTS);
    const typeId = associationTypeId(type, target);
    const results: Record<string, unknown>[] = [];
    const missing: string[] = [];
    let out = 0;
    for (const input of inputs) {
      const id = asText(input['id'] ?? '');
      if (this.store.find(type, id) === undefined) {
        missing.push(id);
        continue;
      }
      const ids = this.store.associated(type, id, target);
      out += ids.length;
      results.push({
        from: { id },
        to: ids.map((toId) => ({
          toObjectId: toId,
          associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId, label: null }],
        })),
      });
    }
    const errors = this.batchErrors('OBJECT_NOT_FOUND', `No ${type} with these ids`, missing);
    const response = this.batchResponse(results, errors, 200, started, inputs.length);
    return { ...response, recordsOut: out };
  }

  private listGroups(typeName: string | undefined): SandboxResponse {
    const type = objectType(typeName);
    return json(200, { results: [...this.store.groups[type].values()] });
  }

  private getGroup(typeName: string | undefined, name: string | undefined): SandboxResponse {
    const group = this.store.groups[objectType(typeName)].get(name ?? '');
    if (group === undefined)
      fail(404, 'OBJECT_NOT_FOUND', `Unable to find property group ${name ?? ''}`);
    return json(200, group);
  }

  private createGroup(request: SandboxRequest, typeName: string | undefined): SandboxResponse {
    const type = objectType(typeName);
    const body = asObject(request.body);
    const name = body['name'];
    if (typeof name !== 'string' || typeof body['label'] !== 'string')
      fail(400, 'VALIDATION_ERROR', 'name and label are required');
    if (this.store.groups[type].has(name))
      fail(409, 'OBJECT_ALREADY_EXISTS', `A property group named ${name} already exists.`);
    const group = {
      name,
      label: body['label'],
      displayOrder: Number(body['displayOrder'] ?? -1),
      archived: false,
    };
    this.store.groups[type].set(name, group);
    return json(201, group);
  }

  private propertyShape(type: HubSpotObjectType, name: string): Record<string, unknown> {
    const def = this.store.properties[type].get(name);
    if (def === undefined) fail(404, 'OBJECT_NOT_FOUND', `Unable to find property ${name}`);
    return {
      ...def,
      createdAt: iso(def.createdAt),
      updatedAt: iso(def.updatedAt),
      archived: false,
      calculated: false,
      externalOptions: false,
      formField: false,
      hidden: false,
      modificationMetadata: {
        archivable: !def.hubspotDefined,
        readOnlyDefinition: def.hubspotDefined,
        readOnlyValue: def.readOnlyValue,
      },
    };
  }

  private listProperties(typeName: string | undefined): SandboxResponse {
    const type = objectType(typeName);
    const results = [...this.store.properties[type].keys()].map((name) =>
      this.propertyShape(type, name),
    );
    return json(200, { results }, { recordsOut: results.length });
  }

  private getProperty(typeName: string | undefined, name: string | undefined): SandboxResponse {
    return json(200, this.propertyShape(objectType(typeName), name ?? ''));
  }

  private createProperty(request: SandboxRequest, typeName: string | undefined): SandboxResponse {
    const type = objectType(typeName);
    const body = asObject(request.body);
    const missing = ['name', 'label', 'type', 'fieldType', 'groupName'].filter(
      (key) => typeof body[key] !== 'string',
    );
    if (missing.length > 0)
      fail(400, 'VALIDATION_ERROR', `Missing required fields: ${missing.join(', ')}`);
    const name = String(body['name']);
    // The 409 for an existing name (category OBJECT_ALREADY_EXISTS) is third-party observed;
    // its exact message is unverified.
    if (this.store.properties[type].has(name))
      fail(409, 'OBJECT_ALREADY_EXISTS', `Property named '${name}' already exists.`);
    const propertyType = checkTypes(String(body['type']), String(body['fieldType']));
    const groupName = String(body['groupName']);
    if (!this.store.groups[type].has(groupName))
      fail(400, 'VALIDATION_ERROR', `Property group ${groupName} does not exist`);
    const options = optionsOf(body['options']);
    this.store.addProperty(type, {
      name,
      label: String(body['label']),
      type: propertyType,
      fieldType: String(body['fieldType']),
      groupName,
      description: typeof body['description'] === 'string' ? body['description'] : '',
      options,
      hasUniqueValue: body['hasUniqueValue'] === true,
    });
    return json(201, this.propertyShape(type, name));
  }

  /**
   * `PATCH /crm/v3/properties/{objectType}/{name}` → 200: changes label, description, group,
   * type/fieldType (checked together) and options, which replace the whole list (unverified,
   * but what HubSpot's docs imply). The name cannot change; HubSpot's own properties cannot be
   * redefined through this sandbox.
   */
  private updateProperty(
    request: SandboxRequest,
    typeName: string | undefined,
    name: string | undefined,
  ): SandboxResponse {
    const type = objectType(typeName);
    const current = this.store.properties[type].get(name ?? '');
    if (current === undefined)
      fail(404, 'OBJECT_NOT_FOUND', `Unable to find property ${name ?? ''}`);
    const body = asObject(request.body);
    if (current.hubspotDefined)
      fail(
        400,
        'VALIDATION_ERROR',
        `${current.name} is a HubSpot-defined property and cannot be modified`,
      );
    const text = (key: string): string | undefined =>
      typeof body[key] === 'string' ? body[key] : undefined;
    const nextType = checkTypes(
      text('type') ?? current.type,
      text('fieldType') ?? current.fieldType,
    );
    const groupName = text('groupName') ?? current.groupName;
    if (!this.store.groups[type].has(groupName))
      fail(400, 'VALIDATION_ERROR', `Property group ${groupName} does not exist`);
    const updated: PropertyDefinition = {
      ...current,
      label: text('label') ?? current.label,
      description: text('description') ?? current.description,
      type: nextType,
      fieldType: text('fieldType') ?? current.fieldType,
      groupName,
      options: body['options'] === undefined ? current.options : optionsOf(body['options']),
      updatedAt: Math.max(this.store.now(), current.updatedAt + 1),
    };
    this.store.properties[type].set(current.name, updated);
    return json(200, this.propertyShape(type, current.name));
  }

  /**
   * `POST /oauth/v2/private-apps/get/access-token-info` with `{ tokenKey }`
   * (https://developers.hubspot.com/docs/api/private-apps). The answer's shape
   * (`userId, hubId, appId, scopes`), that no Authorization header is needed, and the 404 for an
   * unknown token are unverified.
   */
  private tokenInfo(request: SandboxRequest): SandboxResponse {
    const tokenKey = asObject(request.body)['tokenKey'];
    if (typeof tokenKey !== 'string' || tokenKey === '')
      fail(400, 'VALIDATION_ERROR', 'tokenKey is required');
    if (!this.tokens.has(tokenKey)) fail(404, 'OBJECT_NOT_FOUND', 'Token not found');
    return json(200, {
      userId: SANDBOX_APP_USER_ID,
      hubId: SANDBOX_HUB_ID,
      appId: SANDBOX_APP_ID,
      scopes: [...this.scopes],
    });
  }

  /** `GET /crm/v3/lists/object-type-id/{objectTypeId}/name/{listName}`; a missing list is a 404 (unverified). */
  private listByName(
    objectTypeId: string | undefined,
    listName: string | undefined,
  ): SandboxResponse {
    const list = [...this.store.lists.values()].find(
      (candidate) => candidate.objectTypeId === objectTypeId && candidate.name === listName,
    );
    if (list === undefined)
      fail(
        404,
        'OBJECT_NOT_FOUND',
        `List with name ${listName ?? ''} does not exist for object type ${objectTypeId ?? ''}.`,
      );
    return json(200, { list: listShape(list) });
  }

  /** `POST /crm/v3/lists/search` with `{ query?, processingTypes?, listIds?, offset?, count? }`. */
  private searchLists(request: SandboxRequest): SandboxResponse {
    const body = request.body === undefined ? {} : asObject(request.body);
    const query = typeof body['query'] === 'string' ? body['query'].toLowerCase() : '';
    const types = Array.isArray(body['processingTypes'])
      ? body['processingTypes'].map(String)
      : null;
    const ids = Array.isArray(body['listIds']) ? body['listIds'].map(String) : null;
    const offset = Number(body['offset'] ?? 0);
    const count = Math.min(Number(body['count'] ?? 20), 500);
    const matched = [...this.store.lists.values()].filter(
      (list) =>
        list.name.toLowerCase().includes(query) &&
        (types === null || types.includes(list.processingType)) &&
        (ids === null || ids.includes(list.listId)),
    );
    const page = matched.slice(offset, offset + count);
    return json(
      200,
      {
        lists: page.map((list) => ({ ...listShape(list), additionalProperties: {} })),
        hasMore: offset + count < matched.length,
        offset: offset + page.length,
        total: matched.length,
      },
      { recordsOut: page.length },
    );
  }

  private list(listId: string | undefined): HubSpotList {
    const list = this.store.lists.get(listId ?? '');
    if (list === undefined) fail(404, 'OBJECT_NOT_FOUND', `List ${listId ?? ''} does not exist.`);
    return list;
  }

  private createList(request: SandboxRequest): SandboxResponse {
    const body = asObject(request.body);
    const name = body['name'];
    const processingType = body['processingType'];
    if (typeof name !== 'string' || typeof body['objectTypeId'] !== 'string')
      fail(400, 'VALIDATION_ERROR', 'name and objectTypeId are required');
    if (
      processingType !== 'MANUAL' &&
      processingType !== 'SNAPSHOT' &&
      processingType !== 'DYNAMIC'
    ) {
      fail(400, 'VALIDATION_ERROR', 'processingType must be MANUAL, SNAPSHOT or DYNAMIC');
    }
    // A second list of the same name is refused; the status and body HubSpot gives are unverified.
    if ([...this.store.lists.values()].some((list) => list.name === name))
      fail(400, 'VALIDATION_ERROR', `A list named ${name} already exists.`);
    // The SDK accepts only 200 for list create.
    return json(200, {
      list: listShape(this.store.createList(name, body['objectTypeId'], processingType)),
    });
  }

  private changeMembership(
    request: SandboxRequest,
    listId: string | undefined,
    change: 'add' | 'remove',
  ): SandboxResponse {
    const list = this.list(listId);
    if (list.processingType === 'DYNAMIC')
      fail(
        400,
        'VALIDATION_ERROR',
        `List ${list.listId} is DYNAMIC; memberships can only change on MANUAL or SNAPSHOT lists.`,
      );
    if (!Array.isArray(request.body))
      fail(400, 'VALIDATION_ERROR', 'Invalid input JSON: expected an array of record ids');
    const ids = request.body.map(String);
    const changed: string[] = [];
    const missing: string[] = [];
    const at = this.store.now();
    for (const id of ids) {
      if (this.store.find('contacts', id) === undefined) {
        missing.push(id);
      } else if (change === 'add' && !list.members.has(id)) {
        list.members.set(id, at);
        changed.push(id);
      } else if (change === 'remove' && list.members.delete(id)) {
        changed.push(id);
      }
    }
    if (changed.length > 0) {
      list.updatedAt = at;
      list.listVersion += 1;
    }
    // `recordsIdsAdded` is HubSpot's own spelling.
    return json(
      200,
      {
        recordsIdsAdded: change === 'add' ? changed : [],
        recordIdsRemoved: change === 'remove' ? changed : [],
        recordIdsMissing: missing,
      },
      { recordsIn: ids.length },
    );
  }

  private readMemberships(request: SandboxRequest, listId: string | undefined): SandboxResponse {
    const list = this.list(listId);
    const limit = Math.min(Number(request.query.get('limit') ?? 100), 250);
    const after = Number(request.query.get('after') ?? 0);
    const members = [...list.members].sort(([a], [b]) => Number(a) - Number(b));
    const page = members.slice(after, after + limit);
    return json(
      200,
      {
        results: page.map(([recordId, at]) => ({ recordId, membershipTimestamp: iso(at) })),
        total: members.length,
        ...(after + limit < members.length
          ? { paging: { next: { after: String(after + limit) } } }
          : {}),
      },
      { recordsOut: page.length },
    );
  }

  private listOwners(request: SandboxRequest): SandboxResponse {
    const archived = request.query.get('archived') === 'true';
    const email = request.query.get('email');
    const limit = Math.min(Number(request.query.get('limit') ?? 100), 500);
    const after = Number(request.query.get('after') ?? 0);
    const owners = this.store.owners.filter(
      (owner) =>
        owner.archived === archived &&
        (email === null || owner.email.toLowerCase() === email.toLowerCase()),
    );
    const page = owners.slice(after, after + limit);
    return json(
      200,
      {
        results: page.map(ownerShape),
        ...(after + limit < owners.length
          ? { paging: { next: { after: String(after + limit) } } }
          : {}),
      },
      { recordsOut: page.length },
    );
  }

  private getOwner(request: SandboxRequest, ownerId: string | undefined): SandboxResponse {
    const byUserId = request.query.get('idProperty') === 'userId';
    const owner = this.store.owners.find(
      (candidate) => (byUserId ? String(candidate.userId) : candidate.id) === ownerId,
    );
    if (owner === undefined) fail(404, 'OBJECT_NOT_FOUND', `Owner ${ownerId ?? ''} not found`);
    return json(200, ownerShape(owner));
  }
}
