// The local agent inbox: polls the JSON API under /inbox/api and renders cards and threads. No framework, no build.
// Agents act as who they are signed in to the console as: the session cookie, plus its CSRF token on every change.
(() => {
  const $ = (sel) => document.querySelector(sel);
  const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const mins = (ms) => `${Math.max(1, Math.round(ms / 60000))} min`;
  let session = null;
  const agent = () => session?.user.name ?? '';
  const signInLink = () => `<a href="/console/login.html?next=${encodeURIComponent('/inbox' + location.search)}">sign in</a>`;

  async function loadSession() {
    const res = await fetch('/console/api/session', { credentials: 'same-origin' });
    session = res.ok ? await res.json() : null;
    $('#who').innerHTML = session ? `${esc(session.user.name)} · ${esc(session.user.role)}` : `Not signed in: ${signInLink()} to act`;
  }

  let selected = new URLSearchParams(location.search).get('h');
  let threadAfter = 0;
  let thread = [];
  let queueNames = [];
  let current = null;
  let lastDetailKey = '';

  function toast(text) {
    const t = $('#toast');
    t.textContent = text;
    t.style.display = 'block';
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => (t.style.display = 'none'), 3500);
  }

  async function api(path, body) {
    const res = await fetch(`/inbox/api${path}`, body === undefined ? { credentials: 'same-origin' } : {
      method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', 'x-csrf-token': session?.csrfToken ?? '' }, body: JSON.stringify(body),
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data.message || data.error?.message || res.statusText);
    return data;
  }
  async function act(path, body) {
    if (!session) { toast('Sign in to the console first (top right).'); return false; }
    try { await api(path, body); await refresh(); return true; } catch (err) { toast(err.message); return false; }
  }

  function renderQueues(o) {
    queueNames = o.queueNames;
    $('#queues').innerHTML = o.queues.map((q) => `<span>${esc(q.name)}: ${q.waiting} waiting${q.oldestWaitMs != null ? ` (longest ${mins(q.oldestWaitMs)})` : ''} · ${q.claimed} with agents</span>`).join('')
      + (o.mine.length ? `<span>mine: ${o.mine.length}</span>` : '');
  }

  // Callback requests (e.g. trade-in leads) sit above the handoffs: nobody claims them here, a specialist calls back.
  let leads = [];
  const leadItems = () => leads.map((l) => `<div class="item lead">
      <div class="top"><span class="who">📞 ${esc(l.kind.replace(/_/g, '-'))} callback · ${esc(l.customerId)}</span><span class="badge queue">${esc(l.queue)}</span></div>
      <div class="sum">${esc(l.channel)} · ${new Date(l.createdAt).toLocaleString()} · ${esc(l.text)}</div>
    </div>`).join('');

  function renderList(handoffs) {
    $('#list').innerHTML = leadItems() + handoffs.map((h) => {
      const c = h.card;
      const who = c ? (c.customer.name || c.customer.id) : h.conversationKey;
      const alert = h.alertLevel ? `<span class="badge ${h.alertLevel}">${h.alertLevel === 'supervisor' ? 'escalated' : 'alert'}</span>` : '';
      return `<div class="item ${h.id === selected ? 'selected' : ''}" data-id="${esc(h.id)}">
        <div class="top"><span class="who">${esc(who)}</span><span><span class="badge ${h.status}">${esc(h.status.replace('_', ' '))}</span> ${alert}</span></div>
        <div class="sum">${esc(h.queue)} · ${h.agentName ? `${esc(h.agentName)} · ` : ''}${esc(c ? c.summary || c.reason : h.reason)}</div>
      </div>`;
    }).join('') || '<div class="item"><div class="sum">No handoffs yet. Ask the bot for a person ("人工" / "agent").</div></div>';
    for (const el of document.querySelectorAll('.item[data-id]')) el.onclick = () => select(el.dataset.id);
  }

  function select(id) {
    selected = id;
    threadAfter = 0;
    thread = [];
    lastDetailKey = '';
    history.replaceState(null, '', `?h=${encodeURIComponent(id)}`);
    void refresh();
  }

  function renderCard(d) {
    const h = d.handoff;
    const c = d.card;
    const open = h.status === 'waiting' || h.status === 'claimed';
    const mine = h.agentName && agent() && h.agentName.toLowerCase() === agent().toLowerCase();
    const fields = c ? [
      ['Customer', c.customer.name || c.customer.id], ['Channel', c.channel], ['Language', c.language === 'zh' ? '中文' : 'English'],
      ['Intent', c.intent || '—'], ['Reason', c.reason], ['Priority', c.priority > 0 ? `P${c.priority}` : 'normal'],
      ['Queue', h.queue], ['Status', h.status.replace('_', ' ') + (h.agentName ? ` · ${h.agentName}` : '')], ['Waiting since', new Date(c.waitingSince).toLocaleTimeString()],
    ] : [['Conversation', h.conversationKey], ['Status', h.status]];
    const last = c && c.lastMessages.length ? `<div class="summary">${c.lastMessages.map((m) => `<div>${m.role === 'customer' ? '👤' : m.role === 'bot' ? '🤖' : '🎧'} ${esc(m.text)}</div>`).join('')}</div>` : '';
    return `<div class="card">
      <h2>${esc(c ? (c.customer.name || c.customer.id) : h.conversationKey)} ${d.alertLevel ? `<span class="badge ${d.alertLevel}">${d.alertLevel === 'supervisor' ? 'escalated to supervisor' : 'unclaimed alert'}</span>` : ''}</h2>
      <div class="fields">${fields.map(([k, v]) => `<div><b>${esc(k)}</b>${esc(v)}</div>`).join('')}</div>
      ${c && c.summary ? `<div class="summary"><b>Summary</b><br>${esc(c.summary)}</div>` : ''}
      ${last}
      ${c && c.riskFlags.length ? `<div class="risk">⚠ Risk: ${c.riskFlags.map(esc).join(', ')}</div>` : ''}
      ${open ? `<div class="actions">
        ${h.status === 'waiting' ? '<button class="primary" id="claim">Claim</button>' : ''}
        <select id="tq"><option value="">Transfer to queue…</option>${queueNames.filter((q) => q !== h.queue).map((q) => `<option>${esc(q)}</option>`).join('')}</select>
        <input id="ta" placeholder="…or to agent" size="12"><button id="transfer">Transfer</button>
        <button class="danger" id="resolve">Resolve</button>
        ${h.status === 'claimed' && !mine ? `<span class="badge">claimed by ${esc(h.agentName)}</span>` : ''}
      </div>` : ''}
    </div>`;
  }

  function renderThread() {
    const open = current && current.handoff.status === 'claimed';
    $('#thread').innerHTML = thread.map((e) => {
      const time = new Date(e.createdAt).toLocaleTimeString();
      if (e.kind === 'suggestion') {
        const cites = (e.payload?.citations || []).map((c) => `[${c.index}] ${esc(c.title)}`).join(' ');
        return `<div class="msg suggestion"><div class="meta">💡 Suggested reply (agents only) · ${time}</div><div class="text">${esc(e.text)}</div>${cites ? `<div class="cites">${cites}</div>` : ''}`
          + `${open ? `<div><button class="primary" data-suggestion="${esc(e.payload?.suggestionId)}">Send this reply</button></div>` : ''}</div>`;
      }
      const who = e.kind === 'customer' ? `👤 ${esc(e.author || 'customer')}` : e.kind === 'agent' ? `🎧 ${esc(e.author)}` : e.kind === 'agent_sent' ? `↪ sent by ${esc(e.author)}` : '';
      const mention = e.kind === 'reminder' && e.payload?.mention ? `@${esc(e.payload.mention.name)} ` : '';
      return `<div class="msg ${esc(e.kind)}">${who ? `<div class="meta">${who} · ${time}</div>` : ''}<div class="text">${mention}${esc(e.text)}</div></div>`;
    }).join('');
    for (const b of document.querySelectorAll('[data-suggestion]')) {
      b.onclick = () => act(`/handoffs/${encodeURIComponent(selected)}/suggestions/${encodeURIComponent(b.dataset.suggestion)}/send`, {});
    }
  }

  function renderDetail(d) {
    const keepDraft = $('#draft')?.value ?? '';
    current = d;
    $('#detail').innerHTML = `${renderCard(d)}<div id="thread"></div>
      <div id="composer"><textarea id="draft" placeholder="${d.handoff.status === 'claimed' ? 'Reply to the customer (Enter to send)' : 'Claim the conversation to reply'}"></textarea><button class="primary" id="send">Send</button></div>`;
    $('#draft').value = keepDraft;
    renderThread();
    const id = encodeURIComponent(selected);
    $('#claim') && ($('#claim').onclick = () => act(`/handoffs/${id}/claim`, {}));
    $('#resolve') && ($('#resolve').onclick = () => confirm('Resolve and close this conversation?') && act(`/handoffs/${id}/resolve`, {}));
    $('#transfer') && ($('#transfer').onclick = () => {
      const queue = $('#tq').value;
      const toAgent = $('#ta').value.trim();
      if (!queue && !toAgent) return toast('Pick a queue or type an agent name.');
      return act(`/handoffs/${id}/transfer`, queue ? { queue } : { toAgent });
    });
    const send = async () => {
      const text = $('#draft').value.trim();
      if (!text) return;
      if (await act(`/handoffs/${id}/messages`, { text, clientId: crypto.randomUUID() })) $('#draft').value = '';
    };
    $('#send').onclick = send;
    $('#draft').onkeydown = (e) => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); void send(); } };
    const t = $('#thread');
    t.scrollTop = t.scrollHeight;
  }

  async function refresh() {
    try {
      const [overview, list, open] = await Promise.all([api('/overview'), api('/handoffs'), api('/leads')]);
      leads = open.leads;
      renderQueues(overview);
      if (!selected && list.handoffs[0]) selected = list.handoffs[0].id;
      renderList(list.handoffs);
      if (!selected) return;
      const d = await api(`/handoffs/${encodeURIComponent(selected)}?after=${threadAfter}`);
      if (d.thread.length) { thread = thread.concat(d.thread); threadAfter = d.thread[d.thread.length - 1].id; }
      const key = JSON.stringify([d.handoff, d.card, d.alertLevel]);
      if (key !== lastDetailKey || !$('#thread')) { lastDetailKey = key; renderDetail(d); }
      else if (d.thread.length) { renderThread(); const t = $('#thread'); t.scrollTop = t.scrollHeight; }
    } catch (err) {
      toast(`Inbox: ${err.message}`);
    }
  }
  void loadSession().catch(() => undefined).then(refresh);
  setInterval(refresh, 1500);
})();
