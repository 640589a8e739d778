/** Slack mrkdwn ↔ plain text at the edge between agents (Slack) and customers (any channel). */

/** Escapes text for mrkdwn: customer text must not ping @channel or fake links. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An agent's Slack message as the customer should read it: links and mentions resolved, entities decoded. */
export function slackToPlain(text: string, names: (userId: string) => string | undefined = () => undefined): string {
  return text
    .replace(/<@([A-Z0-9]+)(?:\|([^>]+))?>/g, (_m, id: string, label?: string) => `@${label ?? names(id) ?? id}`)
    .replace(/<#[A-Z0-9]+\|([^>]+)>/g, '#$1')
    .replace(/<!(here|channel|everyone)>/g, '@$1')
    .replace(/<!subteam\^[A-Z0-9]+\|([^>]+)>/g, '$1')
    .replace(/<(mailto:)?([^|>]+)\|([^>]+)>/g, (_m, _mail: string | undefined, url: string, label: string) => (label === url ? url : `${label} (${url})`))
    .replace(/<(?:mailto:)?([^>]+)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim();
}

export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** An agent's note to colleagues in the thread, never relayed to the customer. */
export const isInternalNote = (text: string): boolean => /^\s*(\/\/|\(note\)|note:)/i.test(text);
