-- Leads: requests a back-office workflow started by intent routing follows up on (workflows/trade-in-lead.ts: a
-- trade-in specialist calls the customer back). One row per workflow, so a retried activity records it once.
CREATE TABLE leads (
  id                text PRIMARY KEY,
  kind              text NOT NULL,
  workflow_id       text NOT NULL UNIQUE,
  conversation_key  text NOT NULL REFERENCES conversations(key),
  customer_id       text NOT NULL,
  channel           text NOT NULL,
  -- The customer message that asked (messages.id) and what it said.
  message_id        text NOT NULL,
  text              text NOT NULL,
  language          text,
  intent            text,
  -- The agent-desk queue that follows up, and where the lead was posted there.
  queue             text NOT NULL,
  status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
  desk              text,
  desk_ref          jsonb,
  created_at        timestamptz NOT NULL DEFAULT now(),
  posted_at         timestamptz
);
CREATE INDEX leads_open ON leads (queue, created_at) WHERE status = 'open';
CREATE INDEX leads_conversation ON leads (conversation_key);
