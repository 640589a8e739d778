import type { RuleCriterion } from './scorecard.js';
import { compilePhraseSet, normalizeText, type PhraseMatcher, type PhraseSet } from './text-match.js';
import type { PreparedMessage, PreparedTranscript, TranscriptRole } from './transcript.js';

/**
 * Deterministic checks: wording that must or must not appear, and response times. Each check returns the
 * indexes of the messages its verdict rests on, so a reviewer can jump straight to them.
 */

export interface Verdict {
  status: 'pass' | 'fail' | 'not_applicable';
  evidence: number[];
  note: string;
}

type Check<C extends RuleCriterion['check']> = (
  criterion: Extract<RuleCriterion, { check: C }>,
  transcript: PreparedTranscript,
) => Verdict;

const matcherCache = new WeakMap<PhraseSet, PhraseMatcher>();

/** Scorecards are loaded once and applied to many transcripts: compile each phrase set once. */
function matcherFor(set: PhraseSet): PhraseMatcher {
  let matcher = matcherCache.get(set);
  if (!matcher) {
    matcher = compilePhraseSet(set);
    matcherCache.set(set, matcher);
  }
  return matcher;
}

function rolesLabel(roles: readonly TranscriptRole[]): string {
  return roles.join('/');
}

function byRoles(transcript: PreparedTranscript, roles: readonly TranscriptRole[]): PreparedMessage[] {
  return transcript.messages.filter((m) => roles.includes(m.role));
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function quoteList(items: readonly string[]): string {
  return [...new Set(items)].map((i) => `"${i}"`).join(', ');
}

const notSpoken = (roles: readonly TranscriptRole[]): Verdict => ({
  status: 'not_applicable',
  evidence: [],
  note: `no ${rolesLabel(roles)} messages in this conversation`,
});

const mustSay: Check<'must_say'> = (criterion, transcript) => {
  const spoken = byRoles(transcript, criterion.roles);
  if (spoken.length === 0) return notSpoken(criterion.roles);
  const { from, messages: count } = criterion.window;
  const window = from === 'start' ? spoken.slice(0, count) : spoken.slice(-count);
  const matcher = matcherFor(criterion.phrases);
  for (const message of window) {
    const hit = matcher.find(message.normalized)[0];
    if (hit) return { status: 'pass', evidence: [message.index], note: `"${hit.phrase}" in message ${message.index}` };
    if (criterion.acceptAgentName && message.agent && message.normalized.includes(normalizeText(message.agent))) {
      return { status: 'pass', evidence: [message.index], note: `agent name "${message.agent}" in message ${message.index}` };
    }
  }
  const where = `${from === 'start' ? 'first' : 'last'} ${window.length} ${rolesLabel(criterion.roles)} message(s)`;
  return {
    status: 'fail',
    evidence: window.map((m) => m.index),
    note: `none of the expected wording in the ${where} (${window.map((m) => m.index).join(', ')})`,
  };
};

const disclosure: Check<'disclosure'> = (criterion, transcript) => {
  const whenMatcher = matcherFor(criterion.when);
  const triggers = transcript.messages
    .filter((m) => criterion.triggerRoles.includes(m.role))
    .map((m) => ({ message: m, hits: whenMatcher.find(m.normalized) }))
    .filter((t) => t.hits.length > 0);
  const first = triggers[0];
  if (!first) return { status: 'not_applicable', evidence: [], note: 'the topic that requires this disclosure never came up' };
  const spoken = byRoles(transcript, criterion.roles);
  if (spoken.length === 0) return notSpoken(criterion.roles);

  const requireMatcher = matcherFor(criterion.require);
  for (const message of spoken) {
    if (message.index < first.message.index) continue;
    const hit = requireMatcher.find(message.normalized)[0];
    if (hit) {
      return {
        status: 'pass',
        evidence: [first.message.index, message.index],
        note: `topic raised in message ${first.message.index}; "${hit.phrase}" disclosed in message ${message.index}`,
      };
    }
  }
  const topicWords = [...new Set(triggers.flatMap((t) => t.hits.map((h) => h.phrase)))];
  return {
    status: 'fail',
    evidence: triggers.map((t) => t.message.index),
    note: `${quoteList(topicWords)} discussed in message(s) ${triggers.map((t) => t.message.index).join(', ')} but no ` +
      `${rolesLabel(criterion.roles)} message from ${first.message.index} on has the required disclosure`,
  };
};

const forbidden: Check<'forbidden'> = (criterion, transcript) => {
  const spoken = byRoles(transcript, criterion.roles);
  if (spoken.length === 0) return notSpoken(criterion.roles);
  const matcher = matcherFor(criterion.phrases);
  const violations = spoken
    .map((m) => ({ message: m, hits: matcher.find(m.normalized, { ignoreNegated: criterion.ignoreNegated }) }))
    .filter((v) => v.hits.length > 0);
  if (violations.length === 0) {
    return {
      status: 'pass',
      evidence: spoken.map((m) => m.index),
      note: `no forbidden wording in ${spoken.length} ${rolesLabel(criterion.roles)} message(s)`,
    };
  }
  return {
    status: 'fail',
    evidence: violations.map((v) => v.message.index),
    note: violations.map((v) => `${quoteList(v.hits.map((h) => h.phrase))} in message ${v.message.index}`).join('; '),
  };
};

/**
 * The first message of the run of customer messages the reply at `index` answers, looking past messages of
 * other staff roles in between; undefined when the reply does not follow a customer message.
 */
function waitingSince(messages: readonly PreparedMessage[], index: number, isOtherStaff: (m: PreparedMessage) => boolean) {
  let i = index - 1;
  while (i >= 0 && isOtherStaff(messages[i] as PreparedMessage)) i -= 1;
  if (i < 0 || messages[i]?.role !== 'customer') return undefined;
  while (i > 0 && messages[i - 1]?.role === 'customer') i -= 1;
  return messages[i];
}

const firstResponseTime: Check<'first_response_time'> = (criterion, transcript) => {
  const { messages } = transcript;
  const roles: readonly TranscriptRole[] = criterion.roles;
  if (byRoles(transcript, roles).length === 0) return notSpoken(roles);
  const firstCustomer = messages.find((m) => m.role === 'customer');
  if (!firstCustomer) return { status: 'not_applicable', evidence: [], note: 'the customer never wrote' };
  const reply = messages.find((m) => m.index > firstCustomer.index && roles.includes(m.role));
  if (!reply) {
    return {
      status: 'fail',
      evidence: [firstCustomer.index],
      note: `no ${rolesLabel(roles)} reply after the customer's message ${firstCustomer.index}`,
    };
  }
  // Staff of other roles in between (the bot announcing a handoff) do not stop the clock for this role.
  const since = waitingSince(messages, reply.index, (m) => m.role !== 'customer' && !roles.includes(m.role)) ?? firstCustomer;
  if (since.atMs === undefined || reply.atMs === undefined) {
    return { status: 'not_applicable', evidence: [since.index, reply.index], note: 'messages have no `at` times' };
  }
  const waited = reply.atMs - since.atMs;
  const limit = criterion.maxSeconds * 1000;
  return {
    status: waited <= limit ? 'pass' : 'fail',
    evidence: [since.index, reply.index],
    note: `first ${rolesLabel(roles)} reply after ${seconds(waited)} (limit ${seconds(limit)}), messages ${since.index}→${reply.index}`,
  };
};

const replyTime: Check<'reply_time'> = (criterion, transcript) => {
  const { messages } = transcript;
  const roles: readonly TranscriptRole[] = criterion.roles;
  if (byRoles(transcript, roles).length === 0) return notSpoken(roles);
  const limit = criterion.maxSeconds * 1000;
  const measured: { from: PreparedMessage; to: PreparedMessage; waited: number }[] = [];
  for (let i = 0; i < messages.length; i += 1) {
    const start = messages[i] as PreparedMessage;
    if (start.role !== 'customer' || messages[i - 1]?.role === 'customer') continue;
    let end = i;
    while (messages[end + 1]?.role === 'customer') end += 1;
    const reply = messages[end + 1];
    // A run answered by another role (or never answered, at the end of the chat) says nothing about these roles.
    if (!reply || !roles.includes(reply.role) || start.atMs === undefined || reply.atMs === undefined) continue;
    measured.push({ from: start, to: reply, waited: reply.atMs - start.atMs });
  }
  if (measured.length === 0) {
    return { status: 'not_applicable', evidence: [], note: `no timed customer → ${rolesLabel(roles)} replies to measure` };
  }
  const breaches = measured.filter((m) => m.waited > limit);
  const slowest = measured.reduce((a, b) => (b.waited > a.waited ? b : a));
  const summary = `slowest ${rolesLabel(roles)} reply ${seconds(slowest.waited)} (messages ${slowest.from.index}→${slowest.to.index}), ` +
    `limit ${seconds(limit)}; ${breaches.length} of ${measured.length} replies over the limit`;
  const failed = breaches.length > criterion.allowedBreaches;
  return {
    status: failed ? 'fail' : 'pass',
    evidence: (failed ? breaches : measured).flatMap((m) => [m.from.index, m.to.index]),
    note: summary,
  };
};

export function checkRule(criterion: RuleCriterion, transcript: PreparedTranscript): Verdict {
  switch (criterion.check) {
    case 'must_say':
      return mustSay(criterion, transcript);
    case 'disclosure':
      return disclosure(criterion, transcript);
    case 'forbidden':
      return forbidden(criterion, transcript);
    case 'first_response_time':
      return firstResponseTime(criterion, transcript);
    case 'reply_time':
      return replyTime(criterion, transcript);
  }
}
