import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Logger } from '../../core/logger.js';
import type { Store } from '../../core/store/index.js';

/** The id Slack keeps across retries of one delivery: event_id for events, trigger_id for clicks and commands. */
export function slackDeliveryId(body: Record<string, unknown>): { id: string; kind: string } | undefined {
  if (typeof body.event_id === 'string') return { id: `event:${body.event_id}`, kind: 'event' };
  if (typeof body.trigger_id === 'string') {
    const kind = typeof body.type === 'string' ? body.type : 'command';
    return { id: `${kind}:${body.trigger_id}`, kind };
  }
  return undefined;
}

/**
 * Global middleware: a Slack retry (X-Slack-Retry-Num) of a delivery already handled is acknowledged and dropped.
 * The delivery is recorded after its listeners succeed, so a failed one is processed again when Slack retries;
 * a retry racing the first attempt is absorbed further down (updates and relays are keyed by Slack's ids).
 */
export function dedupeSlackDeliveries(store: Store, logger: Logger): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const delivery = slackDeliveryId(args.body as unknown as Record<string, unknown>);
    if (delivery && (await store.isSlackEventProcessed(delivery.id))) {
      logger.debug({ delivery: delivery.id, retry: args.context.retryNum }, 'slack retry of a handled delivery dropped');
      if ('ack' in args && typeof args.ack === 'function') await (args.ack as () => Promise<void>)();
      return;
    }
    await args.next();
    if (delivery) await store.markSlackEventProcessed(delivery.id, delivery.kind);
  };
}
