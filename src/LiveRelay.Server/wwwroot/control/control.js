// LiveRelay director control page: sign-in, the /hubs/control connection, multiview, monitors,
// rundown editing, alerts and partner links. The contract is docs/control.md.
// Libraries come as classic scripts before this module: signalR, mpegts and Hls (globals).

const MONITOR_RETRY_MS = 4000;
const STALL_CHECK_MS = 5000;
const COMMAND_ERROR_MS = 6000;
const LINKS_REFRESH_MS = 30000;
const CLEARED_ALERT_MS = 60000;
const MAX_ALERTS = 50;
const SELECTED_KEY = 'liverelay.control.rundown';

const $ = (id) => document.getElementById(id);
const dom = {
  login: $('login'), loginForm: $('login-form'), loginError: $('login-error'), loginSubmit: $('login-submit'),
  app: $('app'), rundownSelect: $('rundown-select'), newRundown: $('new-rundown'), userName: $('user-name'),
  signOut: $('sign-out'), banner: $('connection-banner'), commandError: $('command-error'),
  commandErrorText: $('command-error-text'), announcer: $('announcer'),
  multiview: $('multiview'), multiviewEmpty: $('multiview-empty'),
  take: $('take'), previewName: $('preview-name'), programName: $('program-name'), programMode: $('program-mode'),
  programMute: $('program-mute'), programVideo: $('program-video'),
  rundownInfo: $('rundown-info'), items: $('rundown-items'), rundownEmpty: $('rundown-empty'), addForm: $('add-item-form'),
  alertList: $('alert-list'), alertCount: $('alert-count'), alertsEmpty: $('alerts-empty'),
  shareList: $('share-list'), pulls: $('pulls'), feedPaths: $('feed-paths'),
};

const state = {
  user: null,
  feeds: new Map(),     // path → FeedStatus
  health: new Map(),    // path → FeedHealth
  rundowns: new Map(),  // id → RundownView
  tallies: new Map(),   // rundownId → Tally
  pulls: new Map(),     // id → PullActivity (in progress only)
  alerts: new Map(),    // id → Alert (+ clearedAt: when this page saw it cleared)
  selectedId: null,
  numbered: [],         // paths of the tiles numbered 1..9
};

// ---------------------------------------------------------------- small helpers

/** Creates an element; strings among the children become text nodes, so data is never parsed as HTML. */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children.filter((child) => child != null));
  return node;
}

/** Puts nodes into parent in this order, moving only those out of place (keeps focus and form input intact). */
function syncChildren(parent, nodes) {
  nodes.forEach((node, index) => {
    const current = parent.children[index];
    if (current !== node) parent.insertBefore(node, current ?? null);
  });
  while (parent.children.length > nodes.length) parent.lastElementChild.remove();
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function formatTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : timeFormat.format(date);
}

function formatDateTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : dateTimeFormat.format(date);
}

function formatDuration(seconds) {
  if (seconds == null) return '';
  const s = Math.max(0, Math.round(seconds));
  const pad = (n) => String(n).padStart(2, '0');
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  return hours > 0 ? `${hours}:${pad(minutes)}:${pad(s % 60)}` : `${minutes}:${pad(s % 60)}`;
}

function formatBitrate(kbps) {
  return kbps >= 1000 ? `${(kbps / 1000).toFixed(1)} Mbit/s` : `${Math.round(kbps)} kbps`;
}

const isNumber = (value) => typeof value === 'number' && Number.isFinite(value);
const messageOf = (error) => (error && error.message) || String(error);
const feedName = (path) => state.feeds.get(path)?.name || path;

/** "live/cam 1" → "live/cam%201": each segment escaped, the slashes kept. */
const escapePath = (path) => path.split('/').map(encodeURIComponent).join('/');

function rememberSelection(id) {
  try { localStorage.setItem(SELECTED_KEY, id); } catch { /* private mode: not remembered */ }
}

function rememberedSelection() {
  try { return localStorage.getItem(SELECTED_KEY); } catch { return null; }
}

// ---------------------------------------------------------------- rundown queries

const selectedRundown = () => (state.selectedId ? state.rundowns.get(state.selectedId) ?? null : null);
const itemById = (rundown, id) => (id ? rundown.items?.find((item) => item.id === id) ?? null : null);
const sortedItems = (rundown) => [...(rundown.items ?? [])].sort((a, b) => a.position - b.position);

/** Rundowns of another station are shared with ours read-only; the server refuses commands on them. */
function isReadOnly(rundown) {
  const station = state.user?.stationId;
  return Boolean(station && rundown.stationId && rundown.stationId !== station);
}

/** The stream paths that are on program (red) and on preview (green) in the selected rundown. */
function tallyPaths() {
  const rundown = selectedRundown();
  if (!rundown) return { program: new Set(), preview: null };
  const tally = state.tallies.get(rundown.id);
  const onAirSource = tally ? tally.programSource : itemById(rundown, rundown.onAirItemId)?.source;
  // Preview comes from the local rundown copy (the server derives tally.previewSource from the same
  // field), so it follows a command's result at once instead of waiting for the tally event.
  const preview = itemById(rundown, rundown.previewItemId)?.source ?? null;
  return { program: new Set([tally?.showingSource, onAirSource].filter(Boolean)), preview };
}

/** The program output exists once something was taken; before that there is nothing to play. */
function programExists(rundown) {
  return Boolean(rundown.program || state.tallies.get(rundown.id)?.mode);
}

// ---------------------------------------------------------------- sign-in

async function fetchMe() {
  try {
    const response = await fetch('/api/auth/me', { headers: { Accept: 'application/json' } });
    return { status: response.status, user: response.ok ? await response.json() : null };
  } catch {
    return { status: 0, user: null };
  }
}

function showLogin(message = '') {
  dom.app.hidden = true;
  dom.login.hidden = false;
  dom.loginError.textContent = message;
  dom.loginSubmit.disabled = false;
  document.title = 'Sign in — LiveRelay Control';
  $('login-username').focus();
}

