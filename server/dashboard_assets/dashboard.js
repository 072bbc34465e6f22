// SPDX-License-Identifier: Apache-2.0
// The cfota dashboard's script: every figure on the page comes from the
// admin API (docs/server-api.md section 4), asked with the admin token in
// the Authorization header, so the server checks each request exactly as
// it checks cfota admin's. Nothing is ever written into the page as HTML:
// device data (a report's reason) is text.
'use strict';

const TOKEN_KEY = 'cfota-admin-token';
const REFRESH_MS = 2000;
const PAGE = 100;

let role = '';          // 'read' or 'admin', once logged in
let timer = null;       // the refresh of the current view
let devicePages = [''];  // the 'after' cursor of each devices page seen
let failuresAfter = '';
let chartData = {};     // the chart's devices, and the counts they are of

const $ = (id) => document.getElementById(id);

// ---- the admin API ----

class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : 'HTTP ' + status);
    this.status = status;
    this.code = body && body.error;
  }
}

async function api(method, path) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const r = await fetch('/admin/v1/' + path, {
    method: method,
    headers: { 'Authorization': 'Bearer ' + token },
    credentials: 'omit',
    cache: 'no-store',
  });
  let body = null;
  try { body = await r.json(); } catch (e) { body = null; }
  if (!r.ok) throw new ApiError(r.status, body);
  return body;
}

// ---- building the page ----

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function row(cells) {
  const tr = document.createElement('tr');
  for (const c of cells) {
    if (c instanceof Node) { const td = el('td'); td.appendChild(c); tr.appendChild(td); }
    else if (typeof c === 'number') tr.appendChild(el('td', c, 'n'));
    else tr.appendChild(el('td', c));
  }
  return tr;
}

