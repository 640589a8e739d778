-- Human handoff: one row per handoff (a conversation may be handed off again after it reopens), the desk cards that
-- show it, the agent messages relayed to the customer, processed Slack deliveries, and the local inbox's threads.

CREATE TABLE handoffs (
  id                text PRIMARY KEY,
  workflow_id       text NOT NULL,
  conversation_key  text NOT NULL REFERENCES conversations(key),
  status            text NOT NULL CHECK (status IN ('after_hours', 'waiting', 'claimed', 'resolved', 'ended')),
  queue             text NOT NULL,
  priority          integer NOT NULL DEFAULT 0,
  reason            text NOT NULL,
  risk_flags        text[] NOT NULL DEFAULT '{}',
  agent_id          text,
  agent_name        text,
  desk              text,
  card_channel      text,
  card_ts           text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  -- When the handoff entered its current queue (card posted); the queue orders by priority, then by this.
  queued_at         timestamptz,
  claimed_at        timestamptz,
  ended_at          timestamptz,
  ended_by          text,
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX handoffs_queue ON handoffs (queue, status, priority DESC, queued_at);
CREATE INDEX handoffs_agent ON handoffs (agent_id, status);
CREATE INDEX handoffs_conversation ON handoffs (conversation_key, created_at);

-- Every card a handoff has had (a transfer to another queue posts a new one); maps a desk thread to its handoff.
CREATE TABLE handoff_cards (
  desk        text NOT NULL,
  channel     text NOT NULL,
  ts          text NOT NULL,
  handoff_id  text NOT NULL REFERENCES handoffs(id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (desk, channel, ts)
);
CREATE INDEX handoff_cards_handoff ON handoff_cards (handoff_id);

-- Agent messages relayed to the customer, once per source message (Slack message ts, inbox client id, suggestion).
CREATE TABLE handoff_agent_messages (
  handoff_id    text NOT NULL REFERENCES handoffs(id),
  source_id     text NOT NULL,
  agent_id      text NOT NULL,
  agent_name    text,
  text          text NOT NULL,
  delivery_key  text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (handoff_id, source_id)
);

-- Slack deliveries already handled (event_id for events, trigger_id for actions and commands): retries are dropped.
CREATE TABLE slack_events (
  id            text PRIMARY KEY,
  kind          text NOT NULL,
  processed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX slack_events_age ON slack_events (processed_at);

-- Side effects on the agent desk done once across activity retries: the posted message's reference by idempotency key.
CREATE TABLE desk_posts (
  key         text PRIMARY KEY,
  ref         jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- The local web inbox (AGENT_DESK=inbox): each handoff's card and thread.
CREATE TABLE inbox_cards (
  handoff_id   text PRIMARY KEY REFERENCES handoffs(id),
  card         jsonb NOT NULL,
  alert_level  text CHECK (alert_level IN ('queue', 'supervisor')),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE inbox_thread (
  id          bigserial PRIMARY KEY,
  handoff_id  text NOT NULL REFERENCES handoffs(id),
  kind        text NOT NULL,
  author      text,
  text        text NOT NULL,
  payload     jsonb,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inbox_thread_handoff ON inbox_thread (handoff_id, id);
