import type { Queryable } from '../db/types.js';
import { iso } from './rows.js';

export type ConsoleRole = 'agent' | 'supervisor' | 'admin';

export interface ConsoleSession {
  id: string;
  username: string;
  role: ConsoleRole;
  csrfToken: string;
  ip: string | null;
  userAgent: string | null;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

interface SessionRow {
  id: string;
  username: string;
  role: ConsoleRole;
  csrf_token: string;
  ip: string | null;
  user_agent: string | null;
  created_at: Date | string;
  last_seen_at: Date | string;
  expires_at: Date | string;
}

const toSession = (r: SessionRow): ConsoleSession => ({
  id: r.id,
  username: r.username,
  role: r.role,
  csrfToken: r.csrf_token,
  ip: r.ip,
  userAgent: r.user_agent,
  createdAt: iso(r.created_at) as string,
  lastSeenAt: iso(r.last_seen_at) as string,
  expiresAt: iso(r.expires_at) as string,
});

export interface NewConsoleSession {
  tokenHash: string;
  id: string;
  username: string;
  role: ConsoleRole;
  csrfToken: string;
  ttlMs: number;
  ip?: string;
  userAgent?: string;
}

export async function createConsoleSession(q: Queryable, s: NewConsoleSession): Promise<ConsoleSession> {
  const r = await q.query<SessionRow>(
    `INSERT INTO console_sessions (token_hash, id, username, role, csrf_token, ip, user_agent, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(secs => $8)) RETURNING *`,
    [s.tokenHash, s.id, s.username, s.role, s.csrfToken, s.ip ?? null, s.userAgent?.slice(0, 300) ?? null, s.ttlMs / 1000],
  );
  return toSession(r.rows[0] as SessionRow);
}

/** The live session for a token hash (not expired, not revoked); marks it seen at most once a minute. */
export async function findConsoleSession(q: Queryable, tokenHash: string): Promise<ConsoleSession | null> {
  const r = await q.query<SessionRow & { stale: boolean }>(
    `SELECT *, last_seen_at < now() - interval '1 minute' AS stale FROM console_sessions
     WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()`,
    [tokenHash],
  );
  const row = r.rows[0];
  if (!row) return null;
  if (row.stale) await q.query('UPDATE console_sessions SET last_seen_at = now() WHERE token_hash = $1', [tokenHash]);
  return toSession(row);
}

export async function revokeConsoleSessionByToken(q: Queryable, tokenHash: string): Promise<void> {
  await q.query('UPDATE console_sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL', [tokenHash]);
}

/** Revokes by public id; true when a live session was revoked. */
export async function revokeConsoleSession(q: Queryable, id: string): Promise<boolean> {
  const r = await q.query('UPDATE console_sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL AND expires_at > now() RETURNING id', [id]);
  return r.rows.length > 0;
}

export async function listConsoleSessions(q: Queryable): Promise<ConsoleSession[]> {
  const r = await q.query<SessionRow>(
    'SELECT * FROM console_sessions WHERE revoked_at IS NULL AND expires_at > now() ORDER BY last_seen_at DESC LIMIT 200',
  );
  return r.rows.map(toSession);
}

/** Expired and revoked sessions older than a day are of no use, not even for the audit (which has its own table). */
export async function purgeConsoleSessions(q: Queryable): Promise<number> {
  const r = await q.query(
    `DELETE FROM console_sessions WHERE expires_at < now() - interval '1 day' OR revoked_at < now() - interval '1 day'`,
  );
  return r.rowCount;
}

export interface ConsoleAuditEntry {
  id: number;
  at: string;
  username: string;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
}

export async function recordConsoleAudit(q: Queryable, e: { username: string; action: string; target?: string; detail?: Record<string, unknown> }): Promise<void> {
  await q.query('INSERT INTO console_audit (username, action, target, detail) VALUES ($1, $2, $3, $4)', [
    e.username, e.action, e.target ?? null, JSON.stringify(e.detail ?? {}),
  ]);
}

export async function listConsoleAudit(q: Queryable, limit = 100): Promise<ConsoleAuditEntry[]> {
  const r = await q.query<{ id: string; at: Date | string; username: string; action: string; target: string | null; detail: Record<string, unknown> }>(
    'SELECT * FROM console_audit ORDER BY id DESC LIMIT $1',
    [limit],
  );
  return r.rows.map((row) => ({ id: Number(row.id), at: iso(row.at) as string, username: row.username, action: row.action, target: row.target, detail: row.detail }));
}
