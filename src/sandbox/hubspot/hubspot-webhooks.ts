import { createHash, createHmac } from 'node:crypto';
import type { ContactChange, HubSpotStore } from './hubspot-store.js';

export interface WebhookSettings {
  /** The full public URL HubSpot calls; it is part of the v3 signature. */
  readonly targetUrl: string;
  /** The app's client secret, the HMAC key. */
  readonly clientSecret: string;
  readonly portalId?: number;
  readonly appId?: number;
  /** Delivery attempts per batch; HubSpot makes up to 10 over about a day. */
  readonly maxAttempts?: number;
  /** Delay before retry n is n × this (HubSpot spaces retries over hours; the sandbox, briefly). */
  readonly retryDelayMs?: number;
}

/** HubSpot's batch bound: "under 100 notifications". */
const MAX_EVENTS_PER_BATCH = 99;

/**
 * `X-HubSpot-Signature-v3`: base64 HMAC-SHA256 of method + URI + raw body + timestamp, keyed
 * with the client secret. Exported so receivers under test can verify with the same rule.
 */
export function signV3(
  secret: string,
  method: string,
  uri: string,
  body: string,
  timestamp: number,
): string {
  return createHmac('sha256', secret)
    .update(`${method}${uri}${body}${timestamp}`, 'utf8')
    .digest('base64');
}

interface PendingEvent {
  readonly eventId: number;
  readonly subscriptionType: string;
  readonly objectId: number;
  readonly occurredAt: number;
  readonly propertyName?: string;
  readonly propertyValue?: string;
}

/**
 * Posts contact events (creation, property change, deletion) in HubSpot's payload shape to a
 * configured URL, signed v3, retried with an increasing `attemptNumber` on failure.
 */
export class HubSpotWebhooks {
  private settings: WebhookSettings | null = null;
  private pending: PendingEvent[] = [];
  private nextEventId = 1;
  private timer: NodeJS.Timeout | null = null;
  private inFlight = new Set<Promise<void>>();
  readonly deliveries: { status: number | null; attemptNumber: number; events: number }[] = [];

  constructor(
    store: HubSpotStore,
    private readonly now: () => number = Date.now,
  ) {
    store.onContactChange((change) => this.enqueue(change));
  }

  configure(settings: WebhookSettings | null): void {
    this.settings = settings;
    this.pending = [];
  }

  private enqueue(change: ContactChange): void {
    if (this.settings === null) return;
    this.pending.push({
      eventId: this.nextEventId++,
      subscriptionType: `contact.${change.kind}`,
      objectId: Number(change.contactId),
      occurredAt: change.occurredAt,
      ...(change.propertyName === undefined
        ? {}
        : { propertyName: change.propertyName, propertyValue: change.propertyValue ?? '' }),
    });
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, 50);
  }

  /** Sends everything pending now and waits for every delivery (including retries) to settle. */
  async flush(): Promise<void> {
    const settings = this.settings;
    while (settings !== null && this.pending.length > 0) {
      const batch = this.pending.splice(0, MAX_EVENTS_PER_BATCH);
      const delivery = this.deliver(settings, batch, 0);
      this.inFlight.add(delivery);
      void delivery.finally(() => this.inFlight.delete(delivery));
    }
    await Promise.all([...this.inFlight]);
  }

  private async deliver(
    settings: WebhookSettings,
    batch: readonly PendingEvent[],
    attemptNumber: number,
  ): Promise<void> {
    const body = JSON.stringify(
      batch.map((event) => ({
        eventId: event.eventId,
        subscriptionId: 1,
        portalId: settings.portalId ?? 1,
        appId: settings.appId ?? 1,
        occurredAt: event.occurredAt,
        subscriptionType: event.subscriptionType,
        attemptNumber,
        objectId: event.objectId,
        ...(event.propertyName === undefined
          ? { changeFlag: event.subscriptionType === 'contact.creation' ? 'NEW' : 'DELETED' }
          : { propertyName: event.propertyName, propertyValue: event.propertyValue }),
        changeSource: 'CRM',
      })),
    );
    const timestamp = this.now();
    let status: number | null = null;
    try {
      const response = await fetch(settings.targetUrl, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-HubSpot-Signature-v3': signV3(
            settings.clientSecret,
            'POST',
            settings.targetUrl,
            body,
            timestamp,
          ),
          'X-HubSpot-Request-Timestamp': String(timestamp),
          'X-HubSpot-Signature-Version': 'v1',
          // v1, kept by HubSpot for backward compatibility: sha256_hex(secret + body).
          'X-HubSpot-Signature': createHash('sha256')
            .update(settings.clientSecret + body, 'utf8')
            .digest('hex'),
        },
        body,
        signal: AbortSignal.timeout(5_000),
      });
      status = response.status;
      await response.arrayBuffer();
    } catch {
      status = null;
    }
    this.deliveries.push({ status, attemptNumber, events: batch.length });
    const failed = status === null || status >= 400;
    if (failed && attemptNumber + 1 < (settings.maxAttempts ?? 10)) {
      await new Promise((resolve) =>
        setTimeout(resolve, (settings.retryDelayMs ?? 200) * (attemptNumber + 1)),
      );
      await this.deliver(settings, batch, attemptNumber + 1);
    }
  }
}