async function submitLogin(event) {
  event.preventDefault();
  const form = new FormData(dom.loginForm);
  const username = String(form.get('username') ?? '').trim();
  const password = String(form.get('password') ?? '');
  if (!username || !password) {
    dom.loginError.textContent = 'Enter your user name and password.';
    return;
  }
  dom.loginSubmit.disabled = true;
  dom.loginError.textContent = '';
  try {
    const response = await fetch('/api/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    const body = await response.json().catch(() => ({}));
    if (response.ok) {
      dom.loginForm.reset();
      enter(body.user ?? (await fetchMe()).user);
      return;
    }
    dom.loginError.textContent = body.error || (response.status === 401
      ? 'Wrong user name or password.'
      : `Sign-in failed (HTTP ${response.status}).`);
  } catch (error) {
    dom.loginError.textContent = `Could not reach the server: ${messageOf(error)}`;
  }
  dom.loginSubmit.disabled = false;
}

async function signOut() {
  try { await fetch('/api/auth/logout', { method: 'POST' }); } catch { /* the cookie expires anyway */ }
  endSession('');
}

function enter(user) {
  state.user = user;
  renderUser();
  dom.login.hidden = true;
  dom.app.hidden = false;
  document.title = 'LiveRelay Control';
  connect();
}

function renderUser() {
  const user = state.user;
  if (!user) return;
  const name = user.displayName || user.username;
  dom.userName.textContent = `${name} · ${user.stationName || (user.stationId ? user.stationId : 'all stations')}`;
}

// ---------------------------------------------------------------- hub connection

let connection = null;
let recoveryTimer = 0;
let recoveryAttempt = 0;

function connect() {
  if (typeof signalR === 'undefined') {
    dom.banner.textContent = 'The control page libraries did not load; reload the page.';
    dom.banner.hidden = false;
    return;
  }
  const hub = new signalR.HubConnectionBuilder()
    .withUrl('/hubs/control')
    // Retry forever: a control room must come back by itself after a network or server outage.
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (ctx) => Math.min(10000, 1000 * (ctx.previousRetryCount + 1)) })
    .configureLogging(signalR.LogLevel.Warning)
    .build();
  connection = hub;

  const handlers = {
    feedOnline: onFeedStatus, feedOffline: onFeedStatus, feedHealth: onFeedHealth,
    rundownChanged: (rundown) => applyRundown(rundown), rundownRemoved: onRundownRemoved, tally: onTally,
    pullStarted: onPullStarted, pullEnded: onPullEnded, alert: (alert) => upsertAlert(alert, true),
  };
  for (const [name, handler] of Object.entries(handlers)) hub.on(name, handler);

  hub.onreconnecting(() => { if (connection === hub) connectionLost(); });
  hub.onreconnected(() => { if (connection === hub) connected(); });
  hub.onclose(() => { if (connection === hub) connectionLost(); });

  hub.start().then(connected, connectionLost);
}

const isConnected = () => connection?.state === 'Connected';

function connectionLost() {
  dom.banner.textContent = 'Connection to the server lost — reconnecting…';
  dom.banner.hidden = false;
  scheduleRecovery();
}

function scheduleRecovery() {
  clearTimeout(recoveryTimer);
  recoveryTimer = setTimeout(recover, Math.min(10000, 1000 * (recoveryAttempt + 1)));
  recoveryAttempt += 1;
}

/**
 * Runs while the connection is down. SignalR's own retries cover "reconnecting"; this restarts a
 * connection that closed for good, and ends the session when the cookie expired (the hub would
 * refuse every retry with 401 and the page would otherwise say "reconnecting" forever).
 */
async function recover() {
  const hub = connection;
  if (!hub || hub.state === 'Connected') return;
  const me = await fetchMe();
  if (connection !== hub) return;
  if (me.status === 401) {
    endSession('Your session has ended. Please sign in again.');
    return;
  }
  if (hub.state === 'Disconnected') {
    try {
      await hub.start();
      await connected();
      return;
    } catch {
      // Still down: try again below.
    }
  }
  if (connection === hub && hub.state !== 'Connected') scheduleRecovery();
}

async function connected() {
  const hub = connection;
  clearTimeout(recoveryTimer);
  recoveryAttempt = 0;
  dom.banner.hidden = true;
  try {
    const control = await hub.invoke('GetState');
    if (connection !== hub) return; // signed out meanwhile
    linksKey = ''; // fetch the links again after a (re)connect
    applyState(control);
    hub.invoke('SetWatching', !document.hidden).catch(() => {});
  } catch (error) {
    showCommandError(`Could not load the control state: ${messageOf(error)}`);
  }
}

function endSession(message) {
  const hub = connection;
  connection = null;
  clearTimeout(recoveryTimer);
  hub?.stop().catch(() => {});
  closeEdit();
  for (const key of ['feeds', 'health', 'rundowns', 'tallies', 'pulls', 'alerts']) state[key].clear();
  state.user = null;
  state.selectedId = null;
  renderAll(); // empties the page (monitors and links too) before the next user signs in
  dom.banner.hidden = true;
  showLogin(message);
}

// ---------------------------------------------------------------- commands

/** Invokes a hub command and handles its CommandResult: applies the rundown it returns, shows a refusal. */
async function command(method, ...args) {
  if (!isConnected()) {
    showCommandError('Not connected to the server: the command was not sent.');
    return null;
  }
  try {
    const result = await connection.invoke(method, ...args);
    if (result?.rundown) applyRundown(result.rundown);
    if (result && !result.ok) showCommandError(result.error || `${method} was refused.`);
    return result;
  } catch (error) {
    showCommandError(`${method} failed: ${messageOf(error)}`);
    return null;
  }
}

let commandErrorTimer = 0;

function showCommandError(message) {
  dom.commandErrorText.textContent = message;
  dom.commandError.hidden = false;
  clearTimeout(commandErrorTimer);
  commandErrorTimer = setTimeout(hideCommandError, COMMAND_ERROR_MS);
}

function hideCommandError() {
  clearTimeout(commandErrorTimer);
  dom.commandError.hidden = true;
}

/** Runs fn with the selected rundown, or says why it cannot. */
function withRundown(fn) {
  const rundown = selectedRundown();
  if (!rundown) {
    showCommandError('Select or create a rundown first.');
    return null;
  }
  return fn(rundown);
}

