import type { Db } from '../db/types.js';
import * as conversations from './conversations.js';
import * as customers from './customers.js';
import * as deliveries from './deliveries.js';
import * as inbound from './inbound.js';
import * as messages from './messages.js';

/** The data-access module: every query the platform runs lives in `core/store/`, bound here to one database. */
export function createStore(db: Db) {
  return {
    db,
    recordInbound: inbound.recordInbound.bind(null, db),
    resolveCustomer: customers.resolveCustomer.bind(null, db),
    getConversation: conversations.getConversation.bind(null, db),
    setConversationStatus: conversations.setConversationStatus.bind(null, db),
    insertMessage: messages.insertMessage.bind(null, db),
    listMessages: messages.listMessages.bind(null, db),
    markDispatched: messages.markDispatched.bind(null, db),
    listUndispatched: messages.listUndispatched.bind(null, db),
    beginDelivery: deliveries.beginDelivery.bind(null, db),
    completeDelivery: deliveries.completeDelivery.bind(null, db),
    recordDeliveryError: deliveries.recordDeliveryError.bind(null, db),
    getDelivery: deliveries.getDelivery.bind(null, db),
    listDeliveries: deliveries.listDeliveries.bind(null, db),
  };
}

export type Store = ReturnType<typeof createStore>;
export type { Conversation } from './conversations.js';
export type { Delivery, DeliveryStatus } from './deliveries.js';
export type { RecordedInbound } from './inbound.js';
