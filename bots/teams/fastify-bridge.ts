import type { CloudAdapter, Request as BotRequest, Response as BotResponse, TurnContext } from 'botbuilder';
import type { FastifyRequest } from 'fastify';

export interface BotHttpResult {
  status: number;
  body?: unknown;
  headers: Record<string, string>;
}

/**
 * Runs `CloudAdapter.process` on a Fastify request. The adapter expects Express-like objects; Fastify has already
 * parsed the JSON body, so the request needs no more than body, headers and method, and the response is collected
 * here and written by the route with Fastify's own reply (keeping its hooks, request id header and logging).
 */
export async function processBotRequest(
  adapter: CloudAdapter,
  req: FastifyRequest,
  logic: (context: TurnContext) => Promise<void>,
): Promise<BotHttpResult> {
  const result: BotHttpResult = { status: 200, headers: {} };
  const request: BotRequest = { body: req.body as Record<string, unknown>, headers: req.headers, method: req.method };
  const response: BotResponse = {
    socket: req.raw.socket,
    status(code: number) {
      result.status = code;
      return response;
    },
    header(name: string, value: unknown) {
      result.headers[name] = String(value);
      return response;
    },
    send(body?: unknown) {
      result.body = body;
      return response;
    },
    end() {
      return response;
    },
  };
  await adapter.process(request, response, logic);
  return result;
}