const previewSource = (path) =>
  withRundown((rundown) => command('PreviewSource', rundown.id, path, rundown.version));

let takeInFlight = false;

async function take() {
  const rundown = selectedRundown();
  if (!rundown?.previewItemId || takeInFlight) return;
  takeInFlight = true;
  updateTakeButton();
  await command('Take', rundown.id, rundown.previewItemId);
  takeInFlight = false;
  updateTakeButton();
}

async function createRundown() {
  const title = window.prompt('Title of the new rundown:');
  if (!title || !title.trim()) return;
  const result = await command('CreateRundown', { title: title.trim() });
  if (result?.ok && result.rundown) selectRundown(result.rundown.id);
}

// ---------------------------------------------------------------- state from the server

function applyState(control) {
  state.user = control.user ?? state.user;
  state.feeds = new Map((control.feeds ?? []).map((feed) => [feed.path, feed]));
  for (const path of state.health.keys()) {
    if (!state.feeds.get(path)?.online) state.health.delete(path);
  }
  state.rundowns = new Map((control.rundowns ?? []).map((rundown) => [rundown.id, rundown]));
  state.tallies = new Map((control.tallies ?? []).map((tally) => [tally.rundownId, tally]));
  state.pulls = new Map((control.pulls ?? []).filter((pull) => !pull.endedAt).map((pull) => [pull.id, pull]));
  // The server's list is the truth after a reconnect: alerts that ended meanwhile are dropped.
  state.alerts.clear();
  for (const alert of control.alerts ?? []) upsertAlert(alert, false);

  const keep = [state.selectedId, rememberedSelection()].find((id) => id && state.rundowns.has(id));
  state.selectedId = keep ?? state.rundowns.keys().next().value ?? null;
  renderAll();
}

function renderAll() {
  renderUser();
  renderFeeds();
  renderRundownSelect();
  renderSelected();
  renderAlerts();
}

/** Keeps the newest copy of a rundown: events and command results may arrive in either order. */
function applyRundown(rundown) {
  const current = state.rundowns.get(rundown.id);
  if (current && current.version > rundown.version) return;
  state.rundowns.set(rundown.id, rundown);
  if (!state.selectedId) {
    selectRundown(rundown.id);
    return;
  }
  renderRundownSelect();
  if (rundown.id === state.selectedId) renderSelected();
}

function onRundownRemoved(id) {
  state.rundowns.delete(id);
  state.tallies.delete(id);
  if (state.selectedId === id) {
    state.selectedId = state.rundowns.keys().next().value ?? null;
    renderSelected();
  }
  renderRundownSelect();
}

function onTally(tally) {
  state.tallies.set(tally.rundownId, tally);
  if (tally.rundownId === state.selectedId) {
    updateTallies();
    updateMonitors();
  }
}

function onFeedStatus(feed) {
  state.feeds.set(feed.path, feed);
  if (!feed.online) state.health.delete(feed.path);
  renderFeeds();
  renderSelected();
}

function onFeedHealth(healths) {
  for (const health of healths ?? []) {
    state.health.set(health.path, health);
    const tile = tiles.get(health.path);
    if (tile) updateTileHealth(tile, health);
  }
}

function onPullStarted(pull) {
  state.pulls.set(pull.id, pull);
  renderPulls();
}

function onPullEnded(pull) {
  state.pulls.delete(pull.id);
  renderPulls();
}

function selectRundown(id) {
  if (!state.rundowns.has(id)) return;
  state.selectedId = id;
  rememberSelection(id);
  closeEdit();
  renderRundownSelect();
  renderSelected();
}

// ---------------------------------------------------------------- rendering: top bar

let rundownOptionsKey = '';

function renderRundownSelect() {
  const rundowns = [...state.rundowns.values()];
  // Rebuilt only when titles change: rundownChanged comes on every edit, and rebuilding closes an open list.
  const key = JSON.stringify(rundowns.map((r) => [r.id, r.title, isReadOnly(r)]));
  if (key !== rundownOptionsKey) {
    rundownOptionsKey = key;
    const options = rundowns.map((r) => el('option', { value: r.id, text: isReadOnly(r) ? `${r.title} (shared, read-only)` : r.title }));
    dom.rundownSelect.replaceChildren(...(options.length ? options : [el('option', { value: '', text: 'No rundowns' })]));
  }
  dom.rundownSelect.value = state.selectedId ?? '';
  dom.rundownSelect.disabled = rundowns.length === 0;
}

function renderSelected() {
  const rundown = selectedRundown();
  document.title = rundown ? `${rundown.title} — LiveRelay Control` : 'LiveRelay Control';
  renderRundown();
  updateTallies();
  updateMonitors();
  updateTakeButton();
  renderPulls();
  // The links cover the program and each item's feed: fetch them again when those change.
  const key = rundown ? [rundown.id, ...sortedItems(rundown).map((item) => item.source)].join('\n') : '';
  if (key !== linksKey) {
    linksKey = key;
    refreshLinks();
  }
}

function updateTakeButton() {
  const rundown = selectedRundown();
  dom.take.disabled = !rundown?.previewItemId || takeInFlight || isReadOnly(rundown);
}

// ---------------------------------------------------------------- rendering: multiview

const tiles = new Map(); // path → tile (elements kept across renders so thumbnails stay)

const BADGES = ['resolution', 'fps', 'bitrate', 'keyframes', 'transport'];

function createTile(path) {
  const tile = {
    path,
    root: el('div', { class: 'tile', role: 'button', tabindex: '0', 'data-path': path, 'data-tally': 'none' }),
    number: el('span', { class: 'tile-number' }),
    tallyLabel: el('span', { class: 'tile-tally', 'aria-hidden': 'true' }),
    img: el('img', { class: 'tile-image', alt: '', hidden: true }),
    placeholder: el('div', { class: 'tile-placeholder', text: 'no picture yet' }),
    name: el('div', { class: 'tile-name' }),
    meterMask: el('div', { class: 'meter-mask' }),
    badges: Object.fromEntries(BADGES.map((kind) => [kind, el('span', { class: 'badge', 'data-badge': kind, hidden: true })])),
    thumbRequested: 0,
    thumbShown: 0,
  };
  tile.meter = el('div', { class: 'meter', 'data-empty': 'true', 'aria-hidden': 'true' }, tile.meterMask);
  const picture = el('div', { class: 'tile-picture' }, tile.img, tile.placeholder, tile.number, tile.tallyLabel, tile.meter);
  tile.root.append(picture, tile.name, el('div', { class: 'tile-badges' }, ...Object.values(tile.badges)));
  return tile;
}

