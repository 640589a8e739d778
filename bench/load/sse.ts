import { sleep } from './retry.js';

export interface SseMessage {
  id: string;
  role: string;
  text: string;
}

/**
 * Follows a conversation's event stream like the chat widget's EventSource does: on a dropped connection (gateway
 * restart) it reconnects with `Last-Event-ID`, so nothing is missed and nothing is replayed.
 */
export function followEvents(url: string, onMessage: (m: SseMessage) => void, deadline: number): { close(): void } {
  let closed = false;
  let lastEventId = '0';
  let controller: AbortController | undefined;

  async function once(): Promise<void> {
    controller = new AbortController();
    const res = await fetch(url, { headers: { accept: 'text/event-stream', 'last-event-id': lastEventId }, signal: controller.signal });
    if (!res.ok || !res.body) throw new Error(`event stream answered ${res.status}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let id: string | undefined;
        let data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith('id: ')) id = line.slice(4);
          else if (line.startsWith('data: ')) data += line.slice(6);
        }
        if (id) lastEventId = id;
        if (data) onMessage(JSON.parse(data) as SseMessage);
      }
    }
  }

  void (async () => {
    while (!closed && Date.now() < deadline) {
      try {
        await once();
      } catch {
        // dropped or refused: the gateway is restarting; reconnect below
      }
      if (!closed) await sleep(250);
    }
  })();

  return {
    close() {
      closed = true;
      controller?.abort();
    },
  };
}
