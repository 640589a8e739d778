-- Post-conversation QA of every closed conversation: each close, its score and findings (attributed to the bot and
-- to agents), disputes of findings, the posts to the QA channel, and an audit log of every change.

-- One row per close of a conversation (a conversation reopens under the same key, so it can close several times).
-- The messages of this close are those with from_message_seq < seq <= to_message_seq.
CREATE TABLE qa_closes (
  conversation_key  text NOT NULL REFERENCES conversations(key),
  close_seq         integer NOT NULL,
  -- Run id of the conversation workflow run that closed (a run closes at most once): a retried activity records it once.
  run_id            text NOT NULL UNIQUE,
  reason            text NOT NULL,
  closed_at         timestamptz NOT NULL DEFAULT now(),
  from_message_seq  bigint NOT NULL,
  to_message_seq    bigint NOT NULL,
  -- Set when there was nothing to score (no customer, bot or agent message): covered, but not scored.
  skipped_reason    text,
  PRIMARY KEY (conversation_key, close_seq)
);
CREATE INDEX qa_closes_closed_at ON qa_closes (closed_at);

CREATE TABLE qa_results (
  id                 text PRIMARY KEY,
  conversation_key   text NOT NULL,
  close_seq          integer NOT NULL,
  workflow_id        text NOT NULL,
  channel            text NOT NULL,
  language           text NOT NULL,
  scorecard_name     text NOT NULL,
  -- Content hash of the scorecard the result was computed with: scores from different scorecards are not comparable.
  scorecard_version  text NOT NULL,
  pass_score         double precision NOT NULL,
  -- Current score and verdict (after accepted disputes); original_* keep what the scorer said.
  score              double precision NOT NULL,
  passed             boolean NOT NULL,
  original_score     double precision NOT NULL,
  original_passed    boolean NOT NULL,
  -- True when an LLM judge was configured; unjudged_count criteria still got no verdict (judge errors).
  judged             boolean NOT NULL,
  unjudged_count     integer NOT NULL,
  critical_failures  text[] NOT NULL DEFAULT '{}',
  message_count      integer NOT NULL,
  -- Who spoke: 'bot' and 'agent:<id>'; agent_names maps agent id to the name last seen.
  actors             text[] NOT NULL DEFAULT '{}',
  agent_names        jsonb NOT NULL DEFAULT '{}',
  closed_at          timestamptz NOT NULL,
  scored_at          timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  -- Second guard behind the workflow id: one result per close, whatever starts the QA workflow twice.
  UNIQUE (conversation_key, close_seq),
  FOREIGN KEY (conversation_key, close_seq) REFERENCES qa_closes (conversation_key, close_seq)
);
CREATE INDEX qa_results_closed_at ON qa_results (closed_at);
CREATE INDEX qa_results_actors ON qa_results USING gin (actors);

CREATE TABLE qa_findings (
  id                    text PRIMARY KEY,
  result_id             text NOT NULL REFERENCES qa_results(id),
  position              integer NOT NULL,
  criterion             text NOT NULL,
  name                  text NOT NULL,
  kind                  text NOT NULL CHECK (kind IN ('rule', 'judged')),
  -- Current status; original_status keeps the scorer's. An accepted dispute turns a fail into a pass.
  status                text NOT NULL CHECK (status IN ('pass', 'fail', 'not_applicable', 'unjudged')),
  passed                boolean,
  original_status       text NOT NULL,
  overturned            boolean NOT NULL DEFAULT false,
  severity              text NOT NULL CHECK (severity IN ('critical', 'major', 'minor')),
  weight                double precision NOT NULL,
  evidence_indexes      integer[] NOT NULL DEFAULT '{}',
  evidence_message_ids  text[] NOT NULL DEFAULT '{}',
  -- Whom the finding is about: 'bot' and/or 'agent:<id>', from the evidence messages.
  actors                text[] NOT NULL DEFAULT '{}',
  note                  text NOT NULL,
  UNIQUE (result_id, criterion)
);
CREATE INDEX qa_findings_criterion ON qa_findings (criterion, status);

-- A finding is disputed at most once; the QA lead's decision is final.
CREATE TABLE qa_disputes (
  id             text PRIMARY KEY,
  finding_id     text NOT NULL UNIQUE REFERENCES qa_findings(id),
  agent_id       text NOT NULL,
  agent_name     text,
  reason         text NOT NULL,
  status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'rejected')),
  decided_by     text,
  decision_note  text,
  decided_at     timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX qa_disputes_status ON qa_disputes (status, created_at);

-- Everything posted to the QA channel (alerts, disputes for a decision, decisions, weekly reports), once per key.
-- With the local sink this table is the QA inbox itself; with Slack it also keeps the message reference.
CREATE TABLE qa_alerts (
  key          text PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('alert', 'dispute', 'decision', 'report')),
  result_id    text REFERENCES qa_results(id),
  sink         text NOT NULL,
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  payload      jsonb NOT NULL,
  ref          jsonb,
  last_error   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  sent_at      timestamptz
);
CREATE INDEX qa_alerts_created ON qa_alerts (created_at);

-- Who changed what, when: before/after images of every change to QA data (and, later, other audited areas).
CREATE TABLE audit_log (
  id       bigserial PRIMARY KEY,
  actor    text NOT NULL,
  action   text NOT NULL,
  subject  text NOT NULL,
  before   jsonb,
  after    jsonb,
  at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_subject ON audit_log (subject, id);
CREATE INDEX audit_log_at ON audit_log (at);