/** Online feeds first, then offline ones; by name within each, so the numbers stay put. */
function displayFeeds() {
  const byName = (a, b) => collator.compare(a.name || a.path, b.name || b.path) || collator.compare(a.path, b.path);
  const feeds = [...state.feeds.values()];
  return [...feeds.filter((f) => f.online).sort(byName), ...feeds.filter((f) => !f.online).sort(byName)];
}

function renderFeeds() {
  const feeds = displayFeeds();
  state.numbered = feeds.filter((feed) => feed.online).slice(0, 9).map((feed) => feed.path);
  for (const path of tiles.keys()) {
    if (!state.feeds.has(path)) tiles.delete(path);
  }
  const nodes = feeds.map((feed) => {
    let tile = tiles.get(feed.path);
    if (!tile) tiles.set(feed.path, (tile = createTile(feed.path)));
    tile.root.dataset.online = String(Boolean(feed.online));
    tile.name.textContent = feed.name || feed.path;
    tile.name.title = feed.path;
    const index = state.numbered.indexOf(feed.path);
    tile.number.textContent = index >= 0 ? String(index + 1) : '';
    tile.number.hidden = index < 0;
    updateTileHealth(tile, feed.online ? state.health.get(feed.path) : null);
    return tile.root;
  });
  syncChildren(dom.multiview, nodes);
  dom.multiviewEmpty.hidden = nodes.length > 0;
  dom.feedPaths.replaceChildren(...feeds.map((feed) => el('option', { value: feed.path, label: feed.name || feed.path })));
  updateTallies();
}

function setBadge(badge, text, warn = false) {
  badge.textContent = text ?? '';
  badge.hidden = !text;
  badge.classList.toggle('badge-warn', Boolean(warn));
}

/** Updates a tile's figures in place: this runs for every feed once a second. */
function updateTileHealth(tile, health) {
  const { badges } = tile;
  const video = state.feeds.get(tile.path)?.video;
  const width = health?.width || video?.width;
  const height = health?.height || video?.height;
  setBadge(badges.resolution, width && height ? `${width}×${height}` : null);
  setBadge(badges.fps, isNumber(health?.frameRate) ? `${Math.round(health.frameRate * 10) / 10} fps` : null);
  setBadge(badges.bitrate, isNumber(health?.bitrateKbps) ? formatBitrate(health.bitrateKbps) : null);
  const gop = health?.keyframeIntervalSeconds;
  setBadge(badges.keyframes, isNumber(gop) && gop > 0 ? `GOP ${gop.toFixed(1)} s` : null, health?.secondsSinceKeyframe > 5);
  const transport = health?.transport;
  const srt = [
    isNumber(transport?.rttMs) ? `RTT ${Math.round(transport.rttMs)} ms` : null,
    isNumber(transport?.packetsLost) ? `lost ${transport.packetsLost}` : null,
  ].filter(Boolean).join(' · ');
  setBadge(badges.transport, srt ? `SRT ${srt}` : null, transport?.packetsLost > 0);
  updateMeter(tile, health?.audioLevelDb);
  if (health) loadThumbnail(tile, health.thumbnailVersion);
}

/** −60..0 dBFS → 0..1; the meter's colours (green, yellow from −18, red from −6) are a fixed gradient the mask uncovers. */
function updateMeter(tile, db) {
  const known = isNumber(db);
  const level = known ? Math.min(1, Math.max(0, (db + 60) / 60)) : 0;
  tile.meter.dataset.empty = String(!known);
  tile.meterMask.style.height = `${(1 - level) * 100}%`;
  tile.meter.title = known ? `Audio ${db.toFixed(1)} dBFS` : 'No audio level';
}

/** Loads a new thumbnail off-screen and swaps it in once decoded, so the old picture stays until then. */
function loadThumbnail(tile, version) {
  if (!isNumber(version) || version <= 0) return;
  // Versions start again from 1 when the server restarts.
  if (version < tile.thumbRequested) tile.thumbRequested = tile.thumbShown = 0;
  if (version <= tile.thumbRequested) return;
  tile.thumbRequested = version;
  const next = new Image();
  next.className = 'tile-image';
  next.alt = '';
  next.onload = () => {
    if (version <= tile.thumbShown) return;
    tile.thumbShown = version;
    tile.img.replaceWith(next);
    tile.img = next;
    tile.placeholder.hidden = true;
  };
  next.src = `/api/control/thumbnails/${escapePath(tile.path)}?v=${version}`;
}

function updateTallies() {
  const { program, preview } = tallyPaths();
  for (const tile of tiles.values()) {
    const tally = program.has(tile.path) ? 'program' : preview === tile.path ? 'preview' : 'none';
    tile.root.dataset.tally = tally;
    tile.tallyLabel.textContent = { program: 'PGM', preview: 'PVW', none: '' }[tally];
    const number = tile.number.hidden ? '' : ` ${tile.number.textContent}`;
    const status = { program: ', on program', preview: ', on preview', none: '' }[tally];
    const offline = tile.root.dataset.online === 'true' ? '' : ', offline';
    tile.root.setAttribute('aria-label', `Feed${number}: ${feedName(tile.path)}${status}${offline}`);
  }
}

// ---------------------------------------------------------------- rendering: monitors

/** One monitor: plays a stream path, re-creating its player after errors and stalls. */
class Monitor {
  constructor(video, status) {
    this.video = video;
    this.status = status;
    this.path = null;
    this.player = null;
    this.generation = 0; // tells stale async results and callbacks of destroyed players apart
    this.retryTimer = 0;
    this.lastTime = -1;
    video.addEventListener('playing', () => { this.status.hidden = true; });
    setInterval(() => this.checkStall(), STALL_CHECK_MS);
  }

  show(path, idleText) {
    if (!path) this.status.textContent = idleText;
    if (path === this.path) return;
    this.path = path;
    this.restart(0);
  }

