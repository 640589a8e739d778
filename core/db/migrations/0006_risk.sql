-- Risk detection on customer messages and the escalations it raises (workflows/risk-escalation.ts).

-- One row per customer message the detector found risky (severity other than 'none'); a retried activity finds its row.
CREATE TABLE risk_events (
  id                text PRIMARY KEY,
  conversation_key  text NOT NULL REFERENCES conversations(key),
  message_id        text NOT NULL UNIQUE REFERENCES messages(id),
  customer_id       text,
  categories        text[] NOT NULL,
  severity          text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  score             real NOT NULL,
  evidence          jsonb NOT NULL,
  -- The context that moved severity (prior categories, value tier, sentiment trend), for reviewing a decision later.
  context           jsonb NOT NULL DEFAULT '{}',
  excerpt           text NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX risk_events_conversation ON risk_events (conversation_key, created_at);
CREATE INDEX risk_events_created ON risk_events (created_at);

-- One escalation per conversation and category while it is active; the workflow `risk:<conversation>:<category>`
-- owns the row. Repeats of the threat bump `occurrences` instead of opening another one.
CREATE TABLE risk_escalations (
  id                 text PRIMARY KEY,
  workflow_id        text NOT NULL,
  conversation_key   text NOT NULL REFERENCES conversations(key),
  category           text NOT NULL,
  status             text NOT NULL CHECK (status IN ('open', 'acknowledged', 'taken_over', 'false_positive', 'resolved')),
  severity           text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  occurrences        integer NOT NULL DEFAULT 1,
  -- Every risk event this escalation covers, oldest first (the false-positive feedback lists each one).
  event_ids          text[] NOT NULL DEFAULT '{}',
  excerpt            text NOT NULL,
  evidence           jsonb NOT NULL,
  -- 'senior' when the escalation put the conversation on hold for the senior queue.
  handoff_queue      text,
  -- Where each alert sink shows this escalation (Slack channel + ts), so updates edit the same message.
  alert_refs         jsonb NOT NULL DEFAULT '{}',
  reminders_sent     integer NOT NULL DEFAULT 0,
  opened_at          timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  acknowledged_at    timestamptz,
  acknowledged_by    text,
  taken_over_by      text,
  closed_at          timestamptz,
  closed_by          text,
  close_reason       text
);
CREATE UNIQUE INDEX risk_escalations_one_active ON risk_escalations (conversation_key, category)
  WHERE status IN ('open', 'acknowledged', 'taken_over');
CREATE INDEX risk_escalations_status ON risk_escalations (status, opened_at);

-- Audit trail: every alert, re-alert, repeat, hand-off, acknowledgement, take-over and false positive, with actor.
CREATE TABLE risk_escalation_events (
  id             bigserial PRIMARY KEY,
  escalation_id  text NOT NULL REFERENCES risk_escalations(id),
  kind           text NOT NULL CHECK (kind IN ('opened', 'alert', 'repeat', 'realert', 'handoff', 'acknowledged', 'taken_over',
                                              'false_positive', 'resolved', 'alert_failed')),
  actor          text,
  detail         jsonb NOT NULL DEFAULT '{}',
  -- A retried activity records its event once.
  dedupe_key     text UNIQUE,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX risk_escalation_events_escalation ON risk_escalation_events (escalation_id, id);

-- False positives reported by people, one row per message the escalation covered, exported for rule tuning
-- (`kefu risk feedback`). The message text is copied so the export outlives message retention.
CREATE TABLE risk_feedback (
  id             bigserial PRIMARY KEY,
  escalation_id  text NOT NULL REFERENCES risk_escalations(id),
  event_id       text NOT NULL REFERENCES risk_events(id),
  -- The category the reviewer called wrong, and everything the detector found in the message.
  category       text NOT NULL,
  text           text NOT NULL,
  categories     text[] NOT NULL,
  severity       text NOT NULL,
  evidence       jsonb NOT NULL,
  actor          text NOT NULL,
  note           text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (escalation_id, event_id)
);
CREATE INDEX risk_feedback_created ON risk_feedback (created_at);
