/*
 * kefu chat widget: one tag on any page renders a chat bubble that talks to the kefu REST channel.
 *
 *   <script src="https://kefu.example.com/widget.js" data-kefu-url="https://kefu.example.com" async></script>
 *
 * Optional attributes: data-kefu-lang="zh|en" (default: the browser's language), data-kefu-title.
 * The conversation and customer ids live in localStorage, so a visitor finds their conversation after a reload.
 * Messages are sent with a client-made id, so a retried send is stored once; replies arrive over server-sent events.
 */
(() => {
  const script = document.currentScript;
  if (!script || window.__kefuWidget) return;
  window.__kefuWidget = true;

  const base = (script.dataset.kefuUrl || new URL(script.src, location.href).origin).replace(/\/+$/, '');
  const lang = script.dataset.kefuLang || ((navigator.language || '').toLowerCase().startsWith('zh') ? 'zh' : 'en');
  const T = {
    zh: { title: '在线客服', open: '打开客服对话', close: '关闭', placeholder: '请输入您的问题…', send: '发送', greeting: '您好！请问有什么可以帮您？',
      failed: '发送失败，请稍后重试。', sources: '参考来源', you: '我', bot: '客服', agent: '人工客服' },
    en: { title: 'Customer service', open: 'Open chat', close: 'Close', placeholder: 'Type your question…', send: 'Send', greeting: 'Hi! How can we help you today?',
      failed: 'Could not send; please try again.', sources: 'Sources', you: 'You', bot: 'Assistant', agent: 'Agent' },
  }[lang === 'zh' ? 'zh' : 'en'];

  const newId = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`);
  const storeKey = (k) => `kefu:${base}:${k}`;
  const remember = (k, make) => {
    let v = null;
    try { v = localStorage.getItem(storeKey(k)); } catch { /* storage blocked: the conversation lasts for this page only */ }
    if (!v) {
      v = make();
      try { localStorage.setItem(storeKey(k), v); } catch { /* idem */ }
    }
    return v;
  };
  const customerId = remember('customer', () => `web-${newId()}`);
  const conversationId = remember('conversation', () => `w-${newId()}`);
  const endpoint = `${base}/v1/conversations/${encodeURIComponent(conversationId)}`;

  const CSS = `
    :host { all: initial; position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; font: 14px/1.45 system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; color: #1d2330; }
    .bubble { width: 56px; height: 56px; border-radius: 50%; border: 0; background: #2563eb; color: #fff; display: grid; place-items: center; cursor: pointer; box-shadow: 0 6px 18px rgba(0,0,0,.2); }
    .panel { position: absolute; right: 0; bottom: 70px; width: min(360px, calc(100vw - 40px)); height: min(520px, calc(100vh - 110px)); background: #fff; border-radius: 12px; box-shadow: 0 12px 32px rgba(0,0,0,.22); display: flex; flex-direction: column; overflow: hidden; }
    .panel[hidden] { display: none; }
    header { display: flex; align-items: center; justify-content: space-between; padding: 12px 14px; background: #2563eb; color: #fff; font-weight: 600; }
    header button { background: none; border: 0; color: #fff; font-size: 20px; cursor: pointer; }
    .log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 8px; background: #f8fafc; }
    .msg { max-width: 85%; padding: 8px 11px; border-radius: 12px; white-space: pre-wrap; word-wrap: break-word; background: #fff; border: 1px solid #e5e7eb; align-self: flex-start; }
    .msg.customer { align-self: flex-end; background: #2563eb; color: #fff; border-color: #2563eb; }
    .msg.pending { opacity: .6; }
    .msg.agent { border-color: #16a34a; }
    .msg.system { align-self: center; background: none; border: 0; color: #6b7280; font-size: 12px; }
    .msg .who { display: block; font-size: 11px; opacity: .7; margin-bottom: 2px; }
    .sources { margin: 6px 0 0; padding-left: 16px; font-size: 12px; color: #4b5563; }
    .error { color: #dc2626; font-size: 12px; align-self: center; }
    form { display: flex; gap: 6px; padding: 10px; border-top: 1px solid #e5e7eb; }
    textarea { flex: 1; resize: none; height: 38px; font: inherit; padding: 8px; border: 1px solid #d1d5db; border-radius: 8px; }
    form button { border: 0; border-radius: 8px; background: #2563eb; color: #fff; padding: 0 14px; cursor: pointer; font: inherit; }
  `;

  const host = document.createElement('div');
  host.id = 'kefu-widget';
  const root = host.attachShadow({ mode: 'open' });
  // A constructed sheet is not inline style, so the widget also works on pages with a strict Content-Security-Policy.
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } else {
    const style = document.createElement('style');
    style.textContent = CSS;
    root.append(style);
  }

  const el = (tag, props = {}, ...children) => {
    const e = document.createElement(tag);
    Object.assign(e, props);
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  };

  const log = el('div', { className: 'log' });
  log.setAttribute('role', 'log');
  log.setAttribute('aria-live', 'polite');
  const input = el('textarea', { placeholder: T.placeholder, rows: 1 });
  input.setAttribute('aria-label', T.placeholder);
  const form = el('form', {}, input, el('button', { type: 'submit', textContent: T.send }));
  const closeBtn = el('button', { type: 'button', textContent: '×', title: T.close });
  closeBtn.setAttribute('aria-label', T.close);
  const panel = el('div', { className: 'panel', hidden: true }, el('header', {}, el('span', { textContent: script.dataset.kefuTitle || T.title }), closeBtn), log, form);
  panel.setAttribute('role', 'dialog');
  const bubble = el('button', { className: 'bubble', type: 'button', title: T.open });
  // An SVG icon, not an emoji: it looks the same whatever fonts the visitor's system has.
  const icon = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  icon.setAttribute('viewBox', '0 0 24 24');
  icon.setAttribute('width', '26');
  icon.setAttribute('height', '26');
  icon.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z');
  path.setAttribute('fill', 'currentColor');
  icon.append(path);
  bubble.append(icon);
  bubble.setAttribute('aria-label', T.open);
  root.append(panel, bubble);
  (document.body || document.documentElement).append(host);

  const shown = new Set();
  const pending = [];
  const scroll = () => { log.scrollTop = log.scrollHeight; };

  function bubbleFor(role, text, citations) {
    const who = role === 'customer' ? T.you : role === 'agent' ? T.agent : role === 'system' ? '' : T.bot;
    const m = el('div', { className: `msg ${role}` }, who ? el('span', { className: 'who', textContent: who }) : null, document.createTextNode(text));
    if (citations && citations.length) {
      m.append(el('div', { className: 'who', textContent: T.sources }), el('ol', { className: 'sources' },
        ...citations.map((c) => el('li', { textContent: c.section ? `${c.title} · ${c.section}` : c.title }))));
    }
    return m;
  }

  function onMessage(m) {
    if (shown.has(m.id)) return;
    shown.add(m.id);
    if (m.role === 'customer') {
      // Our own message, echoed by the server: it replaces the greyed-out copy shown when it was sent.
      const i = pending.findIndex((p) => p.text === m.text);
      if (i >= 0) {
        const [p] = pending.splice(i, 1);
        p.node.replaceWith(bubbleFor('customer', m.text));
        return;
      }
    }
    log.append(bubbleFor(m.role, m.text, m.citations));
    scroll();
  }

  let events = null;
  function connect() {
    if (events) return;
    // From the beginning on every page load, so the visitor sees the whole conversation again.
    events = new EventSource(`${endpoint}/events`);
    events.addEventListener('message', (e) => {
      try { onMessage(JSON.parse(e.data)); } catch { /* a malformed event is skipped */ }
    });
  }

  async function send(text) {
    const messageId = newId();
    const node = bubbleFor('customer', text);
    node.classList.add('pending');
    log.append(node);
    pending.push({ text, node });
    scroll();
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const res = await fetch(`${endpoint}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ customerId, text, messageId }),
        });
        if (res.ok) return;
        if (res.status < 500 && res.status !== 429) break;
      } catch { /* network error: retry with the same message id */ }
      await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
    }
    node.classList.remove('pending');
    log.append(el('div', { className: 'error', textContent: T.failed }));
    scroll();
  }

  function open() {
    panel.hidden = false;
    if (!shown.has('greeting')) {
      shown.add('greeting');
      log.prepend(bubbleFor('bot', T.greeting));
    }
    connect();
    input.focus();
  }
  bubble.addEventListener('click', () => (panel.hidden ? open() : (panel.hidden = true)));
  closeBtn.addEventListener('click', () => { panel.hidden = true; });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    send(text);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
})();
