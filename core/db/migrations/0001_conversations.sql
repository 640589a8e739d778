-- Customers, their identities on each channel, conversations, messages and outbound deliveries.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE customers (
  id            text PRIMARY KEY,
  display_name  text,
  language      text CHECK (language IN ('zh', 'en')),
  tier          text NOT NULL DEFAULT 'standard',
  tags          text[] NOT NULL DEFAULT '{}',
  timezone      text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE channel_identities (
  channel       text NOT NULL,
  external_id   text NOT NULL,
  customer_id   text NOT NULL REFERENCES customers(id),
  display_name  text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel, external_id)
);
CREATE INDEX channel_identities_customer ON channel_identities (customer_id);

CREATE TABLE conversations (
  key              text PRIMARY KEY,
  channel          text NOT NULL,
  external_id      text NOT NULL,
  customer_id      text NOT NULL REFERENCES customers(id),
  status           text NOT NULL DEFAULT 'bot' CHECK (status IN ('bot', 'waiting_agent', 'with_agent', 'closed')),
  language         text,
  reply_target     jsonb,
  started_at       timestamptz NOT NULL DEFAULT now(),
  last_message_at  timestamptz NOT NULL DEFAULT now(),
  closed_at        timestamptz,
  close_reason     text,
  UNIQUE (channel, external_id)
);
CREATE INDEX conversations_customer ON conversations (customer_id);
CREATE INDEX conversations_status ON conversations (status, last_message_at);

CREATE TABLE messages (
  id                  text PRIMARY KEY,
  seq                 bigserial NOT NULL,
  conversation_key    text NOT NULL REFERENCES conversations(key),
  channel             text NOT NULL,
  channel_message_id  text NOT NULL,
  role                text NOT NULL CHECK (role IN ('customer', 'bot', 'agent', 'system')),
  text                text NOT NULL,
  language            text,
  attachments         jsonb,
  citations           jsonb,
  meta                jsonb,
  created_at          timestamptz NOT NULL DEFAULT now(),
  -- Set once the conversation workflow has been signalled; a sweeper re-signals rows left NULL by a crash.
  dispatched_at       timestamptz,
  UNIQUE (channel, channel_message_id)
);
CREATE INDEX messages_conversation ON messages (conversation_key, seq);
CREATE INDEX messages_undispatched ON messages (created_at) WHERE dispatched_at IS NULL AND role = 'customer';

CREATE TABLE deliveries (
  idempotency_key   text PRIMARY KEY,
  conversation_key  text NOT NULL REFERENCES conversations(key),
  channel           text NOT NULL,
  message_id        text,
  status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts          integer NOT NULL DEFAULT 0,
  last_error        text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  sent_at           timestamptz
);
CREATE INDEX deliveries_status ON deliveries (status, updated_at);
