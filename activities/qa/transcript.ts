import type { Criterion } from '../../analysis/qa/scorecard.js';
import type { Finding } from '../../analysis/qa/score.js';
import type { Transcript } from '../../analysis/qa/transcript.js';
import type { Language } from '../../core/domain.js';
import type { CloseMessage } from '../../core/store/index.js';

/**
 * A close's stored messages as the QA scorer reads them, plus what maps its answers back to the database: the
 * message id behind each transcript index, and who (bot or which agent) wrote it.
 */
export interface QaTranscript {
  transcript: Transcript;
  /** messageIds[i] is the stored id of transcript.messages[i]. */
  messageIds: string[];
  /** actorOf[i]: 'bot', 'agent:<id>' or null for the customer. */
  actorOf: (string | null)[];
  /** Everyone staff who spoke, in order of first message: 'bot' and 'agent:<id>'. */
  actors: string[];
  agentNames: Record<string, string>;
  /** Knowledge-base excerpts the bot cited: what its answers are judged against for accuracy. */
  knowledge: string[];
}

export const BOT_ACTOR = 'bot';
/** An agent message whose desk recorded no agent id still belongs to a person, just not a known one. */
export const UNKNOWN_AGENT = 'unknown';
export const agentActor = (id: string) => `agent:${id}`;

export function buildQaTranscript(channel: string, language: Language | null, stored: readonly CloseMessage[]): QaTranscript {
  const messages: Transcript['messages'] = [];
  const messageIds: string[] = [];
  const actorOf: (string | null)[] = [];
  const actors: string[] = [];
  const agentNames: Record<string, string> = {};
  const knowledge = new Set<string>();

  for (const m of stored) {
    // System notices (queue position, handoff announcements) are the platform talking, not the bot or an agent.
    if (m.role === 'system') continue;
    const agentId = m.role === 'agent' ? (m.agentId ?? UNKNOWN_AGENT) : undefined;
    const actor = m.role === 'bot' ? BOT_ACTOR : agentId !== undefined ? agentActor(agentId) : null;
    const agentName = m.role === 'agent' ? (m.agentName ?? undefined) : undefined;
    messages.push({ role: m.role, text: m.text, at: m.createdAt, ...(agentName ? { agent: agentName } : {}) });
    messageIds.push(m.id);
    actorOf.push(actor);
    if (actor && !actors.includes(actor)) actors.push(actor);
    if (agentId !== undefined && agentName) agentNames[agentId] = agentName;
    for (const c of m.role === 'bot' ? (m.citations ?? []) : []) {
      const excerpt = [c.title, c.section, c.snippet].filter((part): part is string => Boolean(part?.trim())).join(' — ');
      if (c.snippet?.trim()) knowledge.add(excerpt);
    }
  }
  return {
    transcript: { channel, ...(language ? { language } : {}), messages },
    messageIds,
    actorOf,
    actors,
    agentNames,
    knowledge: [...knowledge],
  };
}

/**
 * Whom a finding is about. The staff messages it cites decide; a finding citing only customer messages (no reply
 * at all) falls on every participant of the criterion's roles, so "nobody answered" still lands on someone.
 */
export function findingActors(finding: Pick<Finding, 'evidence'>, criterion: Pick<Criterion, 'roles'>, qt: QaTranscript): string[] {
  const roles: readonly string[] = criterion.roles;
  const cited = [...new Set(finding.evidence.map((i) => qt.actorOf[i]).filter((a): a is string => a !== null && a !== undefined))]
    .filter((a) => roles.includes(a === BOT_ACTOR ? 'bot' : 'agent'));
  if (cited.length > 0) return cited;
  return qt.actors.filter((a) => roles.includes(a === BOT_ACTOR ? 'bot' : 'agent'));
}
