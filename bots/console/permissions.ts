import type { ConsoleRole } from '../../core/store/console.js';

export interface Permission {
  /** The least console role (agent < supervisor < admin; each role may do what the roles before it may). */
  role: ConsoleRole;
  /**
   * Whether the service credential (INBOX_TOKEN as a bearer token) may do it too; the actor recorded is then
   * `service`, never a name from the request. What a person says or owns (claiming, replying, taking over,
   * disputing) and judgements (deciding a dispute, labelling a false positive, which feeds the risk rules'
   * labelled set) always need a signed-in person.
   */
  service: boolean;
  /** For error messages: "<what> needs the supervisor role". */
  what: string;
}

/**
 * Who may do what, in one place: every change the gateway accepts from people or services (channel webhooks aside,
 * which have their own authentication), and the reads behind the console and the inbox. docs/DEPLOYMENT.md has the
 * same table for operators; test/console-permissions.test.ts checks each route against it.
 */
export const PERMISSIONS = {
  // Reading
  'team.read': { role: 'agent', service: true, what: 'reading conversations, the inbox, QA results and risk escalations' },
  'console.overview': { role: 'supervisor', service: false, what: 'the overview' },
  'console.admin': { role: 'admin', service: false, what: 'sessions and the console audit trail' },
  // The agent desk (local inbox)
  'handoff.claim': { role: 'agent', service: false, what: 'claiming a handoff' },
  'handoff.reply': { role: 'agent', service: false, what: 'replying to a customer' },
  'handoff.send_suggestion': { role: 'agent', service: false, what: 'sending a suggested reply' },
  'handoff.transfer': { role: 'agent', service: true, what: 'transferring a handoff' },
  'handoff.resolve': { role: 'agent', service: true, what: 'resolving a handoff' },
  // QA: the QA service also lets an agent dispute only a finding about their own messages (or about the bot alone).
  'qa.dispute.open': { role: 'agent', service: false, what: 'disputing a QA finding' },
  'qa.dispute.decide': { role: 'supervisor', service: false, what: 'deciding a QA dispute' },
  // Risk escalations
  'risk.acknowledge': { role: 'agent', service: true, what: 'acknowledging a risk alert' },
  'risk.take_over': { role: 'agent', service: false, what: 'taking over a risky conversation' },
  'risk.false_positive': { role: 'supervisor', service: false, what: 'marking a risk alert as a false positive' },
  // Conversations and the console itself
  'conversation.close': { role: 'supervisor', service: false, what: 'closing a conversation' },
  'session.revoke': { role: 'admin', service: false, what: 'revoking a console session' },
} as const satisfies Record<string, Permission>;

export type Action = keyof typeof PERMISSIONS;

export const ROLES: readonly ConsoleRole[] = ['agent', 'supervisor', 'admin'];

/** Each role can do what the roles before it can. */
export const roleAtLeast = (role: ConsoleRole, needed: ConsoleRole) => ROLES.indexOf(role) >= ROLES.indexOf(needed);

export const allowed = (role: ConsoleRole, action: Action) => roleAtLeast(role, PERMISSIONS[action].role);
