import { PermanentDeliveryError } from '../channel.js';

/** Raised while the account is logged out or reconnecting: the send is retried until the session is back. */
export class WechatNotReadyError extends Error {
  override readonly name = 'WechatNotReadyError';
}

// gRPC status codes used by wechaty-puppet-service: the request itself is wrong or refused for good.
const PERMANENT_GRPC = new Set([3 /* INVALID_ARGUMENT */, 5 /* NOT_FOUND */, 7 /* PERMISSION_DENIED */, 9 /* FAILED_PRECONDITION */, 12 /* UNIMPLEMENTED */]);
// Puppets report a blocked or deleted contact in words, in English or Chinese.
const PERMANENT_TEXT = /blocked|blacklist|not (a )?friend|no (such )?contact|contact not found|room not found|拉黑|黑名单|非好友|不是.*好友|已被删除|被移出/i;

/**
 * Sorts a failed send: a blocked or unknown contact, or a request the puppet rejects, is permanent (the delivery is
 * marked failed); everything else (timeouts, lost connection, not logged in) is thrown again for a retry.
 */
export function classifyWechatError(err: unknown): Error {
  if (err instanceof PermanentDeliveryError || err instanceof WechatNotReadyError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if ((typeof code === 'number' && PERMANENT_GRPC.has(code)) || PERMANENT_TEXT.test(message)) {
    return new PermanentDeliveryError(`WeChat refused the message: ${message}`);
  }
  return new Error(`WeChat send failed: ${message}`, { cause: err });
}