function when(t) {
  if (!t) return '';
  return new Date(t * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function say(text) { $('message').textContent = text || ''; }

// An action button: a POST to the admin API, then a refresh of the view.
function action(label, cls, path, confirmText) {
  const b = el('button', label, 'act ' + cls);
  b.type = 'button';
  b.disabled = role !== 'admin';
  b.addEventListener('click', async () => {
    if (confirmText && !window.confirm(confirmText)) return;
    b.disabled = true;
    try {
      await api('POST', path);
      say('');
    } catch (e) {
      say(label + ': ' + e.message);
    }
    b.disabled = role !== 'admin';
    route();
  });
  return b;
}

function releaseActions(r) {
  const box = el('span');
  if (r.state === 'active') box.appendChild(action('Pause', 'pause', 'releases/' + r.id + '/pause'));
  else if (r.state === 'paused') box.appendChild(action('Resume', 'resume', 'releases/' + r.id + '/resume'));
  if (r.state === 'active' && r.waves.length && r.wave <= r.waves.length)
    box.appendChild(action('Advance wave', 'advance', 'releases/' + r.id + '/advance'));
  return box;
}

function waveText(r) {
  return r.waves.length ? r.wave + ' of ' + r.waves.length : '-';
}

// ---- views ----

// Put one row per item in tbody, in order, rebuilding only the rows whose
// data changed: a refresh leaves an unchanged row (and the button under
// the operator's pointer) alone.
function syncRows(tbody, items, keyOf, build) {
  const old = new Map();
  for (const tr of tbody.rows) old.set(tr.dataset.key, tr);
  const rows = items.map((item) => {
    const key = String(keyOf(item)), sig = JSON.stringify(item);
    const tr = old.get(key);
    if (tr && tr.dataset.sig === sig) return tr;
    const fresh = build(item);
    fresh.dataset.key = key;
    fresh.dataset.sig = sig;
    return fresh;
  });
  rows.forEach((tr, i) => { if (tbody.rows[i] !== tr) tbody.insertBefore(tr, tbody.rows[i] || null); });
  while (tbody.rows.length > rows.length) tbody.deleteRow(rows.length);
}

function releaseRow(r) {
  const link = el('a', r.id);
  link.href = '#release/' + r.id;
  const c = r.counts;
  const tr = row([link, r.product, r.target, r.group || 'all', r.state, waveText(r),
    r.share + '%', c.offered, c.checked, c.downloading, c.succeeded, c.failed,
    releaseActions(r)]);
  tr.dataset.id = r.id;
  tr.className = r.state;
  return tr;
}

async function showReleases() {
  const data = await api('GET', 'releases?limit=1000');
  syncRows($('releases').tBodies[0], data.releases, (r) => r.id, releaseRow);
  $('refreshed').textContent = 'updated ' + new Date().toLocaleTimeString();
}

// Every device of release id in state (all pages).
async function releaseDevices(id, state) {
  let after = '', all = [];
  for (;;) {
    const q = 'releases/' + id + '/devices?state=' + state + '&limit=1000' +
      (after ? '&after=' + after : '');
    const page = await api('GET', q);
    all = all.concat(page.devices);
    if (!page.next) return all;
    after = page.next;
  }
}

// The chart: devices that succeeded and failed so far, counted at the
// time of their report, as two step lines in an inline SVG.
function drawChart(ok, fail, now) {
  const W = 640, H = 220, L = 44, R = 12, T = 12, B = 30;
  const times = ok.concat(fail).map((d) => d.updated);
  const t0 = times.length ? Math.min(...times) : now - 60;
  const t1 = Math.max(now, t0 + 60);
  const top = Math.max(1, ok.length, fail.length);
  const x = (t) => L + (W - L - R) * (t - t0) / (t1 - t0);
  const y = (n) => H - B - (H - T - B) * n / top;
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('width', W);
  svg.setAttribute('height', H);
  svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
  svg.setAttribute('role', 'img');
  const add = (tag, attrs, text) => {
    const e = document.createElementNS(ns, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    svg.appendChild(e);
    return e;
  };
  add('line', { x1: L, y1: y(0), x2: W - R, y2: y(0), stroke: '#999' });
  add('line', { x1: L, y1: y(0), x2: L, y2: T, stroke: '#999' });
  add('text', { x: L - 6, y: y(top) + 4, 'text-anchor': 'end' }, top);
  add('text', { x: L - 6, y: y(0) + 4, 'text-anchor': 'end' }, 0);
  add('text', { x: L, y: H - 8 }, when(t0));
  add('text', { x: W - R, y: H - 8, 'text-anchor': 'end' }, when(t1));
  const line = (list, cls) => {
    const ts = list.map((d) => d.updated).sort((a, b) => a - b);
    let pts = [[x(t0), y(0)]];
    ts.forEach((t, i) => { pts.push([x(t), y(i)]); pts.push([x(t), y(i + 1)]); });
    pts.push([x(t1), y(ts.length)]);
    const p = add('polyline', { points: pts.map((q) => q.join(',')).join(' '), class: cls });
    p.dataset.count = ts.length;
  };
  line(ok, 'line-ok');
  line(fail, 'line-fail');
  add('text', { x: L + 8, y: T + 12, class: 'ok' }, 'succeeded ' + ok.length);
  add('text', { x: L + 110, y: T + 12, class: 'fail' }, 'failed ' + fail.length);
  $('chart').replaceChildren(svg);
}

function failureRow(d) {
  return row([d.imei, d.from, d.wave + 1, d.reason, d.last_report, when(d.updated)]);
}

async function showRelease(id) {
  const r = await api('GET', 'releases/' + id);
  const c = r.counts;
  $('release-title').textContent = 'Release ' + r.id + ': ' + r.product + ' to ' + r.target +
    ' (' + r.state + ')';
  $('release-summary').textContent = 'group ' + (r.group || 'all') + ', wave ' + waveText(r) +
    ', share ' + r.share + '%; offered ' + c.offered + ', checked ' + c.checked +
    ', downloading ' + c.downloading + ', succeeded ' + c.succeeded + ', failed ' + c.failed +
    (r.reason ? '; ' + r.state + ' by ' + r.reason : '');
  const actions = $('release-actions'), key = r.id + ' ' + r.state + ' ' + r.wave;
  if (actions.dataset.key !== key) {
    actions.replaceChildren(releaseActions(r));
    actions.dataset.key = key;
  }
  // The devices behind the chart are fetched again only when the counts
  // moved; in between the chart is redrawn up to now, so a stall shows.
  const counted = id + ' ' + c.succeeded + ' ' + c.failed;
  if (chartData.counted !== counted) {
    const [ok, fail] = await Promise.all([releaseDevices(id, 'succeeded'),
      releaseDevices(id, 'failed')]);
    chartData = { counted: counted, ok: ok, fail: fail };
  }
  drawChart(chartData.ok, chartData.fail, Math.floor(Date.now() / 1000));
  await showFailures(id, '');
}

async function showFailures(id, after) {
  const q = 'releases/' + id + '/devices?state=failed&limit=' + PAGE +
    (after ? '&after=' + after : '');
  const page = await api('GET', q);
  const body = $('failures').tBodies[0];
  if (after) page.devices.map(failureRow).forEach((tr) => body.appendChild(tr));
  else syncRows(body, page.devices, (d) => d.imei, failureRow);
  failuresAfter = page.next || '';
  $('failures-more').hidden = !page.next;
}

async function showDevices() {
  const page = devicePages.length - 1;
  const prefix = $('device-search').value.trim();
  let q = 'devices?limit=' + PAGE;
  if (prefix) q += '&imei=' + encodeURIComponent(prefix);
  if (devicePages[page]) q += '&after=' + devicePages[page];
  const data = await api('GET', q);
  syncRows($('devices').tBodies[0], data.devices, (d) => d.imei, (d) => {
    const revoke = d.revoked ? el('span', 'revoked') :
      action('Revoke', 'revoke', 'devices/' + d.imei + '/revoke',
        'Revoke device ' + d.imei + '? Its token stops working.');
    const tr = row([d.imei, d.product || '(none)', d.group, d.version,
      el('span', d.state, 'state-' + d.state), d.release || '', when(d.last_seen),
      d.last_report, revoke]);
    tr.dataset.imei = d.imei;
    if (d.revoked) tr.className = 'revoked';
    return tr;
  });
  $('page-number').textContent = 'page ' + (page + 1);
  $('prev-page').disabled = page === 0;
  $('next-page').disabled = !data.next;
  $('next-page').dataset.after = data.next || '';
}

// Every row of a paged list.
async function allPages(path, name) {
  let after = '', all = [];
  for (;;) {
    const data = await api('GET', path + (path.includes('?') ? '&' : '?') + 'limit=1000' +
      (after ? '&after=' + after : ''));
    all = all.concat(data[name]);
    if (!data.next) return all;
    after = data.next;
  }
}

async function showPackages() {
  const [packages, images] = await Promise.all([allPages('packages', 'packages'),
    allPages('images', 'images')]);
  const size = {};
  for (const im of images) size[im.product + '\n' + im.version] = im.size;
  const rows = packages.map((p) => {
    const full = size[p.product + '\n' + p.to];
    const share = full && p.size !== undefined ? (100 * p.size / full).toFixed(1) + '%' : '';
    return row([p.product, p.from, p.to, p.kind, p.origin, p.state,
      p.size !== undefined ? p.size : (p.error || ''), full !== undefined ? full : '', share]);
  });
  $('packages').tBodies[0].replaceChildren(...rows);
}

// ---- navigation ----

const views = {
  releases: { section: 'view-releases', show: showReleases, live: true },
  release: { section: 'view-release', show: showRelease, live: true },
  devices: { section: 'view-devices', show: showDevices, live: false },
  packages: { section: 'view-packages', show: showPackages, live: false },
};

async function route() {
  clearTimeout(timer);
  const [name, arg] = (location.hash.slice(1) || 'releases').split('/');
  const view = views[name] || views.releases;
  for (const v of Object.values(views)) $(v.section).hidden = v !== view;
  try {
    await view.show(arg);
    document.body.dataset.loaded = name;
    // When the first data of this page load was shown (ms since the
    // navigation began): the "data in under 1 s" figure.
    if (!document.body.dataset.firstData)
      document.body.dataset.firstData = Math.round(performance.now());
  } catch (e) {
    if (e.status === 401 || (e.status === 403 && e.code === 'bad_token')) return logout(e.message);
    say(e.message);
  }
  if (view.live) timer = setTimeout(route, REFRESH_MS);
}

async function login(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  try {
    await api('GET', 'products');
  } catch (e) {
    return logout(e.status === 403 || e.status === 401 ? 'That is not an admin token.' : e.message);
  }
  // A read token is refused the admin-only token list: that tells the role.
  try {
    await api('GET', 'tokens');
    role = 'admin';
  } catch (e) {
    if (e.code !== 'read_only') return logout(e.message);
    role = 'read';
  }
  document.body.className = 'role-' + role;
  $('role').textContent = role === 'admin' ? 'admin' : 'read only';
  $('login').hidden = true;
  $('nav').hidden = false;
  $('logout').hidden = false;
  say('');
  route();
}

function logout(why) {
  clearTimeout(timer);
  sessionStorage.removeItem(TOKEN_KEY);
  role = '';
  document.body.className = '';
  delete document.body.dataset.loaded;
  for (const v of Object.values(views)) $(v.section).hidden = true;
  // Nothing of the last login stays: its rows hold its role's buttons.
  for (const t of document.querySelectorAll('tbody')) t.replaceChildren();
  $('chart').replaceChildren();
  chartData = {};
  delete $('release-actions').dataset.key;
  devicePages = [''];
  $('login').hidden = false;
  $('nav').hidden = true;
  $('logout').hidden = true;
  $('role').textContent = '';
  say(why || '');
}

document.addEventListener('DOMContentLoaded', () => {
  $('login').addEventListener('submit', (ev) => {
    ev.preventDefault();
    login($('token').value.trim());
    $('token').value = '';
  });
  $('logout').addEventListener('click', () => logout(''));
  $('device-search-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    devicePages = [''];
    showDevices().catch((e) => say(e.message));
  });
  $('next-page').addEventListener('click', () => {
    devicePages.push($('next-page').dataset.after);
    showDevices().catch((e) => say(e.message));
  });
  $('prev-page').addEventListener('click', () => {
    if (devicePages.length > 1) devicePages.pop();
    showDevices().catch((e) => say(e.message));
  });
  $('failures-more').addEventListener('click', () => {
    const [, id] = location.hash.slice(1).split('/');
    showFailures(id, failuresAfter).catch((e) => say(e.message));
  });
  window.addEventListener('hashchange', () => { if (role) route(); });
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) login(saved);
});
