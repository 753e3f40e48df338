// Roster console: plain JavaScript, no framework, no build step.
// Every string from the node goes into the DOM through textContent / attributes, never innerHTML.
'use strict';

(() => {
  const REFRESH_MS = 1000;
  const TIMEOUT_MS = 2500;
  const WRITE_TIMEOUT_MS = 6000; // a write is answered within election timeout + 1 s, plus a redirect
  const PAGE_SIZE = 50;
  const DEBOUNCE_MS = 200;
  const HOME = ''; // the node the page came from: same-origin, relative URLs
  const SVG_NS = 'http://www.w3.org/2000/svg';

  const $ = (id) => document.getElementById(id);

  // ---------------------------------------------------------------- DOM helpers

  /** el('td', {class: 'num', 'data-x': 1}, 'text', childNode, ...) */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === null || v === undefined || v === false) continue;
        e.setAttribute(k, v === true ? '' : String(v));
      }
    }
    for (const c of children) append(e, c);
    return e;
  }

  function append(parent, c) {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) {
      for (const x of c) append(parent, x);
    } else if (c instanceof Node) {
      parent.appendChild(c);
    } else {
      parent.appendChild(document.createTextNode(String(c)));
    }
  }

  function svg(tag, attrs, ...children) {
    const e = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    for (const c of children) append(e, c);
    return e;
  }

  function setText(id, text) {
    const e = typeof id === 'string' ? $(id) : id;
    const t = text === null || text === undefined ? '' : String(text);
    if (e.textContent !== t) e.textContent = t;
  }

  /**
   * Brings a table body to the given freshly built rows (each with a unique data-key), touching
   * only what changed: a row whose key is already there is kept, its attributes are updated and
   * only its changed cells are replaced. So rows and buttons stay the same elements across
   * refreshes (focus, text selection, hover and element handles survive), and an unchanged table
   * costs no DOM write at all. Age texts are left to updateAges().
   */
  function patchRows(tbody, rows) {
    const active = document.activeElement;
    const focus = active && tbody.contains(active) && active.closest('tr')
      ? { key: active.closest('tr').getAttribute('data-key'), action: active.getAttribute('data-action') }
      : null;
    const old = new Map();
    for (const tr of Array.from(tbody.rows)) old.set(tr.getAttribute('data-key'), tr);
    let pos = tbody.firstElementChild;
    const keep = new Set();
    for (const fresh of rows) {
      const key = fresh.getAttribute('data-key');
      let tr = old.get(key);
      if (tr && !keep.has(tr) && tr.cells.length === fresh.cells.length) {
        syncAttributes(tr, fresh);
        const cells = Array.from(fresh.cells);
        cells.forEach((cell, i) => {
          const cur = tr.cells[i];
          const sig = cell.outerHTML; // age cells are built with empty age text: stable
          if (cur._sig !== sig) {
            cell._sig = sig;
            tr.replaceChild(cell, cur);
          }
        });
      } else {
        for (const cell of fresh.cells) cell._sig = cell.outerHTML;
        tr = fresh;
      }
      keep.add(tr);
      if (tr === pos) pos = pos.nextElementSibling;
      else tbody.insertBefore(tr, pos);
    }
    while (pos) {
      const next = pos.nextElementSibling;
      pos.remove();
      pos = next;
    }
    if (focus && !tbody.contains(document.activeElement)) {
      for (const tr of tbody.rows) {
        if (tr.getAttribute('data-key') !== focus.key) continue;
        const target = focus.action ? tr.querySelector(`[data-action="${CSS.escape(focus.action)}"]`) : tr.querySelector('a, button');
        if (target) target.focus();
        break;
      }
    }
  }

  function syncAttributes(target, source) {
    for (const a of Array.from(target.attributes)) {
      if (!source.hasAttribute(a.name)) target.removeAttribute(a.name);
    }
    for (const a of Array.from(source.attributes)) {
      if (target.getAttribute(a.name) !== a.value) target.setAttribute(a.name, a.value);
    }
  }

  // ---------------------------------------------------------------- time

  const nsToMs = (ns) => (typeof ns === 'number' && ns > 0 ? ns / 1e6 : null);
  const pad = (n, w = 2) => String(n).padStart(w, '0');

  function localTime(ms) {
    if (ms === null) return '—';
    const d = new Date(ms);
    const now = new Date();
    const hms = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    if (d.toDateString() === now.toDateString()) return hms;
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hms}`;
  }

  function fullTime(ms) {
    if (ms === null) return '';
    const d = new Date(ms);
    const off = -d.getTimezoneOffset();
    const sign = off >= 0 ? '+' : '-';
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
      `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)} ` +
      `${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  }

  /** 12 s, 3 min 5 s, 2 h 4 min, 3 d 2 h */
  function duration(ms) {
    if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
    const s = Math.floor(ms / 1000);
    if (s < 60) return `${s} s`;
    const m = Math.floor(s / 60);
    if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
    const h = Math.floor(m / 60);
    if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
    const d = Math.floor(h / 24);
    return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
  }

  function ago(ms) {
    if (ms < 1000) return ms < -1000 ? `in ${duration(-ms)}` : 'now';
    return `${duration(ms)} ago`;
  }

  /**
   * A cell showing the age of a timestamp. Its text is refreshed by updateAges(); `clock` names the
   * reference clock ('local', or a view whose answers carry the node's `now`).
   */
  function ageCell(ns, clock, extraClass) {
    const ms = nsToMs(ns);
    const td = el('td', { class: extraClass ? `age ${extraClass}` : 'age', title: fullTime(ms) });
    if (ms === null) {
      td.textContent = '—';
      return td;
    }
    td.dataset.tsMs = String(ms);
    td.dataset.clock = clock;
    const age = el('span', { class: 'rel' });
    const abs = el('span', { class: 'abs' }, localTime(ms));
    td.append(age, ' ', abs);
    return td;
  }

  /** Clock offsets (node clock - browser clock, ms) learnt from answers that carry `now`. */
  const clocks = { local: 0 };
  const clockNow = (name) => Date.now() + (clocks[name] || 0);

  function updateAges(root) {
    for (const td of root.querySelectorAll('td[data-ts-ms]')) {
      const age = clockNow(td.dataset.clock) - Number(td.dataset.tsMs);
      const rel = td.firstChild;
      const t = ago(age);
      if (rel.textContent !== t) rel.textContent = t;
      if (td.dataset.expireMs) {
        const expire = Number(td.dataset.expireMs);
        td.classList.toggle('amber', age > (expire * 2) / 3);
        td.classList.toggle('expired', age > expire);
      }
    }
  }

  const fmtInt = (n) => (typeof n === 'number' ? n.toLocaleString('en-US') : '—');
  const hostOf = (url) => {
    try {
      return new URL(url, location.href).host;
    } catch (e) {
      return String(url);
    }
  };

  // ---------------------------------------------------------------- connection

  /**
   * Where the data comes from. The page reads from its own node (HOME) and, while that does not
   * answer, from another member learnt from /cluster/members; it goes back home as soon as home
   * answers again.
   */
  const conn = {
    current: HOME,
    homeHttp: null, // home's advertised URL, as it reports itself in /cluster/members
    members: new Map(), // raft id -> advertised http URL
    failedAt: new Map(), // base URL -> Date.now() of its last failure
    homeDown: false,
    currentOk: true, // the current source has answered since the page switched to it
    probing: false,
  };

  const label = (base) => (base === HOME ? location.host : hostOf(base));

  /**
   * The members to read from while home does not answer, in member order. Home's own advertised
   * URL comes last: it is usually the same dead node, but it differs from the page's address when
   * the page came through a proxy or load balancer, which may be what is down.
   */
  function candidates() {
    const list = [];
    for (const http of conn.members.values()) {
      if (!http || http === conn.homeHttp || hostOf(http) === location.host) continue;
      if (!list.includes(http)) list.push(http);
    }
    if (conn.homeHttp && hostOf(conn.homeHttp) !== location.host) list.push(conn.homeHttp);
    return list;
  }

  function noteFailure(base) {
    const now = Date.now();
    conn.failedAt.set(base, now);
    if (base === HOME) conn.homeDown = true;
    if (base === conn.current) {
      // Next: the member that failed longest ago (never = first, in member order).
      const list = candidates().filter((b) => b !== base);
      list.sort((a, b) => (conn.failedAt.get(a) || 0) - (conn.failedAt.get(b) || 0));
      const next = list[0];
      conn.current = next || HOME;
      conn.currentOk = false;
      // Read from it at once, unless it failed just now too (no fast loop over dead members).
      if (next && now - (conn.failedAt.get(next) || 0) > 2 * TIMEOUT_MS) refreshNow();
    }
    renderConnection();
  }

  function noteSuccess(base) {
    conn.failedAt.delete(base);
    if (base === HOME) {
      conn.homeDown = false;
      if (conn.current !== HOME) {
        conn.current = HOME;
        refreshNow();
      }
    }
    if (base === conn.current) conn.currentOk = true;
    renderConnection();
  }

  function renderConnection() {
    const c = $('connection');
    const down = conn.homeDown;
    const state = down ? 'down' : 'ok';
    if (c.dataset.state !== state) c.dataset.state = state;
    let text;
    if (!down) {
      text = `Live · ${label(HOME)}`;
    } else if (conn.current !== HOME) {
      text = `${label(HOME)} does not answer — retrying; ` +
        (conn.currentOk ? `showing ${label(conn.current)}` : `trying ${label(conn.current)}`);
    } else if (candidates().length === 0) {
      text = `${label(HOME)} does not answer — retrying (no other member known)`;
    } else {
      text = `${label(HOME)} does not answer — retrying; no other member answers either`;
    }
    setText(c, text);
    // the node the data comes from: its address at once, its Raft id once it has answered
    const selfNode = $('self-node');
    if (selfNode.dataset.base !== conn.current) {
      selfNode.dataset.base = conn.current;
      selfNode.replaceChildren(label(conn.current));
    }
  }

  /** While reading from another member, ask home whether it is back (one probe at a time). */
  async function probeHome() {
    if (conn.current === HOME || conn.probing) return;
    conn.probing = true;
    try {
      const r = await request(HOME, '/health', {});
      if (r.ok) noteSuccess(HOME);
      else noteFailure(HOME);
    } finally {
      conn.probing = false;
    }
  }

  /**
   * One HTTP request with a timeout. Resolves to
   * {ok, aborted, unreachable, status, code, message, data}; never rejects.
   */
  // ---------------------------------------------------------------- token

  // A registry with token files (docs/security.md) answers 401 without one: the page then shows
  // the token field. The token is kept for this tab only (sessionStorage) and sent as a bearer
  // token to whichever member the page reads from or writes to.
  const TOKEN_KEY = 'roster.token';
  function token() {
    try {
      return sessionStorage.getItem(TOKEN_KEY) || '';
    } catch (e) {
      return '';
    }
  }
  function showTokenForm(why) {
    const form = $('token-form');
    if (form.hidden) form.hidden = false;
    const input = $('token');
    if (why && input.placeholder !== why) input.placeholder = why;
  }
  document.addEventListener('DOMContentLoaded', () => {
    const form = $('token-form');
    if (token()) form.hidden = false;
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const value = $('token').value.trim();
      try {
        if (value) sessionStorage.setItem(TOKEN_KEY, value);
        else sessionStorage.removeItem(TOKEN_KEY);
      } catch (e) {
        /* storage disabled: the token lasts until the next reload */
      }
      $('token').value = '';
      $('token').placeholder = value ? 'token set (enter another to replace)' : 'no token';
      Object.keys(loaders).forEach((k) => load(k, true));
    });
  });

  async function request(base, path, init, signal, timeoutMs = TIMEOUT_MS) {
    const ctrl = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctrl.abort();
    }, timeoutMs);
    const onAbort = () => ctrl.abort();
    if (signal) signal.addEventListener('abort', onAbort, { once: true });
    try {
      const headers = new Headers((init && init.headers) || {});
      const t = token();
      if (t) headers.set('Authorization', 'Bearer ' + t);
      const res = await fetch(base + path, { cache: 'no-store', ...init, headers, signal: ctrl.signal });
      if (res.status === 401) showTokenForm(t ? 'wrong token: enter another' : 'this registry needs a token');
      if (res.status === 403) showTokenForm('this token may not do that');
      let body = null;
      try {
        body = await res.json();
      } catch (e) {
        if (ctrl.signal.aborted) throw e;
      }
      const code = body && typeof body.code === 'number' ? body.code : res.ok ? 0 : -res.status;
      const message = body && typeof body.message === 'string' ? body.message : res.statusText;
      // A node that is shutting down refuses everything: treat it as not answering.
      const unreachable = code === -503 && /shutting down/.test(message);
      return {
        ok: code === 0, aborted: false, unreachable, status: res.status, code, message,
        data: body ? body.data : null,
      };
    } catch (e) {
      const aborted = !timedOut && !!signal && signal.aborted;
      return {
        ok: false, aborted, unreachable: !aborted, status: 0, code: null,
        message: timedOut ? `no answer within ${timeoutMs} ms` : `network error (${e.message || e})`,
        data: null,
      };
    } finally {
      clearTimeout(timer);
      if (signal) signal.removeEventListener('abort', onAbort);
    }
  }

  // ---------------------------------------------------------------- loaders

  /**
   * A kind of request. At most one of each kind is in flight; a change of parameters (search,
   * page, route) aborts the one in flight and starts the new one at once.
   */
  const loaders = {};
  function loader(kind, opts) {
    loaders[kind] = { kind, inflight: null, lastPath: null, lastAt: 0, ...opts };
  }

  function load(kind, force) {
    const l = loaders[kind];
    const path = l.path();
    if (path === null) return;
    if (l.inflight) {
      if (!force && l.inflight.path === path) return;
      l.inflight.ctrl.abort();
    }
    const ctrl = new AbortController();
    const base = conn.current;
    const job = { path, ctrl, base };
    l.inflight = job;
    l.lastAt = Date.now();
    request(base, path, {}, ctrl.signal).then((r) => {
      if (l.inflight === job) l.inflight = null;
      if (r.aborted) return;
      if (r.unreachable) {
        noteFailure(base);
        if (l.onUnreachable) l.onUnreachable(r, base);
        return;
      }
      noteSuccess(base);
      if (l.path() !== path) return; // parameters changed meanwhile: a newer request follows
      try {
        l.render(r, base);
      } catch (e) {
        console.error(`rendering ${kind} failed`, e);
      }
    });
  }

  // ---------------------------------------------------------------- routing

  const state = {
    view: 'cluster',
    apps: { env: '', q: '', offset: 0, total: 0 },
    inst: { env: '', appid: '', q: '', offset: 0, total: 0 },
    evictions: { env: '', appid: '', before: null },
  };

  const VIEWS = {
    cluster: ['members'],
    apps: ['apps'],
    instances: ['instances'],
    protection: ['protection'],
    evictions: ['evictions', 'changes', 'envs'],
  };
  const ALWAYS = ['members', 'protection']; // the header needs them on every view

  function safeDecode(s) {
    try {
      return decodeURIComponent(s);
    } catch (e) {
      return s;
    }
  }

  function parseRoute() {
    const h = location.hash.replace(/^#\/?/, '');
    const path = h.split('?')[0].replace(/\/+$/, '');
    const parts = path.split('/');
    if (parts[0] === 'apps' && parts.length >= 3 && parts[1] !== '') {
      return { view: 'instances', env: safeDecode(parts[1]), appid: safeDecode(parts.slice(2).join('/')) };
    }
    if (['cluster', 'apps', 'protection', 'evictions'].includes(parts[0]) && parts.length === 1) {
      return { view: parts[0] };
    }
    return null;
  }

  const appHash = (env, appid) => `#/apps/${encodeURIComponent(env)}/${encodeURIComponent(appid)}`;

  function onRoute() {
    const r = parseRoute();
    if (!r) {
      history.replaceState(null, '', '#/cluster');
      return onRoute();
    }
    state.view = r.view;
    if (r.view === 'instances') {
      const s = state.inst;
      if (s.env !== r.env || s.appid !== r.appid) {
        s.env = r.env;
        s.appid = r.appid;
        s.q = '';
        s.offset = 0;
        s.total = 0;
        $('instances-search').value = '';
        clearTable('instances');
        setText('instances-message', '');
        setText('instances-error', '');
        setText('instances-title', `${r.appid}`);
        $('instances-title').appendChild(el('span', { class: 'muted env-tag' }, ` env ${r.env}`));
        setText('instances-total', '0');
        setText('instances-page', '');
        document.title = `${r.appid} (${r.env}) · Roster`;
      }
    }
    const navKey = r.view === 'instances' ? 'apps' : r.view;
    for (const a of document.querySelectorAll('a[data-nav]')) {
      if (a.dataset.nav === navKey) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    for (const sec of document.querySelectorAll('section.view')) {
      sec.hidden = sec.id !== `view-${r.view}`;
    }
    if (r.view !== 'instances') {
      const titles = { cluster: 'Cluster', apps: 'Applications', protection: 'Self-protection', evictions: 'Evictions' };
      document.title = `${titles[r.view]} · Roster`;
    }
    for (const k of VIEWS[r.view]) load(k, true);
    for (const k of ALWAYS) load(k, false);
    updateAges(document);
  }

  // ---------------------------------------------------------------- refresh loop

  function tick() {
    const kinds = new Set([...ALWAYS, ...VIEWS[state.view]]);
    for (const k of kinds) {
      const l = loaders[k];
      if (l.every && Date.now() - l.lastAt < l.every) continue;
      load(k, false);
    }
    probeHome();
    updateAges($(`view-${state.view}`));
  }

  let refreshTimer = null;
  function refreshNow() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      const kinds = new Set([...ALWAYS, ...VIEWS[state.view]]);
      for (const k of kinds) load(k, true);
    }, 0);
  }

  function debounce(fn, ms) {
    let t = null;
    return (...args) => {
      clearTimeout(t);
      t = setTimeout(() => fn(...args), ms);
    };
  }

  const qs = (params) => {
    const u = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (v !== null && v !== undefined && v !== '') u.set(k, String(v));
    }
    return u.toString();
  };

  // ---------------------------------------------------------------- header + cluster

  const leaderLog = [];
  let lastLeader; // undefined until the first answer
  let lastMembersSig = null;

  loader('members', {
    path: () => '/cluster/members',
    render(r, base) {
      if (failed(r, 'cluster', 'members')) return;
      const d = r.data;
      const members = Array.isArray(d.members) ? d.members : [];
      for (const m of members) {
        const http = typeof m.http === 'string' ? m.http.replace(/\/+$/, '') : null;
        if (m.id && http) conn.members.set(m.id, http);
        if (base === HOME && m.self && http) conn.homeHttp = http;
      }
      renderConnection();

      // header
      const self = members.find((m) => m.self);
      const selfNode = $('self-node');
      const selfText = label(base);
      const raftText = d.self ? ` (raft ${d.self})` : '';
      if (base === conn.current && selfNode.textContent !== selfText + raftText) {
        selfNode.dataset.base = base;
        selfNode.replaceChildren(selfText, el('span', { class: 'muted' }, raftText));
      }
      selfNode.title = self && self.http ? `data from ${self.http}` : '';
      const leaderEl = $('leader');
      setText(leaderEl, d.leader ? d.leader : 'none');
      leaderEl.classList.toggle('warn', !d.leader);
      setText('term', d.term === undefined ? '—' : d.term);

      // leadership changes as they happen
      const leader = d.leader || null;
      if (lastLeader !== undefined && leader !== lastLeader) {
        leaderLog.unshift({ at: Date.now(), term: d.term, from: lastLeader, to: leader, via: label(base) });
        if (leaderLog.length > 50) leaderLog.length = 50;
        leaderEl.classList.remove('flash');
        void leaderEl.offsetWidth; // restart the highlight
        leaderEl.classList.add('flash');
        renderLeaderLog();
      } else if (lastLeader === undefined) {
        leaderLog.unshift({ at: Date.now(), term: d.term, from: undefined, to: leader, via: label(base) });
        renderLeaderLog();
      }
      lastLeader = leader;

      // cluster view
      const sig = JSON.stringify(d);
      if (sig === lastMembersSig) return;
      lastMembersSig = sig;
      const ready = members.filter((m) => m.ready).length;
      setText('cluster-summary',
        `${members.length} ${members.length === 1 ? 'member' : 'members'}, ${ready} ready · ` +
        `leader ${d.leader || 'none'} · term ${d.term}`);
      const rows = members.map((m) => {
        const tr = el('tr', {
          'data-key': m.id,
          'data-member': m.id,
          'data-role': m.role,
          'data-self': m.self ? 'true' : 'false',
          'data-reachable': m.reachable ? 'true' : 'false',
          'data-ready': m.ready ? 'true' : 'false',
          class: [m.self ? 'self' : '', m.id === d.leader ? 'leader' : '', m.reachable ? '' : 'unreachable']
            .filter(Boolean).join(' ') || null,
        });
        const idCell = el('td', { class: 'mono' }, m.id);
        if (m.self) idCell.append(' ', el('span', { class: 'tag tag-self', title: 'the node this data comes from' }, 'this node'));
        const httpCell = el('td', { class: 'mono' });
        if (m.http) {
          httpCell.append(el('a', { href: `${m.http.replace(/\/$/, '')}/ui/`, title: `open the console of ${m.http}` }, hostOf(m.http)));
        } else httpCell.textContent = '—';
        const contact = m.last_contact_ms === null || m.last_contact_ms === undefined
          ? '—' : m.id === d.leader ? 'leader' : `${duration(m.last_contact_ms)} ago`;
        tr.append(
          idCell,
          httpCell,
          el('td', {}, el('span', { class: `role role-${m.role}` }, m.role || 'unknown'),
            m.reachable ? null : el('span', { class: 'tag tag-bad' }, ' unreachable')),
          el('td', { class: 'num' }, fmtNum(m.term)),
          el('td', { class: 'num' }, fmtNum(m.last_log_index)),
          el('td', { class: 'num' }, fmtNum(m.committed_index)),
          el('td', { class: 'num' }, fmtNum(m.applied_index)),
          el('td', { class: `num${m.lag > 0 ? ' warn' : ''}` }, m.lag === null || m.lag === undefined ? '—' : fmtInt(m.lag)),
          el('td', { class: m.last_contact_ms > 1000 ? 'warn' : null }, contact),
          el('td', {}, el('span', { class: m.ready ? 'ok' : 'bad' }, m.ready ? '✓ ready' : '✗ not ready')),
          el('td', { class: 'error-text' }, m.error || ''),
        );
        return tr;
      });
      patchRows($('members-body'), rows);
    },
  });

  const fmtNum = (n) => (typeof n === 'number' ? String(n) : '—');

  function renderLeaderLog() {
    const items = leaderLog.map((e) => {
      const when = el('time', { datetime: new Date(e.at).toISOString(), title: fullTime(e.at) }, localTime(e.at));
      let what;
      if (e.from === undefined) what = `leader ${e.to || 'none'} (term ${e.term}) when the page opened`;
      else if (!e.to) what = `leader ${e.from} lost; no leader (term ${e.term})`;
      else if (!e.from) what = `${e.to} elected leader (term ${e.term})`;
      else what = `leader ${e.from} → ${e.to} (term ${e.term})`;
      return el('li', {}, when, ' ', what, el('span', { class: 'muted' }, ` · seen on ${e.via}`));
    });
    $('leader-log').replaceChildren(...items);
  }

  // ---------------------------------------------------------------- applications

  /**
   * Fills an env select. Only a change of the set of envs rebuilds the options (an open select
   * stays open); counts are updated in place.
   */
  function renderEnvOptions(select, envs, selected) {
    const want = [['', 'All envs']];
    for (const e of envs) {
      want.push([e.env, `${e.env} (${fmtInt(e.applications)} apps, ${fmtInt(e.instances)} instances)`]);
    }
    if (!want.some(([v]) => v === selected)) want.push([selected, `${selected} (no application)`]);
    const opts = select.options;
    const same = opts.length === want.length && want.every(([v], i) => opts[i].value === v);
    if (same) {
      want.forEach(([, t], i) => setText(opts[i], t));
    } else {
      select.replaceChildren(...want.map(([v, t]) => el('option', { value: v }, t)));
    }
    if (select.value !== selected) select.value = selected;
  }

  loader('apps', {
    path: () => `/discovery/apps?${qs({ env: state.apps.env, q: state.apps.q, offset: state.apps.offset, limit: PAGE_SIZE })}`,
    render(r) {
      if (failed(r, 'apps', 'applications')) return;
      const d = r.data;
      const envs = Array.isArray(d.envs) ? d.envs : [];
      renderEnvOptions($('env-select'), envs, state.apps.env);
      renderEnvOptions($('evictions-env'), envs, state.evictions.env);
      const apps = Array.isArray(d.apps) ? d.apps : [];
      renderPage('apps', 'apps', state.apps, d.total, apps, appRow);
    },
  });

  function appRow(a) {
    const key = `${a.env}/${a.appid}`;
    const st = a.statuses || {};
    const zones = Object.entries(a.zones || {}).sort((x, y) => (x[0] < y[0] ? -1 : 1));
    return el('tr', { 'data-key': key, 'data-app': key, class: 'link-row' },
      el('td', { class: 'mono' }, el('a', { href: appHash(a.env, a.appid) }, a.appid)),
      el('td', {}, a.env),
      el('td', { class: 'num' }, fmtInt(a.instances)),
      el('td', { class: 'num' }, fmtInt(st.up || 0)),
      el('td', { class: `num${st.waiting ? ' warn' : ''}` }, fmtInt(st.waiting || 0)),
      el('td', {}, zones.map(([z, n]) => el('span', { class: 'chip' }, `${z} `, el('b', {}, fmtInt(n))))),
      ageCell(a.latest_timestamp, 'local'),
    );
  }

  function renderPager(prefix, offset, total) {
    setText(`${prefix}-total`, String(total));
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const page = Math.floor(offset / PAGE_SIZE) + 1;
    const first = total === 0 ? 0 : offset + 1;
    const last = Math.min(total, offset + PAGE_SIZE);
    setText(`${prefix}-page`, `Page ${page} of ${pages} (${first}–${last})`);
    $(`${prefix}-prev`).disabled = offset <= 0;
    $(`${prefix}-next`).disabled = offset + PAGE_SIZE >= total;
  }

  /**
   * Shows a failed answer in `${id}-error` and returns true (the caller stops there), or clears
   * the error and returns false.
   */
  function failed(r, id, what) {
    if (!r.ok || !r.data) {
      setText(`${id}-error`, `${what}: ${r.message || 'error ' + r.code}`);
      return true;
    }
    setText(`${id}-error`, '');
    return false;
  }

  /**
   * Renders `list` into the table `${id}-body` when it changed since the last time (rows patched
   * in place: focus and typing survive) and shows `${id}-empty` when it has no row.
   */
  function renderTable(id, list, row) {
    const body = $(`${id}-body`);
    const sig = JSON.stringify(list);
    if (body.dataset.sig === sig) return;
    body.dataset.sig = sig;
    patchRows(body, list.map(row));
    $(`${id}-empty`).hidden = list.length > 0;
  }

  /** Empties the table `${id}-body`, its "nothing" line hidden (nothing was asked yet). */
  function clearTable(id) {
    const body = $(`${id}-body`);
    delete body.dataset.sig;
    patchRows(body, []);
    $(`${id}-empty`).hidden = true;
  }

  /**
   * A page of a paged list: when the list shrank under the current page, asks for the last page
   * instead and returns false; else renders the pager and the rows.
   */
  function renderPage(kind, id, s, total, list, row) {
    s.total = total || 0;
    if (list.length === 0 && s.offset > 0 && s.total > 0) {
      s.offset = Math.max(0, Math.floor((s.total - 1) / PAGE_SIZE) * PAGE_SIZE);
      load(kind, true);
      return false;
    }
    renderPager(id, s.offset, s.total);
    renderTable(id, list, row);
    updateAges($(`${id}-body`));
    return true;
  }

  // ---------------------------------------------------------------- instances

  loader('instances', {
    path: () => {
      const s = state.inst;
      if (state.view !== 'instances' || !s.appid) return null;
      return `/discovery/instances?${qs({ env: s.env, appid: s.appid, q: s.q, offset: s.offset, limit: PAGE_SIZE })}`;
    },
    render(r) {
      const s = state.inst;
      if (r.code === -404) {
        setText('instances-error', `${s.appid} (env ${s.env}) is not registered (any more): ${r.message}`);
        s.total = 0;
        clearTable('instances');
        renderPager('instances', 0, 0);
        return;
      }
      if (failed(r, 'instances', 'instances')) return;
      const d = r.data;
      const nowMs = nsToMs(d.now);
      clocks.instances = nowMs === null ? 0 : nowMs - Date.now();
      const list = Array.isArray(d.instances) ? d.instances : [];
      renderPage('instances', 'instances', s, d.total, list, instanceRow);
    },
  });

  function instanceRow(i) {
    const up = i.status === 1;
    const statusName = up ? 'up' : i.status === 2 ? 'waiting' : `status ${i.status}`;
    const tr = el('tr', { 'data-key': i.hostname, 'data-instance': i.hostname, 'data-status': up ? 'up' : i.status === 2 ? 'waiting' : String(i.status) });
    const meta = Object.entries(i.metadata || {}).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const renew = ageCell(i.renew_timestamp, 'instances', 'renew-age');
    if (typeof i.expire_ms === 'number') {
      renew.dataset.expireMs = String(i.expire_ms);
      renew.title += ` · lease ${duration(i.expire_ms)}` +
        (typeof i.renew_interval_ms === 'number' ? `, renews every ${duration(i.renew_interval_ms)}` : '');
    }
    const action = up ? 'drain' : 'undrain';
    tr.append(
      el('td', { class: 'mono' }, i.hostname),
      el('td', {}, i.zone),
      el('td', {}, i.region || '—'),
      el('td', { class: 'mono addrs' }, (i.addrs || []).map((a) => el('div', {}, a))),
      el('td', { class: 'mono' }, i.version || '—'),
      el('td', {}, el('span', { class: `status status-${statusName}` }, statusName.toUpperCase())),
      el('td', { class: 'meta' }, meta.length === 0 ? '—'
        : meta.map(([k, v]) => el('span', { class: 'chip mono' }, `${k}=`, el('b', {}, v)))),
      renew,
      ageCell(i.reg_timestamp, 'instances'),
      el('td', { class: 'actions' }, el('button', {
        type: 'button', 'data-action': action, class: up ? 'danger' : null,
        'aria-label': `${up ? 'Drain' : 'Undrain'} ${i.hostname}`,
        title: up ? 'Set to WAITING: default fetches leave it out' : 'Set back to UP',
      }, up ? 'Drain' : 'Undrain')),
    );
    return tr;
  }

  // drain / undrain, with a confirmation dialog
  let pendingAction = null;

  function askConfirm(action, hostname) {
    const s = state.inst;
    pendingAction = { action, hostname, env: s.env, appid: s.appid };
    const dlg = $('confirm');
    setText('confirm-title', action === 'drain' ? `Drain ${hostname}?` : `Undrain ${hostname}?`);
    setText('confirm-text', action === 'drain'
      ? `Set ${hostname} of ${s.appid} (env ${s.env}) to WAITING. Default fetches leave it out, so clients stop sending it traffic.`
      : `Set ${hostname} of ${s.appid} (env ${s.env}) back to UP. Clients will send it traffic again.`);
    setText('confirm-yes', action === 'drain' ? 'Drain' : 'Undrain');
    $('confirm-yes').className = action === 'drain' ? 'danger' : 'primary';
    if (!dlg.open) dlg.showModal();
    $('confirm-no').focus();
  }

  async function runAction(p) {
    const status = p.action === 'drain' ? 2 : 1;
    const verb = p.action === 'drain' ? 'drain' : 'undrain';
    const msg = $('instances-message');
    msg.className = 'notice';
    setText(msg, `${verb === 'drain' ? 'Draining' : 'Undraining'} ${p.hostname}…`);
    const body = new URLSearchParams({ env: p.env, appid: p.appid, hostname: p.hostname, status: String(status) });
    // Straight to the leader when it is known: a browser drops the Authorization header when it
    // follows a redirect to another origin. Otherwise a follower answers 307 to the leader and
    // fetch follows it with the same body.
    const leaderBase = lastLeader ? conn.members.get(lastLeader) : null;
    const target = leaderBase || conn.current;
    const r = await request(target, '/discovery/set', { method: 'POST', body }, null, WRITE_TIMEOUT_MS);
    if (r.ok) {
      setText(msg, `${p.hostname} ${verb === 'drain' ? 'drained (WAITING)' : 'undrained (UP)'}.`);
    } else {
      msg.className = 'notice error';
      if (r.status === 0 && !r.aborted) {
        setText(msg, `${verb} ${p.hostname}: ${r.message}. The write may have been applied ` +
          '(e.g. the answer of a leader on another address could not be read); check the status column.');
      } else {
        setText(msg, `${verb} ${p.hostname} failed: ${r.message || 'code ' + r.code}`);
      }
    }
    load('instances', true);
  }

  // ---------------------------------------------------------------- protection

  let lastChartSig = null;

  loader('protection', {
    path: () => '/discovery/protection',
    render(r) {
      const badge = $('protection-badge');
      if (failed(r, 'protection', 'protection')) return;
      const d = r.data;
      const on = !!d.protecting;
      const sinceMs = nsToMs(d.since);
      badge.dataset.protecting = on ? 'true' : 'false';
      setText(badge, on ? 'Protection ON' : 'Protection off');
      badge.title = on
        ? `Self-protection is on${sinceMs ? ' since ' + fullTime(sinceMs) : ''}: expired instances are kept`
        : 'Self-protection is off: expired instances are evicted';

      if (state.view !== 'protection') return;
      const st = $('protection-state');
      st.dataset.protecting = on ? 'true' : 'false';
      const sinceText = sinceMs ? ` since ${localTime(sinceMs)} (${ago(Date.now() - sinceMs)})` : '';
      setText(st, (on ? 'Protecting' : 'Not protecting') + sinceText);
      st.title = sinceMs ? fullTime(sinceMs) : '';

      const ceiling = d.ceiling_in_ms === null || d.ceiling_in_ms === undefined
        ? (on ? 'no expired instance' : 'not protecting') : `in ${duration(d.ceiling_in_ms)}`;
      const stats = [
        ['Renews, last window', fmtInt(d.renews_last_window), on ? 'bad' : null],
        ['Threshold', fmtInt(d.threshold), null],
        ['Renews, this window', fmtInt(d.renews_this_window), null],
        ['Expected renews', fmtInt(d.expected_renews), null],
        ['Protect threshold', typeof d.protect_threshold === 'number' ? `${Math.round(d.protect_threshold * 100)} %` : '—', null],
        ['Instances (guarded)', `${fmtInt(d.instances)} (${fmtInt(d.guarded_instances)})`, null],
        ['Expired now', fmtInt(d.expired), d.expired > 0 ? 'warn' : null],
        ['Eviction ceiling applies', ceiling, d.ceiling_in_ms !== null && d.ceiling_in_ms !== undefined ? 'warn' : null],
        ['Check window', typeof d.evict_interval_ms === 'number' ? duration(d.evict_interval_ms) : '—', null],
        ['Lease (expire)', typeof d.expire_ms === 'number' ? duration(d.expire_ms) : '—', null],
        ['Ceiling', typeof d.ceiling_ms === 'number' ? duration(d.ceiling_ms) : '—', null],
      ];
      const box = $('protection-stats');
      const statsSig = JSON.stringify(stats);
      if (box.dataset.sig !== statsSig) {
        box.dataset.sig = statsSig;
        box.replaceChildren(...stats.map(([k, v, cls]) =>
          el('div', { class: cls }, el('dt', {}, k), el('dd', {}, v))));
      }
      const windows = Array.isArray(d.windows) ? d.windows : [];
      const chartSig = JSON.stringify(windows) + d.evict_interval_ms;
      if (chartSig !== lastChartSig) {
        lastChartSig = chartSig;
        drawChart(windows, d.evict_interval_ms || 60000);
      }
    },
  });

  function drawChart(windows, intervalMs) {
    const chart = $('protection-chart');
    // Drawn at the element's own size (no stretched text); redrawn when the window is resized.
    const W = Math.max(300, Math.round(chart.getBoundingClientRect().width) || 800);
    const H = 220, L = 48, R = 10, T = 10, B = 22;
    chart.setAttribute('viewBox', `0 0 ${W} ${H}`);
    const title = $('protection-chart-title');
    const parts = [title];
    const endMs = windows.length ? nsToMs(windows[windows.length - 1].ts) : Date.now();
    const startMs = endMs - 3600 * 1000;
    let max = 1;
    for (const w of windows) max = Math.max(max, w.renews || 0, w.threshold || 0);
    max = niceCeil(max * 1.1);
    const x = (ms) => L + ((ms - startMs) / (endMs - startMs)) * (W - L - R);
    const y = (v) => T + (1 - v / max) * (H - T - B);
    const clampX = (ms) => Math.min(W - R, Math.max(L, x(ms)));

    // grid and y labels
    for (const v of [0, max / 2, max]) {
      parts.push(svg('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: 'grid-line' }));
      parts.push(svg('text', { x: L - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, compact(v)));
    }
    // x labels: -60 min … now
    for (const m of [60, 45, 30, 15, 0]) {
      const ms = endMs - m * 60000;
      parts.push(svg('text', { x: x(ms), y: H - 6, class: 'axis', 'text-anchor': m === 60 ? 'start' : m === 0 ? 'end' : 'middle' },
        m === 0 ? localTime(endMs) : `−${m} min`));
    }
    // protecting windows shaded, renews as bars (each window ends at its ts)
    const bars = [];
    let threshold = '';
    for (const w of windows) {
      const end = nsToMs(w.ts);
      const start = end - intervalMs;
      if (end < startMs) continue;
      const x0 = clampX(start), x1 = clampX(end);
      if (w.protecting) {
        parts.push(svg('rect', { x: x0, y: T, width: Math.max(0.5, x1 - x0), height: H - T - B, class: 'protecting' }));
      }
      const bw = Math.max(0.5, x1 - x0 - 1);
      const bar = svg('rect', { x: x0, y: y(w.renews || 0), width: bw, height: Math.max(0, y(0) - y(w.renews || 0)), class: 'renews' },
        svg('title', {}, `${localTime(end)}: ${fmtInt(w.renews)} renews, threshold ${fmtInt(w.threshold)}${w.protecting ? ', protecting' : ''}`));
      bars.push(bar);
      threshold += `${threshold ? 'L' : 'M'}${x0.toFixed(1)},${y(w.threshold || 0).toFixed(1)}H${x1.toFixed(1)}`;
    }
    parts.push(...bars);
    if (threshold) parts.push(svg('path', { d: threshold, class: 'threshold' }));
    if (!windows.length) {
      parts.push(svg('text', { x: W / 2, y: H / 2, class: 'axis', 'text-anchor': 'middle' }, 'no closed window yet'));
    }
    chart.replaceChildren(...parts);
    setText('protection-chart-range', windows.length
      ? `· ${windows.length} windows of ${duration(intervalMs)}, ${localTime(startMs)}–${localTime(endMs)}` : '');
  }

  function compact(v) {
    if (v >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
    if (v >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
    return fmtInt(Math.round(v));
  }

  function niceCeil(v) {
    if (v <= 10) return Math.max(1, Math.ceil(v));
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
    return 10 * p;
  }

  // ---------------------------------------------------------------- evictions and changes

  loader('evictions', {
    path: () => `/discovery/evictions?${qs({ env: state.evictions.env, appid: state.evictions.appid, limit: 100, before: state.evictions.before })}`,
    render(r) {
      if (failed(r, 'evictions', 'evictions')) return;
      const d = r.data;
      const t = d.totals || {};
      setText('evictions-totals', `evicted since start: ${fmtInt(t.expired || 0)} expired, ` +
        `${fmtInt(t.past_ceiling || 0)} past the ceiling, ${fmtInt(t.unrecorded || 0)} unrecorded` +
        (d.capacity ? ` · log keeps ${fmtInt(d.capacity)}` : ''));
      const ev = Array.isArray(d.evictions) ? d.evictions : [];
      $('evictions-older').disabled = ev.length === 0;
      $('evictions-newest').disabled = state.evictions.before === null;
      renderTable('evictions', ev, (e) => el('tr', {
        'data-key': String(e.seq), 'data-eviction': String(e.seq), 'data-reason': e.reason, 'data-hostname': e.hostname,
      },
      el('td', { class: 'num' }, fmtNum(e.seq)),
      ageCell(e.evicted_ts, 'local'),
      el('td', {}, e.env),
      el('td', { class: 'mono' }, el('a', { href: appHash(e.env, e.appid) }, e.appid)),
      el('td', { class: 'mono' }, e.hostname),
      el('td', {}, e.zone),
      el('td', { class: 'mono addrs' }, (e.addrs || []).map((a) => el('div', {}, a))),
      el('td', {}, el('span', { class: `reason reason-${e.reason}` }, reasonText(e.reason))),
      ageCell(e.last_renew_ts, 'local'),
      el('td', { class: 'num' }, fmtNum(e.index)),
      el('td', { class: 'num' }, fmtNum(e.term)),
      ));
      const pc = Array.isArray(d.protection) ? d.protection : [];
      renderTable('protection-changes', pc, (p) => el('tr', { 'data-key': String(p.seq), 'data-protection-change': String(p.seq), 'data-on': p.on ? 'true' : 'false' },
        el('td', { class: 'num' }, fmtNum(p.seq)),
        ageCell(p.ts, 'local'),
        el('td', {}, el('span', { class: p.on ? 'tag tag-bad' : 'tag tag-ok' }, p.on ? 'ON' : 'off')),
        el('td', { class: 'num' }, fmtInt(p.renews)),
        el('td', { class: 'num' }, fmtInt(p.threshold)),
        el('td', { class: 'num' }, fmtNum(p.index)),
        el('td', { class: 'num' }, fmtNum(p.term)),
      ));
      updateAges($('view-evictions'));
    },
  });

  function reasonText(r) {
    return r === 'expired' ? 'expired' : r === 'past_ceiling' ? 'past ceiling' : r === 'unrecorded' ? 'unrecorded' : String(r);
  }

  loader('changes', {
    path: () => `/discovery/changes?${qs({ env: state.evictions.env, appid: state.evictions.appid, limit: 100 })}`,
    render(r) {
      if (failed(r, 'changes', 'changes')) return;
      const ch = Array.isArray(r.data.changes) ? r.data.changes : [];
      renderTable('changes', ch, (c) => {
        const key = `${c.env}/${c.appid}/${c.hostname}`;
        const status = c.status === 1 ? 'UP' : c.status === 2 ? 'WAITING' : c.status === undefined || c.status === null ? '—' : String(c.status);
        return el('tr', { 'data-key': key, 'data-change': key, 'data-action': c.action },
          ageCell(c.ts, 'local'),
          el('td', {}, el('span', { class: `action action-${c.action}` }, c.action)),
          el('td', {}, c.env),
          el('td', { class: 'mono' }, c.action === 'deleted' ? c.appid : el('a', { href: appHash(c.env, c.appid) }, c.appid)),
          el('td', { class: 'mono' }, c.hostname),
          el('td', {}, c.action === 'deleted' ? '—' : status),
        );
      });
      updateAges($('changes-body'));
    },
  });

  // the env list for the evictions filter (the apps answer carries every env)
  loader('envs', {
    every: 10000,
    path: () => '/discovery/apps?limit=1',
    render(r) {
      if (r.ok && r.data && Array.isArray(r.data.envs)) {
        renderEnvOptions($('evictions-env'), r.data.envs, state.evictions.env);
        renderEnvOptions($('env-select'), r.data.envs, state.apps.env);
      }
    },
  });

  // ---------------------------------------------------------------- wiring

  function wire() {
    $('env-select').addEventListener('change', (e) => {
      state.apps.env = e.target.value;
      state.apps.offset = 0;
      load('apps', true);
    });
    const appSearch = debounce(() => {
      state.apps.q = $('app-search').value.trim();
      state.apps.offset = 0;
      load('apps', true);
    }, DEBOUNCE_MS);
    $('app-search').addEventListener('input', appSearch);
    $('apps-prev').addEventListener('click', () => {
      state.apps.offset = Math.max(0, state.apps.offset - PAGE_SIZE);
      load('apps', true);
    });
    $('apps-next').addEventListener('click', () => {
      if (state.apps.offset + PAGE_SIZE < state.apps.total) state.apps.offset += PAGE_SIZE;
      load('apps', true);
    });
    // a click anywhere on an application's row opens it
    $('apps-body').addEventListener('click', (e) => {
      if (e.target.closest('a, button, input, select')) return;
      const tr = e.target.closest('tr[data-app]');
      if (!tr || (window.getSelection && String(window.getSelection()))) return;
      const a = tr.querySelector('a[href]');
      if (a) location.hash = a.getAttribute('href');
    });

    const instSearch = debounce(() => {
      state.inst.q = $('instances-search').value.trim();
      state.inst.offset = 0;
      load('instances', true);
    }, DEBOUNCE_MS);
    $('instances-search').addEventListener('input', instSearch);
    $('instances-prev').addEventListener('click', () => {
      state.inst.offset = Math.max(0, state.inst.offset - PAGE_SIZE);
      load('instances', true);
    });
    $('instances-next').addEventListener('click', () => {
      if (state.inst.offset + PAGE_SIZE < state.inst.total) state.inst.offset += PAGE_SIZE;
      load('instances', true);
    });
    $('instances-body').addEventListener('click', (e) => {
      const b = e.target.closest('button[data-action]');
      if (!b) return;
      const tr = b.closest('tr[data-instance]');
      if (tr) askConfirm(b.dataset.action, tr.dataset.instance);
    });

    const dlg = $('confirm');
    $('confirm-no').addEventListener('click', () => {
      pendingAction = null;
      dlg.close('no');
    });
    $('confirm-yes').addEventListener('click', () => {
      const p = pendingAction;
      pendingAction = null;
      dlg.close('yes');
      if (p) runAction(p);
    });
    dlg.addEventListener('cancel', () => {
      pendingAction = null;
    });

    $('evictions-env').addEventListener('change', (e) => {
      state.evictions.env = e.target.value;
      state.evictions.before = null;
      load('evictions', true);
      load('changes', true);
    });
    const evSearch = debounce(() => {
      state.evictions.appid = $('evictions-appid').value.trim();
      state.evictions.before = null;
      load('evictions', true);
      load('changes', true);
    }, DEBOUNCE_MS);
    $('evictions-appid').addEventListener('input', evSearch);
    $('evictions-older').addEventListener('click', () => {
      const rows = $('evictions-body').rows;
      if (!rows.length) return;
      const lastSeq = Number(rows[rows.length - 1].dataset.eviction);
      if (Number.isFinite(lastSeq)) state.evictions.before = lastSeq;
      load('evictions', true);
    });
    $('evictions-newest').addEventListener('click', () => {
      state.evictions.before = null;
      load('evictions', true);
    });

    window.addEventListener('hashchange', onRoute);
    window.addEventListener('resize', debounce(() => {
      lastChartSig = null; // redraw the chart at the new width on the next answer
      if (state.view === 'protection') load('protection', true);
    }, DEBOUNCE_MS));
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden) refreshNow();
    });
  }

  function start() {
    wire();
    renderConnection();
    onRoute();
    let last = 0;
    setInterval(() => {
      // a hidden tab refreshes every 5 s only
      if (document.hidden && Date.now() - last < 5000) return;
      last = Date.now();
      tick();
    }, REFRESH_MS);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