  restart(delay) {
    clearTimeout(this.retryTimer);
    this.destroyPlayer();
    const generation = ++this.generation;
    this.status.hidden = false;
    if (!this.path) return;
    this.status.textContent = delay ? 'No signal — retrying…' : 'Connecting…';
    this.retryTimer = setTimeout(() => this.open(generation), delay);
  }

  async open(generation) {
    const fail = () => { if (generation === this.generation) this.restart(MONITOR_RETRY_MS); };
    let urls;
    try {
      if (!isConnected()) throw new Error('not connected');
      urls = await connection.invoke('GetMonitorUrls', this.path);
    } catch {
      fail();
      return;
    }
    if (generation !== this.generation) return;
    this.player = createPlayer(this.video, urls, fail);
    if (!this.player) this.status.textContent = 'This browser cannot play the monitor streams.';
  }

  destroyPlayer() {
    try { this.player?.destroy(); } catch { /* a broken player is being dropped anyway */ }
    this.player = null;
    this.lastTime = -1;
  }

  /** A live stream that stops sending data does not always raise an error: restart when the picture freezes. */
  checkStall() {
    if (!this.player || this.video.paused) return;
    const time = this.video.currentTime;
    if (time === this.lastTime) this.restart(0);
    else this.lastTime = time;
  }
}

/** Plays urls in video: HTTP-FLV through mpegts.js, else native HLS (Safari), else hls.js. Returns {destroy} or null. */
function createPlayer(video, urls, onFailure) {
  const play = () => { video.play()?.catch(() => { /* autoplay refused: stays paused */ }); };
  if (window.mpegts?.isSupported()) {
    const player = mpegts.createPlayer(
      { type: 'flv', isLive: true, url: new URL(urls.flv, location.href).href },
      { enableStashBuffer: false, liveBufferLatencyChasing: true });
    player.on(mpegts.Events.ERROR, onFailure);
    player.on(mpegts.Events.LOADING_COMPLETE, onFailure); // the live stream ended
    player.attachMediaElement(video);
    player.load();
    play();
    return { destroy: () => player.destroy() };
  }
  if (video.canPlayType('application/vnd.apple.mpegurl')) {
    video.addEventListener('error', onFailure);
    video.addEventListener('ended', onFailure);
    video.src = urls.hls;
    play();
    return {
      destroy() {
        video.removeEventListener('error', onFailure);
        video.removeEventListener('ended', onFailure);
        video.removeAttribute('src');
        video.load();
      },
    };
  }
  if (window.Hls?.isSupported()) {
    const hls = new Hls({ liveDurationInfinity: true });
    hls.on(Hls.Events.ERROR, (_event, data) => { if (data.fatal) onFailure(); });
    hls.loadSource(urls.hls);
    hls.attachMedia(video);
    play();
    return { destroy: () => hls.destroy() };
  }
  return null;
}

const previewMonitor = new Monitor($('preview-video'), $('preview-status'));
const programMonitor = new Monitor(dom.programVideo, $('program-status'));

const MODE_LABELS = { slate: 'SLATE', fallbackFeed: 'BACKUP', holding: 'HOLDING' };

function updateMonitors() {
  const rundown = selectedRundown();
  const { preview } = tallyPaths();
  const previewItem = rundown ? itemById(rundown, rundown.previewItemId) : null;
  previewMonitor.show(preview, previewItem ? 'The preview item has no source' : 'No preview');
  dom.previewName.textContent = previewItem ? `${previewItem.title}${preview ? ` · ${feedName(preview)}` : ''}` : '';

  const exists = Boolean(rundown && programExists(rundown));
  programMonitor.show(exists ? rundown.programPath : null, rundown ? 'No program yet: take an item' : 'No rundown');
  const tally = rundown ? state.tallies.get(rundown.id) : null;
  const showing = tally?.showingSource ?? tally?.programSource ?? (rundown && itemById(rundown, rundown.onAirItemId)?.source);
  const latency = isNumber(tally?.lastTakeLatencyMs) ? ` · take ${Math.round(tally.lastTakeLatencyMs)} ms` : '';
  dom.programName.textContent = rundown ? `${rundown.title}${showing ? ` · ${feedName(showing)}` : ''}${latency}` : '';
  const mode = MODE_LABELS[tally?.mode];
  dom.programMode.textContent = mode ?? '';
  dom.programMode.hidden = !mode;
}

function toggleProgramSound() {
  const video = dom.programVideo;
  video.muted = !video.muted;
  if (!video.muted) video.play()?.catch(() => {});
  dom.programMute.textContent = video.muted ? 'Unmute' : 'Mute';
  dom.programMute.setAttribute('aria-label', video.muted ? 'Unmute program monitor' : 'Mute program monitor');
}

// ---------------------------------------------------------------- rendering: rundown

const itemRows = new Map(); // itemId → row (kept across renders so an open edit form survives updates)
let editing = null;         // { itemId, form }

const STATE_LABELS = { pending: 'Pending', onAir: 'On air', done: 'Done' };

function createItemRow(itemId) {
  const row = {
    li: el('li', { class: 'item', 'data-item-id': itemId, draggable: 'true' }),
    position: el('span', { class: 'item-position' }),
    title: el('span', { class: 'item-title' }),
    duration: el('span', { class: 'item-duration' }),
    state: el('span', { class: 'item-state' }),
    source: el('span', { class: 'item-source' }),
    notes: el('span', { class: 'item-notes' }),
    buttons: {},
  };
  const actions = el('div', { class: 'item-actions' });
  for (const [action, text] of [['preview', 'Preview'], ['edit', 'Edit'], ['done', 'Done'], ['remove', 'Remove']]) {
    row.buttons[action] = el('button', { type: 'button', class: 'button button-small', 'data-action': action, text });
    actions.append(row.buttons[action]);
  }
  row.li.append(
    row.position,
    el('div', { class: 'item-head' }, row.title, row.duration, row.state),
    el('div', { class: 'item-line' }, el('div', { class: 'item-meta' }, row.source, row.notes), actions));
  return row;
}

