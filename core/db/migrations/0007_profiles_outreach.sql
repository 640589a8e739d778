-- Customer profiles (merged identities, consent, facts), flags, proactive outreach and demand insights.

-- Profile facts live on the customer row; `merged_into` marks a customer folded into another (rows are kept for audit).
ALTER TABLE customers
  ADD COLUMN crm_id                text UNIQUE,
  ADD COLUMN crm_hash              text,
  ADD COLUMN crm_imported_at       timestamptz,
  -- Only hashes of contact data are stored (sha256 of the normalised phone / e-mail): enough to link, nothing to leak.
  ADD COLUMN phone_hash            text,
  ADD COLUMN email_hash            text,
  ADD COLUMN attributes            jsonb NOT NULL DEFAULT '{}',
  ADD COLUMN products_of_interest  text[] NOT NULL DEFAULT '{}',
  ADD COLUMN sentiment_last        real,
  ADD COLUMN sentiment_trend       real,
  ADD COLUMN merged_into           text REFERENCES customers(id),
  ADD COLUMN profile_updated_at    timestamptz;
CREATE INDEX customers_phone_hash ON customers (phone_hash) WHERE phone_hash IS NOT NULL;
CREATE INDEX customers_email_hash ON customers (email_hash) WHERE email_hash IS NOT NULL;
CREATE INDEX customers_tier ON customers (tier) WHERE merged_into IS NULL;

-- A conversation that carries a reply to a campaign is tagged with it.
ALTER TABLE conversations
  ADD COLUMN campaign  text,
  ADD COLUMN tags      text[] NOT NULL DEFAULT '{}';
CREATE INDEX conversations_campaign ON conversations (campaign) WHERE campaign IS NOT NULL;
CREATE INDEX conversations_customer_recent ON conversations (customer_id, last_message_at DESC);

-- Audit trail of every merge: who, why, and what moved.
CREATE TABLE customer_merges (
  id             bigserial PRIMARY KEY,
  from_customer  text NOT NULL REFERENCES customers(id),
  into_customer  text NOT NULL REFERENCES customers(id),
  actor          text NOT NULL,
  reason         text,
  moved          jsonb NOT NULL,
  merged_at      timestamptz NOT NULL DEFAULT now()
);

-- Consent per channel ('*' = every channel) and purpose. An opt-out by the customer is never overwritten by an import.
CREATE TABLE customer_consents (
  customer_id  text NOT NULL REFERENCES customers(id),
  channel      text NOT NULL,
  purpose      text NOT NULL CHECK (purpose IN ('marketing', 'service')),
  status       text NOT NULL CHECK (status IN ('granted', 'denied', 'opted_out')),
  source       text NOT NULL,
  evidence     text,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, channel, purpose)
);

-- What the bot made of each customer turn: intent history for profiles, volumes and unanswered questions for insights.
CREATE TABLE turn_outcomes (
  message_id         text PRIMARY KEY,
  conversation_key   text NOT NULL,
  customer_id        text NOT NULL,
  text               text NOT NULL,
  language           text,
  intent             text,
  confidence         real,
  handoff_suggested  boolean NOT NULL,
  citations          integer NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX turn_outcomes_customer ON turn_outcomes (customer_id, created_at);
CREATE INDEX turn_outcomes_created ON turn_outcomes (created_at);

-- Per closed conversation: sentiment and risk categories seen, the inputs of the sentiment trend and churn signals.
CREATE TABLE conversation_signals (
  conversation_key   text PRIMARY KEY REFERENCES conversations(key),
  customer_id        text NOT NULL,
  sentiment          real,
  risk_categories    text[] NOT NULL DEFAULT '{}',
  intents            text[] NOT NULL DEFAULT '{}',
  customer_messages  integer NOT NULL,
  computed_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversation_signals_customer ON conversation_signals (customer_id, computed_at);

-- Flags raised by config/flagging.yaml, with the facts that fired them; inactive once expired.
CREATE TABLE customer_flags (
  customer_id   text NOT NULL REFERENCES customers(id),
  flag          text NOT NULL,
  reason        text NOT NULL,
  evidence      jsonb NOT NULL,
  raised_at     timestamptz NOT NULL DEFAULT now(),
  evaluated_at  timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  PRIMARY KEY (customer_id, flag)
);
CREATE INDEX customer_flags_active ON customer_flags (flag, expires_at);

-- One row per outreach message, claimed before sending: the frequency cap and channel rate limits count these rows.
CREATE TABLE outreach_sends (
  idempotency_key     text PRIMARY KEY,
  campaign            text NOT NULL,
  customer_id         text NOT NULL,
  step                text NOT NULL,
  channel             text NOT NULL,
  conversation_key    text NOT NULL,
  conversion_intents  text[] NOT NULL DEFAULT '{}',
  status              text NOT NULL DEFAULT 'claimed' CHECK (status IN ('claimed', 'delivered', 'failed')),
  claimed_at          timestamptz NOT NULL DEFAULT now(),
  delivered_at        timestamptz
);
CREATE INDEX outreach_sends_customer ON outreach_sends (customer_id, claimed_at);
CREATE INDEX outreach_sends_channel ON outreach_sends (channel, claimed_at);
CREATE INDEX outreach_sends_campaign ON outreach_sends (campaign, customer_id);

-- Outcomes of campaigns; `dedupe_key` makes each outcome idempotent under activity retries.
CREATE TABLE outreach_events (
  id           bigserial PRIMARY KEY,
  campaign     text,
  customer_id  text NOT NULL,
  step         text,
  kind         text NOT NULL CHECK (kind IN ('sent', 'delivered', 'replied', 'converted', 'opted_out', 'skipped', 'deferred', 'cancelled', 'failed')),
  detail       jsonb,
  dedupe_key   text UNIQUE,
  at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outreach_events_campaign ON outreach_events (campaign, kind, at);
CREATE INDEX outreach_events_customer ON outreach_events (customer_id, at);

-- Weekly demand digests (rising topics, candidate new topics), shown by the console and posted to Slack.
CREATE TABLE insight_digests (
  id            bigserial PRIMARY KEY,
  period_start  timestamptz NOT NULL,
  period_end    timestamptz NOT NULL,
  digest        jsonb NOT NULL,
  summary       text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  posted_at     timestamptz,
  posted_to     text,
  UNIQUE (period_start, period_end)
);
