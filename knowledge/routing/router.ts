import type { IntentModel } from '../intent/model.js';
import { DEFAULT_WORKFLOW_REPLY, type Bilingual, type RoutingTable } from './table.js';

/**
 * One customer message's route. `fallback` is the table's `default`: no intent was confident enough, or the intent
 * has no route. The intent model is deliberately strict (its threshold is tuned to reject off-topic text), so a
 * fallback message is still offered to the knowledge base, and the default clarify prompt replaces only an answer
 * the knowledge base could not give — a question the articles cover is never met with "could you say more?".
 */
export type RouteDecision = { intent: string | null; confidence: number } & (
  | { action: 'answer' }
  | { action: 'clarify'; prompt: Bilingual }
  | { action: 'handoff'; queue: string }
  | { action: 'workflow'; workflow: string; queue: string; reply: Bilingual; answerFirst: boolean }
  | { action: 'fallback'; prompt: Bilingual }
);

export interface IntentRouter {
  /** The intents the model knows (for start-up checks and logs). */
  readonly intents: readonly string[];
  readonly threshold: number;
  route(text: string): RouteDecision;
}

/** `defaultQueue` is where workflow routes without a queue of their own post follow-up work. */
export function createIntentRouter(opts: { model: IntentModel; table: RoutingTable; defaultQueue: string }): IntentRouter {
  const { model, table } = opts;
  return {
    intents: model.classes,
    threshold: model.threshold,
    route(text: string): RouteDecision {
      const { intent, confidence } = model.classify(text);
      const route = intent === null ? undefined : table.routes[intent];
      const base = { intent, confidence };
      switch (route?.action) {
        case undefined:
          return { ...base, action: 'fallback', prompt: table.default.prompt };
        case 'answer':
          return { ...base, action: 'answer' };
        case 'clarify':
          return { ...base, action: 'clarify', prompt: route.prompt };
        case 'handoff':
          return { ...base, action: 'handoff', queue: route.queue };
        case 'workflow':
          return { ...base, action: 'workflow', workflow: route.workflow, queue: route.queue ?? opts.defaultQueue, reply: route.reply ?? DEFAULT_WORKFLOW_REPLY, answerFirst: route.answerFirst ?? false };
        default: {
          const unknown: never = route;
          throw new Error(`unknown route ${JSON.stringify(unknown)}`);
        }
      }
    },
  };
}
