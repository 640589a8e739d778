-- Ops console: people's sign-in sessions and an audit trail of what they did. The session token itself is never
-- stored, only its SHA-256, so a copy of this table does not let anyone sign in.
CREATE TABLE console_sessions (
  token_hash    text PRIMARY KEY,
  -- Public handle of a session (admin list, revoke); not usable to authenticate.
  id            text NOT NULL UNIQUE,
  username      text NOT NULL,
  role          text NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
  csrf_token    text NOT NULL,
  ip            text,
  user_agent    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  revoked_at    timestamptz
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);

CREATE TABLE console_audit (
  id        bigserial PRIMARY KEY,
  at        timestamptz NOT NULL DEFAULT now(),
  username  text NOT NULL,
  action    text NOT NULL,
  target    text,
  detail    jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX console_audit_at ON console_audit (at);

-- The overview's period queries and the conversation search filter on these.
CREATE INDEX conversations_started ON conversations (started_at);
CREATE INDEX conversations_closed ON conversations (closed_at) WHERE closed_at IS NOT NULL;