function updateItemRow(row, item, index, rundown) {
  const readOnly = isReadOnly(rundown);
  const itemState = item.id === rundown.onAirItemId ? 'onAir' : item.state || 'pending';
  row.li.dataset.state = itemState;
  row.li.dataset.preview = String(item.id === rundown.previewItemId);
  row.li.draggable = !readOnly && editing?.itemId !== item.id;
  row.position.textContent = String(index + 1);
  row.title.textContent = item.title;
  row.duration.textContent = formatDuration(item.plannedDurationSeconds);
  row.state.textContent = item.id === rundown.previewItemId && itemState === 'pending' ? 'Preview' : STATE_LABELS[itemState] ?? itemState;
  row.source.textContent = item.source ? feedName(item.source) : 'no source';
  row.source.title = item.source ?? '';
  row.notes.textContent = item.notes ?? '';
  row.notes.title = item.notes ?? '';
  const label = `item ${index + 1}: ${item.title}`;
  row.buttons.preview.setAttribute('aria-label', `Preview ${label}`);
  row.buttons.edit.setAttribute('aria-label', `Edit ${label}`);
  row.buttons.done.setAttribute('aria-label', `Mark ${label} done`);
  row.buttons.remove.setAttribute('aria-label', `Remove ${label}`);
  for (const button of Object.values(row.buttons)) button.disabled = readOnly;
  row.buttons.done.disabled = readOnly || item.state === 'done';
}

function renderRundown() {
  const rundown = selectedRundown();
  const items = rundown ? sortedItems(rundown) : [];
  const nodes = items.map((item, index) => {
    let row = itemRows.get(item.id);
    if (!row) itemRows.set(item.id, (row = createItemRow(item.id)));
    updateItemRow(row, item, index, rundown);
    return row.li;
  });
  for (const id of itemRows.keys()) {
    if (!items.some((item) => item.id === id)) itemRows.delete(id);
  }
  if (editing && !itemRows.has(editing.itemId)) editing = null;
  syncChildren(dom.items, nodes);

  const readOnly = Boolean(rundown && isReadOnly(rundown));
  dom.rundownEmpty.hidden = items.length > 0;
  dom.rundownEmpty.textContent = !rundown ? 'Create a rundown to start.'
    : readOnly ? 'No items yet.' : 'No items yet: add one below, or press a feed.';
  dom.rundownInfo.textContent = rundown ? `${items.length} items · v${rundown.version}${readOnly ? ' · read-only' : ''}` : '';
  for (const field of dom.addForm.elements) field.disabled = !rundown || readOnly;
}

function onItemAction(event) {
  const button = event.target.closest('button[data-action]');
  const itemId = button?.closest('.item')?.dataset.itemId;
  const rundown = selectedRundown();
  if (!itemId || !rundown) return;
  const item = itemById(rundown, itemId);
  switch (button.dataset.action) {
    case 'preview': command('SetPreview', rundown.id, itemId, rundown.version); break;
    case 'edit': openEdit(itemId); break;
    case 'done': command('MarkDone', rundown.id, itemId, rundown.version); break;
    case 'remove':
      if (window.confirm(`Remove "${item?.title ?? 'this item'}" from the rundown?`)) {
        command('RemoveItem', rundown.id, itemId, rundown.version);
      }
      break;
  }
}

function openEdit(itemId) {
  closeEdit();
  const row = itemRows.get(itemId);
  const item = itemById(selectedRundown(), itemId);
  if (!row || !item) return;
  const field = (label, input) => el('label', { class: 'field' }, el('span', { text: label }), input);
  const title = el('input', { name: 'title', required: true, value: item.title });
  const source = el('input', { name: 'source', list: 'feed-paths', value: item.source ?? '' });
  const duration = el('input', { name: 'duration', type: 'number', min: '0', step: '1', value: item.plannedDurationSeconds ?? '' });
  const notes = el('textarea', { name: 'notes', rows: '2' });
  notes.value = item.notes ?? '';
  const form = el('form', { class: 'item-edit', 'aria-label': `Edit ${item.title}` },
    field('Title', title), field('Source', source), field('Duration (s)', duration), field('Notes', notes),
    el('div', { class: 'item-edit-buttons' },
      el('button', { type: 'submit', class: 'button button-primary', text: 'Save' }),
      el('button', { type: 'button', class: 'button', text: 'Cancel', onclick: (e) => closeEdit({ restoreFocus: e.detail === 0 }) })));
  form.addEventListener('submit', (event) => saveEdit(event, itemId));
  form.addEventListener('keydown', (event) => { if (event.key === 'Escape') closeEdit({ restoreFocus: true }); });
  editing = { itemId, form };
  row.li.draggable = false;
  row.li.classList.add('editing');
  row.li.append(form);
  form.scrollIntoView({ block: 'nearest' });
  title.focus({ preventScroll: true });
}

function closeEdit({ restoreFocus = false } = {}) {
  if (!editing) return;
  const row = itemRows.get(editing.itemId);
  editing.form.remove();
  editing = null;
  if (!row) return;
  row.li.classList.remove('editing');
  row.li.draggable = true; // editing is only offered on rundowns that may be changed
  if (restoreFocus) row.buttons.edit.focus();
}

async function saveEdit(event, itemId) {
  event.preventDefault();
  const fields = event.target.elements;
  const title = fields.title.value.trim();
  if (!title) {
    showCommandError('An item needs a title.');
    return;
  }
  const duration = fields.duration.value.trim();
  // Empty text clears a field on the server; a null field is left as it is.
  const patch = {
    title,
    source: fields.source.value.trim(),
    plannedDurationSeconds: duration === '' ? null : Math.round(Number(duration)),
    notes: fields.notes.value.trim(),
  };
  // The version is read now, so a retry after a refused (stale) save uses the rundown as it is now.
  const result = await withRundown((rundown) => command('UpdateItem', rundown.id, itemId, patch, rundown.version));
  if (result?.ok && editing?.itemId === itemId) {
    // Saved with Enter in a field: a keyboard user, who gets the focus back on the Edit button.
    closeEdit({ restoreFocus: editing.form.contains(document.activeElement) && !(document.activeElement instanceof HTMLButtonElement) });
  }
}

async function addItem(event) {
  event.preventDefault();
  const fields = dom.addForm.elements;
  const title = fields.title.value.trim();
  if (!title) {
    fields.title.focus();
    return;
  }
  const duration = fields.duration.value.trim();
  const item = {
    title,
    source: fields.source.value.trim() || null,
    plannedDurationSeconds: duration === '' ? null : Math.round(Number(duration)),
  };
  const result = await withRundown((rundown) => command('AddItem', rundown.id, item, rundown.version));
  if (result?.ok) {
    dom.addForm.reset();
    fields.title.focus();
  }
}

// Drag and drop reordering: the drop sends the whole new order with the version it was made on.
let dragItemId = null;
let dropMarker = null; // { li, after }

const closestItem = (node) => (node instanceof Element ? node : node?.parentElement)?.closest('.item') ?? null;

function clearDrag() {
  dropMarker?.li.classList.remove('drop-before', 'drop-after');
  dropMarker = null;
  dom.items.querySelector('.dragging')?.classList.remove('dragging');
  dragItemId = null;
}

function onDragStart(event) {
  const li = closestItem(event.target);
  if (!li || !li.draggable) return;
  dragItemId = li.dataset.itemId;
  event.dataTransfer.effectAllowed = 'move';
  event.dataTransfer.setData('text/plain', dragItemId); // Firefox starts no drag without data
  li.classList.add('dragging');
}

function onDragOver(event) {
  const li = closestItem(event.target);
  if (!dragItemId || !li) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = 'move';
  const box = li.getBoundingClientRect();
  const after = event.clientY > box.top + box.height / 2;
  if (dropMarker?.li !== li || dropMarker.after !== after) {
    dropMarker?.li.classList.remove('drop-before', 'drop-after');
    li.classList.add(after ? 'drop-after' : 'drop-before');
    dropMarker = { li, after };
  }
}

function onDrop(event) {
  event.preventDefault();
  const rundown = selectedRundown();
  const moved = dragItemId;
  const target = dropMarker;
  clearDrag();
  if (!rundown || !moved || !target || target.li.dataset.itemId === moved) return;
  const order = sortedItems(rundown).map((item) => item.id);
  const ids = order.filter((id) => id !== moved);
  ids.splice(ids.indexOf(target.li.dataset.itemId) + (target.after ? 1 : 0), 0, moved);
  if (ids.join() !== order.join()) command('ReorderItems', rundown.id, ids, rundown.version);
}

// ---------------------------------------------------------------- rendering: alerts

const ALERT_KINDS = {
  feedLost: 'Feed lost', noKeyframe: 'No keyframe', bitrateCollapse: 'Bitrate collapse',
  audioSilent: 'Audio silent', fallback: 'Fallback',
};

function upsertAlert(alert, announce) {
  const known = state.alerts.get(alert.id);
  const clearedAt = alert.cleared ? known?.clearedAt ?? Date.now() : null;
  state.alerts.set(alert.id, { ...alert, clearedAt });
  if (announce && !alert.cleared) dom.announcer.textContent = `Alert: ${alert.message}`;
  if (announce) renderAlerts();
}

function renderAlerts() {
  const now = Date.now();
  const byTime = (a, b) => (Date.parse(b.at) || 0) - (Date.parse(a.at) || 0);
  const alerts = [...state.alerts.values()].filter((a) => !a.cleared || now - a.clearedAt < CLEARED_ALERT_MS);
  const sorted = [...alerts.filter((a) => !a.cleared).sort(byTime), ...alerts.filter((a) => a.cleared).sort(byTime)]
    .slice(0, MAX_ALERTS);
  state.alerts = new Map(sorted.map((alert) => [alert.id, alert]));

  dom.alertList.replaceChildren(...sorted.map((alert) => el('li', {
    class: 'alert', 'data-severity': alert.severity, 'data-cleared': String(Boolean(alert.cleared)),
  },
  el('time', { class: 'alert-time', datetime: alert.at, text: formatTime(alert.at) }),
  el('span', { class: 'alert-kind', text: ALERT_KINDS[alert.kind] ?? alert.kind }),
  el('span', { class: 'alert-path', text: alert.path }),
  el('span', { class: 'alert-message', text: alert.cleared ? `${alert.message} (cleared)` : alert.message }))));

  const active = sorted.filter((alert) => !alert.cleared).length;
  dom.alertCount.textContent = String(active);
  dom.alertCount.hidden = active === 0;
  dom.alertsEmpty.hidden = sorted.length > 0;
}

// ---------------------------------------------------------------- rendering: partner links and pulls

let lastLinksJson = '';
let linksKey = ''; // the rundown and item sources the shown links were fetched for

async function refreshLinks() {
  const rundown = selectedRundown();
  if (!rundown) {
    renderShares([]);
    return;
  }
  if (!isConnected()) return;
  try {
    const shares = await connection.invoke('GetLinks', rundown.id);
    if (rundown.id === state.selectedId) renderShares(shares ?? []);
  } catch {
    // Kept as they are; the next refresh tries again.
  }
}

const LINK_KINDS = [['HLS', 'hls'], ['HTTP-FLV', 'httpFlv'], ['RTMP', 'rtmp'], ['SRT', 'srt']];

function renderShares(shares) {
  // Rebuilt only when something changed, so a half-selected link is not lost every 30 s.
  const json = JSON.stringify(shares);
  if (json === lastLinksJson && dom.shareList.childElementCount) return;
  lastLinksJson = json;
  if (!shares.length) {
    dom.shareList.replaceChildren(el('p', { class: 'empty', text: 'Not shared with any partner station.' }));
    return;
  }
  dom.shareList.replaceChildren(...shares.map(renderShare));
}

function renderShare(share) {
  const station = share.stationName || share.stationId;
  const expired = share.expiresAt && Date.parse(share.expiresAt) < Date.now();
  const status = share.revokedAt ? 'revoked' : expired ? 'expired'
    : share.expiresAt ? `until ${formatDateTime(share.expiresAt)}` : 'no expiry';
  const streams = [share.program && { ...share.program, isProgram: true }, ...(share.feeds ?? [])].filter(Boolean);
  return el('div', { class: 'share', 'data-share-id': share.shareId, 'data-active': String(!share.revokedAt && !expired) },
    el('div', { class: 'share-head' }, el('strong', { text: station }), el('span', { class: 'share-expiry', text: status })),
    ...streams.map((links) => el('div', { class: 'share-stream' },
      el('div', { class: 'share-stream-title', text: links.isProgram ? links.title || `Program · ${links.stream}` : links.title || links.stream }),
      ...LINK_KINDS.filter(([, key]) => links[key]).map(([kind, key]) =>
        renderLink(kind, links[key], links.isProgram ? `Copy ${kind} link for ${station}` : `Copy ${kind} link of ${links.title || links.stream} for ${station}`)))));
}

function renderLink(kind, url, label) {
  const input = el('input', { class: 'link-text', readonly: true, value: url, 'aria-label': `${kind} link` });
  const button = el('button', { type: 'button', class: 'button button-small', 'aria-label': label, text: 'Copy' });
  button.addEventListener('click', () => copyLink(input, button));
  return el('div', { class: 'link-row' }, el('span', { class: 'link-kind', text: kind }), input, button);
}

async function copyLink(input, button) {
  let copied = false;
  try {
    await navigator.clipboard.writeText(input.value);
    copied = true;
  } catch {
    // No clipboard API (plain HTTP is not a secure context) or refused: the older way.
    input.focus();
    input.select();
    try { copied = document.execCommand('copy'); } catch { copied = false; }
  }
  button.textContent = copied ? 'Copied' : 'Press Ctrl+C';
  setTimeout(() => { button.textContent = 'Copy'; }, 1500);
}

function renderPulls() {
  const rundown = selectedRundown();
  const streams = new Set(rundown ? [rundown.programPath, ...(rundown.items ?? []).map((item) => item.source)] : []);
  const pulls = [...state.pulls.values()]
    .filter((pull) => streams.has(pull.streamPath))
    .sort((a, b) => (Date.parse(b.startedAt) || 0) - (Date.parse(a.startedAt) || 0));
  if (!pulls.length) {
    dom.pulls.replaceChildren(el('li', { class: 'empty', text: 'Nobody is pulling this rundown now.' }));
    return;
  }
  dom.pulls.replaceChildren(...pulls.map((pull) => el('li', { class: 'pull', 'data-pull-id': pull.id },
    el('strong', { text: pull.stationName || pull.stationId }),
    el('span', { class: 'pull-protocol', text: String(pull.protocol ?? '').toUpperCase() }),
    el('span', { class: 'pull-stream', text: pull.streamPath === rundown.programPath ? 'program' : feedName(pull.streamPath) }),
    el('span', { class: 'pull-address', text: pull.remoteAddress ?? '' }),
    el('time', { datetime: pull.startedAt, text: `since ${formatTime(pull.startedAt)}` }))));
}

// ---------------------------------------------------------------- keyboard and wiring

const isTextEntry = (target) =>
  target instanceof Element && Boolean(target.closest('input, textarea, select, [contenteditable], .item-edit'));

function onKeyDown(event) {
  if (dom.app.hidden || event.ctrlKey || event.metaKey || event.altKey || isTextEntry(event.target)) return;
  // Key codes first, so digits work on layouts where they need Shift (AZERTY).
  const digit = /^(?:Digit|Numpad)([1-9])$/.exec(event.code)?.[1] ?? (/^[1-9]$/.test(event.key) ? event.key : null);
  if (digit) {
    event.preventDefault();
    const path = state.numbered[Number(digit) - 1];
    if (path && !event.repeat) previewSource(path);
    return;
  }
  if (event.key !== ' ' && event.key !== 'Enter') return;
  // A focused button (or tile) answers Space and Enter itself.
  if (event.target instanceof Element && event.target.closest('button, a[href], [role="button"]')) return;
  event.preventDefault();
  if (!event.repeat) take();
}

function onTileKey(event) {
  const tile = event.target.closest('.tile');
  if (!tile || (event.key !== 'Enter' && event.key !== ' ')) return;
  event.preventDefault();
  if (!event.repeat) previewSource(tile.dataset.path);
}

/**
 * After a mouse click, buttons keep the focus, and then Space or Enter would press them again
 * instead of taking. Dropping the focus after pointer clicks keeps the hot keys working;
 * keyboard users (click events with detail 0) keep their focus.
 */
function releasePointerFocus(event) {
  if (event.detail === 0 || !(event.target instanceof Element)) return;
  const control = event.target.closest('button, [role="button"]');
  if (control && !control.closest('form')) control.blur();
}

function wire() {
  dom.loginForm.addEventListener('submit', submitLogin);
  dom.signOut.addEventListener('click', signOut);
  dom.newRundown.addEventListener('click', createRundown);
  dom.rundownSelect.addEventListener('change', () => selectRundown(dom.rundownSelect.value));
  $('command-error-dismiss').addEventListener('click', hideCommandError);
  dom.take.addEventListener('click', take);
  dom.programMute.addEventListener('click', toggleProgramSound);
  dom.multiview.addEventListener('click', (event) => {
    const tile = event.target.closest('.tile');
    if (tile) previewSource(tile.dataset.path);
  });
  dom.multiview.addEventListener('keydown', onTileKey);
  dom.items.addEventListener('click', onItemAction);
  dom.items.addEventListener('dragstart', onDragStart);
  dom.items.addEventListener('dragover', onDragOver);
  dom.items.addEventListener('drop', onDrop);
  dom.items.addEventListener('dragend', clearDrag);
  dom.addForm.addEventListener('submit', addItem);
  document.addEventListener('keydown', onKeyDown);
  document.addEventListener('click', releasePointerFocus);
  document.addEventListener('visibilitychange', () => {
    // Thumbnails and meters cost the server work: only while someone looks.
    if (isConnected()) connection.invoke('SetWatching', !document.hidden).catch(() => {});
  });
  setInterval(renderAlerts, 10000); // drops cleared alerts after a minute
  setInterval(refreshLinks, LINKS_REFRESH_MS);
}

async function start() {
  wire();
  dom.login.hidden = true; // while we ask whether the cookie is still good
  const me = await fetchMe();
  if (me.user) enter(me.user);
  else showLogin(me.status === 401 ? '' : 'Could not check the sign-in with the server. Sign in to try again.');
}

start();
