// CLBch@t counsellor console: queue, several chats at once, over /ws/console (docs/protocol.md).
//
// Plain ES module, no framework, no build step. Everything that comes from people (nicknames,
// messages, display names) is put in the page as text (textContent / Text nodes), never as HTML.

const root = document.getElementById("console");

const ROLE_LABELS = { pupil: "Leerling", parent: "Ouder", other: "Anders" };
const ENDED_BY = { visitor: "door bezoeker", counsellor: "door jou", system: "door systeem" };
const ERROR_TEXT = {
  already_taken: "Een collega nam deze bezoeker al.",
  queue_empty: "Er wacht niemand in de wachtrij.",
  chat_limit: "Je hebt al het maximum aantal gesprekken open.",
  not_your_chat: "Dit gesprek is niet (meer) van jou.",
  wrong_state: "Dat kan nu niet meer: het gesprek is beëindigd.",
  too_long: "Je bericht is te lang (hoogstens 2000 tekens). Het is niet verstuurd.",
  rate_limited: "Te veel berichten na elkaar; dit werd niet verstuurd. Probeer het zo opnieuw.",
  bad_json: "De server begreep een bericht niet.",
  binary_not_supported: "De server begreep een bericht niet.",
  unknown_type: "De server kent deze opdracht niet.",
};

const MESSAGE_MAX = 2000;
const TYPING_REFRESH_MS = 2000; // send typing:true at most this often while typing
const TYPING_IDLE_MS = 3000; // send typing:false after this long without a keystroke
const REMOTE_TYPING_TIMEOUT_MS = 8000; // hide "… typt" if no update came (a lost typing:false)
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 10000;
const PING_EVERY_MS = 25000;
const STALE_AFTER_MS = 70000; // nothing received for this long: the socket is dead, reconnect
const TAKE_TIMEOUT_MS = 6000;
const STATUS_CLEAR_MS = 15000;
const MUTE_KEY = "clbchat.console.muted";
const CLOSED_KEY = "clbchat.console.closed";

// ---------------------------------------------------------------------------------------------
// Small DOM helpers

/** Create an element. Children that are strings become Text nodes (never parsed as HTML). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child != null && child !== false) el.append(child);
  return el;
}

const timeFmt = new Intl.DateTimeFormat("nl-BE", { hour: "2-digit", minute: "2-digit" });

function fmtClock(iso) {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(t) ? "" : timeFmt.format(new Date(t));
}

function fmtWaiting(iso, now = Date.now()) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "";
  const secs = Math.max(0, Math.floor((now - t) / 1000));
  if (secs < 60) return `${secs} s`;
  const mins = Math.floor(secs / 60);
  if (mins < 60) return `${mins} min`;
  return `${Math.floor(mins / 60)} u ${mins % 60} min`;
}

const roleLabel = (role) => ROLE_LABELS[role] ?? "—";
const nickOf = (value) => (typeof value === "string" && value.trim() ? value : "Bezoeker");

function truncate(text, n = 140) {
  const s = String(text ?? "").replace(/\s+/g, " ").trim();
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function newClientId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  // randomUUID only exists in secure contexts; plain http on a LAN address still needs an id.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// `store` is "localStorage" or "sessionStorage"; touching either can throw (blocked storage).
function storageGet(store, key) {
  try {
    return window[store].getItem(key);
  } catch {
    return null;
  }
}

function storageSet(store, key, value) {
  try {
    window[store].setItem(key, value);
  } catch {
    /* private mode or full: the choice just isn't remembered */
  }
}

// ---------------------------------------------------------------------------------------------
// Page elements and state

const q = (testid) => root.querySelector(`[data-testid="${testid}"]`);
const ui = {
  status: q("console-status"),
  conn: q("connection-state"),
  mute: q("mute-toggle"),
  count: q("queue-count"),
  online: q("counsellors-online"),
  takeNext: q("take-next"),
  limit: q("queue-limit"),
  list: q("queue-list"),
  empty: q("queue-empty"),
  more: q("queue-more"),
  noChats: q("no-chats"),
  panes: q("chat-panes"),
  live: q("live-region"),
  userName: q("user-name"),
};

function readClosed() {
  try {
    const ids = JSON.parse(storageGet("sessionStorage", CLOSED_KEY) || "[]");
    return Array.isArray(ids) ? ids.filter(Number.isInteger) : [];
  } catch {
    return [];
  }
}

const maxFromPage = Number.parseInt(root.dataset.maxChats ?? "", 10);

const state = {
  me: {
    displayName: root.dataset.displayName || "",
    role: root.dataset.role || "counsellor",
    maxChats: Number.isFinite(maxFromPage) && maxFromPage > 0 ? maxFromPage : 2,
  },
  chats: new Map(), // conversation id -> chat (see createChat)
  closed: new Set(readClosed()),
  queue: { waiting: 0, head: [], online: null },
  prevWaiting: null,
  muted: storageGet("localStorage", MUTE_KEY) === "1",
  ws: null,
  ready: false, // socket open and `hello` received
  backoff: BACKOFF_MIN_MS,
  reconnectTimer: null,
  lastReceived: 0,
  lastPing: 0,
  takeInFlight: null, // timer while a `take` waits for its `chat` or `error`
  expired: false,
};

const baseTitle = document.title;

// ---------------------------------------------------------------------------------------------
// Status line (role="alert"), live region, connection badge

let statusTimer = null;

function showStatus(text, kind = "error", extra = null) {
  clearTimeout(statusTimer);
  ui.status.textContent = "";
  ui.status.dataset.kind = kind;
  ui.status.append(text);
  if (extra) ui.status.append(" ", extra);
  if (kind !== "sticky") statusTimer = setTimeout(() => (ui.status.textContent = ""), STATUS_CLEAR_MS);
}

function announce(text) {
  ui.live.append(h("p", {}, text));
  while (ui.live.childElementCount > 6) ui.live.firstElementChild.remove();
}

function setConn(kind, text) {
  ui.conn.dataset.state = kind;
  ui.conn.textContent = text;
}

// ---------------------------------------------------------------------------------------------
// Sound: a short two-tone beep made with the Web Audio API, muted with the toggle

let audioCtx = null;

function audio() {
  if (!audioCtx) {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return null;
    try {
      audioCtx = new Ctx();
    } catch {
      return null;
    }
  }
  if (audioCtx.state === "suspended") audioCtx.resume().catch(() => {});
  return audioCtx;
}

// Browsers only allow sound after a user gesture: unlock the audio context on the first one.
for (const evt of ["pointerdown", "keydown"]) {
  document.addEventListener(evt, () => audio(), { once: true, capture: true });
}

function beep({ count = true } = {}) {
  if (state.muted) return;
  if (count) root.dataset.beeps = String((Number(root.dataset.beeps) || 0) + 1);
  const ctx = audio();
  if (!ctx) return;
  const t0 = ctx.currentTime + 0.02;
  for (const [freq, at] of [[880, 0], [1320, 0.17]]) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = "sine";
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, t0 + at);
    gain.gain.exponentialRampToValueAtTime(0.2, t0 + at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + at + 0.15);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t0 + at);
    osc.stop(t0 + at + 0.17);
  }
}

function renderMute() {
  ui.mute.setAttribute("aria-pressed", String(state.muted));
  ui.mute.dataset.muted = String(state.muted);
  ui.mute.title = state.muted
    ? "Geluid staat uit: geen signaal bij nieuwe bezoekers. Klik om het weer aan te zetten."
    : "Geluid staat aan: een kort signaal bij nieuwe bezoekers. Klik om het uit te zetten.";
}

ui.mute.addEventListener("click", () => {
  state.muted = !state.muted;
  storageSet("localStorage", MUTE_KEY, state.muted ? "1" : "0");
  renderMute();
  announce(state.muted ? "Geluid uit." : "Geluid aan.");
  if (!state.muted) beep({ count: false }); // let the counsellor hear that it works
});

// ---------------------------------------------------------------------------------------------
// WebSocket connection with reconnect

function wsUrl() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${root.dataset.wsPath || "/ws/console"}`;
}

function send(frame) {
  const ws = state.ws;
  if (!ws || ws.readyState !== WebSocket.OPEN || !state.ready) return false;
  ws.send(JSON.stringify(frame));
  return true;
}

function connect() {
  clearTimeout(state.reconnectTimer);
  state.reconnectTimer = null;
  if (state.expired) return;
  setConn("connecting", "Verbinden…");
  let ws;
  try {
    ws = new WebSocket(wsUrl());
  } catch {
    scheduleReconnect();
    return;
  }
  let opened = false;
  state.ws = ws;
  state.ready = false;
  ws.addEventListener("open", () => {
    opened = true;
    state.lastReceived = Date.now();
  });
  ws.addEventListener("message", (ev) => {
    if (state.ws !== ws) return;
    state.lastReceived = Date.now();
    if (typeof ev.data !== "string") return;
    let frame;
    try {
      frame = JSON.parse(ev.data);
    } catch {
      return;
    }
    if (frame && typeof frame === "object" && !Array.isArray(frame)) handleFrame(frame);
  });
  ws.addEventListener("close", () => {
    if (state.ws !== ws) return; // a socket we already gave up on
    lostSocket();
    if (opened) scheduleReconnect();
    else checkSessionThenReconnect();
  });
}

function lostSocket() {
  state.ws = null;
  state.ready = false;
  clearTake();
  for (const chat of state.chats.values()) {
    clearTimeout(chat.typingIdleTimer);
    chat.typingActive = false;
    showRemoteTyping(chat, false);
    for (const p of chat.pending.values()) setMsgState(p.el, "wacht op verbinding…");
  }
  updateTakeButtons();
}

function scheduleReconnect() {
  if (state.expired || state.reconnectTimer) return;
  const delay = Math.round(state.backoff * (0.8 + Math.random() * 0.4));
  state.backoff = Math.min(state.backoff * 2, BACKOFF_MAX_MS);
  const secs = Math.max(1, Math.round(delay / 1000));
  setConn("offline", `Verbinding verbroken – opnieuw verbinden${delay >= 1500 ? ` over ${secs} s` : ""}…`);
  state.reconnectTimer = setTimeout(connect, delay);
}

// A handshake refused with 403 looks like any failed connect; ask the page whether we are still
// logged in before hammering the socket.
async function checkSessionThenReconnect() {
  try {
    const res = await fetch(root.dataset.indexUrl || "/console/", {
      redirect: "manual",
      credentials: "same-origin",
      cache: "no-store",
    });
    if (res.type === "opaqueredirect" || res.status === 401 || res.status === 403) {
      sessionExpired();
      return;
    }
  } catch {
    /* server unreachable: just retry */
  }
  scheduleReconnect();
}

function sessionExpired() {
  state.expired = true;
  setConn("offline", "Afgemeld");
  const link = h("a", { href: root.dataset.loginUrl || "/console/login" }, "Opnieuw aanmelden");
  showStatus("Je sessie is verlopen.", "sticky", link);
}

// Heartbeat: keep proxies from closing an idle socket, and notice a dead one.
setInterval(() => {
  const ws = state.ws;
  if (!ws || ws.readyState !== WebSocket.OPEN) return;
  const now = Date.now();
  if (now - state.lastReceived > STALE_AFTER_MS) {
    lostSocket();
    try {
      ws.close();
    } catch {
      /* ignore */
    }
    scheduleReconnect();
    return;
  }
  if (state.ready && now - state.lastPing >= PING_EVERY_MS) {
    state.lastPing = now;
    send({ type: "ping" });
  }
}, 5000);

window.addEventListener("online", () => {
  if (!state.ws && state.reconnectTimer) {
    state.backoff = BACKOFF_MIN_MS;
    connect();
  }
});

// ---------------------------------------------------------------------------------------------
// Frames from the server

function handleFrame(f) {
  switch (f.type) {
    case "hello":
      return onHello(f);
    case "queue":
      return onQueue(f);
    case "chat":
      return onChat(f);
    case "message":
      return onMessage(f);
    case "ack":
      return onAck(f);
    case "typing":
      return onTyping(f);
    case "presence":
      return onPresence(f);
    case "ended":
      return onEnded(f);
    case "error":
      return onError(f);
    default:
      return undefined; // pong and anything unknown
  }
}

function onHello(f) {
  state.ready = true;
  state.backoff = BACKOFF_MIN_MS;
  state.lastPing = Date.now();
  setConn("online", "Verbonden");
  const me = f.counsellor;
  if (me && typeof me === "object") {
    if (Number.isInteger(me.max_chats) && me.max_chats > 0) state.me.maxChats = me.max_chats;
    if (typeof me.display_name === "string" && me.display_name) {
      state.me.displayName = me.display_name;
      ui.userName.textContent = me.display_name;
    }
    if (me.role) state.me.role = me.role;
  }
  const seen = new Set();
  for (const c of Array.isArray(f.chats) ? f.chats : []) {
    if (!c || !Number.isInteger(c.id)) continue;
    seen.add(c.id);
    if (c.status === "ended" && state.closed.has(c.id) && !state.chats.has(c.id)) continue;
    upsertChat(c);
  }
  // A chat that was open here but the server no longer lists ended while we were away.
  for (const chat of state.chats.values()) {
    if (!seen.has(chat.id) && chat.status !== "ended") markEnded(chat, null, { quiet: true });
  }
  // Resend what was never acknowledged, with the same client_id: the server stores it once.
  for (const chat of state.chats.values()) {
    if (chat.status === "ended") continue;
    for (const [clientId, p] of chat.pending) {
      if (send({ type: "message", conversation_id: chat.id, client_id: clientId, text: p.text })) {
        setMsgState(p.el, "wordt verzonden…");
      }
    }
  }
  updateTakeButtons();
}

function onChat(f) {
  const c = f.chat;
  if (!c || !Number.isInteger(c.id)) return;
  const wasTaking = state.takeInFlight !== null;
  const isNew = !state.chats.has(c.id);
  clearTake();
  if (c.status !== "ended") state.closed.delete(c.id);
  const chat = upsertChat(c);
  if (isNew) {
    announce(`Nieuw gesprek met ${chat.nickname} (${roleLabel(chat.visitorRole)}).`);
    const active = document.activeElement;
    const typingElsewhere = active && active.tagName === "TEXTAREA" && active !== chat.els.input;
    if (wasTaking && !typingElsewhere && chat.status !== "ended") chat.els.input.focus();
  }
  updateTakeButtons();
}

function onMessage(f) {
  const chat = state.chats.get(f.conversation_id);
  if (!chat || !Number.isInteger(f.seq)) return;
  const before = chat.lastSeq;
  const stick = nearBottom(chat);
  if (!addMessage(chat, f)) return;
  if (f.seq > before + 1) requestSync(chat, before);
  if (f.sender === "visitor") {
    showRemoteTyping(chat, false);
    announce(`${chat.nickname}: ${truncate(f.text)}`);
    if (!chat.els.pane.contains(document.activeElement)) chat.els.pane.classList.add("unread");
  }
  if (stick || f.sender === "counsellor") scrollToBottom(chat);
}

function onAck(f) {
  const chat = state.chats.get(f.conversation_id);
  if (!chat || !Number.isInteger(f.seq) || typeof f.client_id !== "string") return;
  const p = chat.pending.get(f.client_id) ?? chat.failed.get(f.client_id);
  if (!p) return; // already confirmed by its `message`
  chat.pending.delete(f.client_id);
  chat.failed.delete(f.client_id);
  if (chat.seqs.has(f.seq)) {
    p.el.remove(); // stored and shown already under this seq
    return;
  }
  confirmEl(p.el, { seq: f.seq });
  rememberSeq(chat, f.seq, "counsellor", f.client_id);
  placeBySeq(chat, p.el, f.seq);
}

function onTyping(f) {
  const chat = state.chats.get(f.conversation_id);
  if (chat && chat.status !== "ended") showRemoteTyping(chat, f.active === true);
}

function onPresence(f) {
  const chat = state.chats.get(f.conversation_id);
  if (!chat || chat.status === "ended") return;
  const connected = f.visitor_connected !== false;
  if (connected === chat.visitorConnected) return;
  setPresence(chat, connected);
  announce(connected ? `${chat.nickname} is terug verbonden.` : `Verbinding met ${chat.nickname} wordt hersteld…`);
}

function onEnded(f) {
  const chat = state.chats.get(f.conversation_id);
  if (chat) markEnded(chat, f.by ?? null);
}

function onError(f) {
  const code = String(f.code ?? "");
  const chat = Number.isInteger(f.conversation_id) ? state.chats.get(f.conversation_id) : null;
  if (typeof f.client_id === "string") {
    for (const c of chat ? [chat] : state.chats.values()) {
      const p = c.pending.get(f.client_id);
      if (p) {
        failMessage(c, f.client_id, code === "too_long" ? "te lang, niet verstuurd" : "niet verstuurd");
        break;
      }
    }
  } else if (["already_taken", "queue_empty", "chat_limit", "not_your_chat", "invalid"].includes(code)) {
    clearTake();
  }
  let text = ERROR_TEXT[code];
  if (!text) text = f.message ? String(f.message) : `Er ging iets mis (${code || "onbekend"}).`;
  else if (code === "invalid" && f.message) text = `${text} ${f.message}`;
  if (chat && !["already_taken", "queue_empty", "chat_limit"].includes(code)) text = `${chat.nickname}: ${text}`;
  showStatus(text);
  updateTakeButtons();
}

// ---------------------------------------------------------------------------------------------
// Queue

function onQueue(f) {
  const waiting = Number.isInteger(f.waiting) && f.waiting >= 0 ? f.waiting : 0;
  const prev = state.prevWaiting;
  const online = Array.isArray(f.counsellors_online) ? f.counsellors_online.length : f.counsellors_online;
  state.queue = { waiting, head: Array.isArray(f.head) ? f.head : [], online };
  renderQueue();
  if (prev !== null && waiting !== prev) {
    if (waiting > prev) {
      signalNewVisitor();
      announce(`Nieuwe bezoeker in de wachtrij. ${waiting} wachtend.`);
    } else {
      announce(waiting === 0 ? "Niemand meer in de wachtrij." : `Wachtrij: ${waiting} wachtend.`);
    }
  }
  state.prevWaiting = waiting;
}

function signalNewVisitor() {
  const badge = ui.count;
  badge.classList.remove("pulse");
  void badge.offsetWidth; // restart the animation
  badge.classList.add("pulse");
  clearTimeout(signalNewVisitor.timer);
  signalNewVisitor.timer = setTimeout(() => badge.classList.remove("pulse"), 2600);
  beep();
}

function renderQueue() {
  const { waiting, head, online } = state.queue;
  ui.count.textContent = String(waiting);
  ui.count.classList.toggle("has-waiting", waiting > 0);
  ui.count.setAttribute("aria-label", waiting === 1 ? "1 bezoeker wacht" : `${waiting} bezoekers wachten`);
  document.title = waiting > 0 ? `(${waiting}) ${baseTitle}` : baseTitle;
  ui.online.textContent = Number.isInteger(online)
    ? `Chatmedewerkers online: ${online}`
    : "Chatmedewerkers online: –";

  // Keyed update: keep existing rows (and a focused "Neem" button) where they are.
  const existing = new Map();
  for (const row of ui.list.children) existing.set(row.dataset.conversationId, row);
  const now = Date.now();
  let index = 0;
  for (const entry of head) {
    if (!entry || !Number.isInteger(entry.id)) continue;
    const key = String(entry.id);
    let row = existing.get(key);
    if (row) existing.delete(key);
    else row = createQueueRow(entry);
    updateQueueRow(row, entry, now);
    const at = ui.list.children[index];
    if (at !== row) ui.list.insertBefore(row, at ?? null);
    index += 1;
  }
  for (const row of existing.values()) {
    const hadFocus = row.contains(document.activeElement);
    row.remove();
    if (hadFocus) (ui.list.querySelector("button:not([disabled])") ?? ui.takeNext).focus();
  }
  ui.empty.hidden = waiting > 0 || index > 0;
  const more = waiting - index;
  ui.more.hidden = more <= 0;
  ui.more.textContent = more > 0 ? `en nog ${more} meer` : "";
  updateTakeButtons();
}

function createQueueRow(entry) {
  const nick = h("span", { class: "qr-nick" });
  const role = h("span", { class: "qr-role" });
  const wait = h("span", { class: "qr-wait", "data-testid": "queue-wait" });
  const take = h("button", { type: "button", class: "btn btn-small qr-take", "data-testid": "queue-take" }, "Neem");
  take.addEventListener("click", () => takeChat(entry.id));
  const row = h(
    "li",
    { class: "queue-row", "data-testid": "queue-row", "data-conversation-id": entry.id },
    h("span", { class: "qr-who" }, nick, role),
    wait,
    take,
  );
  row._els = { nick, role, wait, take };
  return row;
}

function updateQueueRow(row, entry, now) {
  const nick = nickOf(entry.nickname);
  row._els.nick.textContent = nick;
  row._els.role.textContent = roleLabel(entry.visitor_role);
  row.dataset.requestedAt = entry.requested_at ?? "";
  row._els.wait.textContent = fmtWaiting(entry.requested_at, now);
  row._els.wait.title = entry.requested_at ? `In de wachtrij sinds ${fmtClock(entry.requested_at)}` : "";
  row._els.take.setAttribute("aria-label", `Neem ${nick}`);
}

// Waiting times tick every second.
setInterval(() => {
  const now = Date.now();
  for (const row of ui.list.children) {
    if (row._els) row._els.wait.textContent = fmtWaiting(row.dataset.requestedAt, now);
  }
}, 1000);

function openChatCount() {
  let n = 0;
  for (const chat of state.chats.values()) if (chat.status !== "ended") n += 1;
  return n;
}

function updateTakeButtons() {
  const atLimit = openChatCount() >= state.me.maxChats;
  const disabled = !state.ready || atLimit || state.takeInFlight !== null;
  ui.takeNext.disabled = disabled;
  for (const row of ui.list.children) if (row._els) row._els.take.disabled = disabled;
  ui.limit.hidden = !atLimit;
  ui.limit.textContent = atLimit
    ? `Je hebt ${state.me.maxChats === 1 ? "1 gesprek" : `${state.me.maxChats} gesprekken`} open: het maximum.`
    : "";
  ui.noChats.hidden = state.chats.size > 0;
}

function takeChat(conversationId = null) {
  if (state.takeInFlight !== null) return;
  if (openChatCount() >= state.me.maxChats) {
    showStatus(ERROR_TEXT.chat_limit);
    return;
  }
  const frame = conversationId == null ? { type: "take" } : { type: "take", conversation_id: conversationId };
  if (!send(frame)) {
    showStatus("Geen verbinding met de server. Even geduld…");
    return;
  }
  state.takeInFlight = setTimeout(() => {
    state.takeInFlight = null;
    updateTakeButtons();
  }, TAKE_TIMEOUT_MS);
  updateTakeButtons();
}

function clearTake() {
  if (state.takeInFlight !== null) clearTimeout(state.takeInFlight);
  state.takeInFlight = null;
}

ui.takeNext.addEventListener("click", () => takeChat());

document.addEventListener("keydown", (ev) => {
  if (ev.altKey && !ev.ctrlKey && !ev.metaKey && (ev.code === "KeyN" || ev.key === "n" || ev.key === "N")) {
    ev.preventDefault();
    if (!ui.takeNext.disabled) takeChat();
  }
});

// ---------------------------------------------------------------------------------------------
// Chat panes

let paneCounter = 0;

function createChat(c) {
  const uid = `chat-${++paneCounter}`;
  const title = h("h2", { class: "pane-title", id: `${uid}-title` });
  const role = h("span", { class: "tag pane-role" });
  const since = h("span", { class: "pane-since" });
  const badges = h("span", { class: "pane-badges" });
  const end = h("button", { type: "button", class: "btn btn-danger btn-small", "data-testid": "pane-end" },
    "Gesprek beëindigen");
  const messages = h("ol", {
    class: "pane-messages",
    "data-testid": "pane-messages",
    "aria-label": "Berichten",
    tabindex: "0",
  });
  const typing = h("p", { class: "pane-typing", "data-testid": "pane-typing", hidden: true });
  const endedSlot = h("div", { class: "pane-ended-slot" });
  const input = h("textarea", {
    id: `${uid}-input`,
    class: "pane-input",
    "data-testid": "pane-input",
    rows: "3",
    maxlength: String(MESSAGE_MAX),
    placeholder: "Typ je bericht… (Enter verstuurt, Shift+Enter voor een nieuwe regel)",
  });
  const label = h("label", { class: "visually-hidden", for: `${uid}-input` });
  const counter = h("span", { class: "pane-counter" });
  const sendBtn = h("button", { type: "submit", class: "btn btn-primary", "data-testid": "pane-send" }, "Versturen");
  const form = h("form", { class: "pane-composer" }, label, input, h("div", { class: "pane-composer-bar" }, counter, sendBtn));
  const pane = h(
    "section",
    { class: "pane", "data-testid": "chat-pane", "data-conversation-id": c.id, "aria-labelledby": title.id },
    h("header", { class: "pane-head" },
      h("div", { class: "pane-head-main" }, title, role),
      end,
      h("div", { class: "pane-head-sub" }, since, badges)),
    messages,
    typing,
    endedSlot,
    form,
  );

  const chat = {
    id: c.id,
    nickname: nickOf(c.nickname),
    visitorRole: c.visitor_role ?? null,
    status: "active",
    endedBy: null,
    visitorConnected: true,
    seqs: new Set(),
    senderClientIds: new Set(), // `${sender}:${client_id}` of every stored message shown
    lastSeq: 0,
    pending: new Map(), // client_id -> {text, el}: sent, not yet acknowledged
    failed: new Map(), // client_id -> {text, el}: refused by the server, can be retried
    syncUntil: 0,
    typingActive: false,
    typingSentAt: 0,
    typingIdleTimer: null,
    remoteTypingTimer: null,
    els: { pane, title, role, since, badges, end, messages, typing, endedSlot, input, label, counter, sendBtn, form },
  };

  end.addEventListener("click", () => {
    if (chat.status === "ended") return;
    stopTyping(chat);
    if (!send({ type: "end", conversation_id: chat.id })) showStatus("Geen verbinding met de server. Even geduld…");
  });

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    submitMessage(chat);
  });

  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing && ev.keyCode !== 229) {
      ev.preventDefault();
      submitMessage(chat);
    }
  });

  input.addEventListener("input", () => {
    updateCounter(chat);
    onLocalTyping(chat);
  });

  const clearUnread = () => pane.classList.remove("unread");
  pane.addEventListener("focusin", clearUnread);
  pane.addEventListener("pointerdown", clearUnread);

  return chat;
}

function upsertChat(c) {
  let chat = state.chats.get(c.id);
  if (!chat) {
    chat = createChat(c);
    state.chats.set(c.id, chat);
    ui.panes.append(chat.els.pane);
  }
  chat.nickname = nickOf(c.nickname);
  chat.visitorRole = c.visitor_role ?? null;
  chat.els.title.textContent = chat.nickname;
  chat.els.role.textContent = roleLabel(chat.visitorRole);
  chat.els.label.textContent = `Bericht aan ${chat.nickname}`;
  chat.els.since.textContent = c.picked_up_at ? `gestart ${fmtClock(c.picked_up_at)}` : "";
  if (c.requested_at) chat.els.since.title = `Aangevraagd om ${fmtClock(c.requested_at)}`;

  const stick = nearBottom(chat);
  const msgs = (Array.isArray(c.messages) ? c.messages : [])
    .filter((m) => m && Number.isInteger(m.seq))
    .sort((a, b) => a.seq - b.seq);
  for (const m of msgs) addMessage(chat, m);

  if (c.status === "ended") {
    markEnded(chat, c.ended_by ?? null, { quiet: true });
  } else if (chat.status !== "ended") {
    setPresence(chat, c.visitor_connected !== false);
  }
  if (stick) scrollToBottom(chat);
  updateCounter(chat);
  return chat;
}

function setPresence(chat, connected) {
  chat.visitorConnected = connected;
  const existing = chat.els.badges.querySelector('[data-testid="pane-presence"]');
  if (connected) {
    existing?.remove();
  } else if (!existing) {
    chat.els.badges.append(h("span", { class: "badge badge-warn", "data-testid": "pane-presence" },
      "verbinding herstellen…"));
  }
}

function showRemoteTyping(chat, active) {
  clearTimeout(chat.remoteTypingTimer);
  chat.els.typing.hidden = !active;
  chat.els.typing.textContent = active ? `${chat.nickname} typt…` : "";
  if (active) chat.remoteTypingTimer = setTimeout(() => showRemoteTyping(chat, false), REMOTE_TYPING_TIMEOUT_MS);
}

function markEnded(chat, by, { quiet = false } = {}) {
  if (chat.status === "ended") return;
  chat.status = "ended";
  chat.endedBy = by;
  const hadFocus = chat.els.pane.contains(document.activeElement);
  clearTimeout(chat.typingIdleTimer);
  chat.typingActive = false;
  showRemoteTyping(chat, false);
  setPresence(chat, true);
  chat.els.pane.classList.add("is-ended");
  chat.els.pane.dataset.status = "ended";
  chat.els.end.disabled = true;
  chat.els.end.hidden = true;
  chat.els.input.disabled = true;
  chat.els.sendBtn.disabled = true;
  chat.els.form.hidden = true;
  for (const clientId of [...chat.pending.keys()]) failMessage(chat, clientId, "niet verstuurd", { retry: false });
  for (const p of chat.failed.values()) p.el.querySelector(".msg-retry")?.remove();

  const text = `Gesprek beëindigd${ENDED_BY[by] ? ` (${ENDED_BY[by]})` : ""}`;
  const close = h("button", { type: "button", class: "btn", "data-testid": "pane-close" }, "Sluiten");
  close.setAttribute("aria-label", `Sluit het gesprek met ${chat.nickname}`);
  close.addEventListener("click", () => closePane(chat));
  chat.els.endedSlot.replaceChildren(
    h("div", { class: "pane-ended", "data-testid": "pane-ended" }, h("p", {}, text), close),
  );
  if (!quiet) announce(`Gesprek met ${chat.nickname} beëindigd${ENDED_BY[by] ? ` (${ENDED_BY[by]})` : ""}.`);
  if (hadFocus) close.focus();
  updateTakeButtons();
}

function closePane(chat) {
  const panes = [...state.chats.values()];
  const idx = panes.indexOf(chat);
  clearTimeout(chat.remoteTypingTimer);
  clearTimeout(chat.typingIdleTimer);
  chat.els.pane.remove();
  state.chats.delete(chat.id);
  state.closed.add(chat.id);
  storageSet("sessionStorage", CLOSED_KEY, JSON.stringify([...state.closed].slice(-200)));
  updateTakeButtons();
  const next = panes[idx + 1] ?? panes[idx - 1];
  if (next) {
    const target = next.status === "ended" ? next.els.endedSlot.querySelector("button") : next.els.input;
    (target ?? ui.takeNext).focus();
  } else {
    (ui.takeNext.disabled ? ui.list.querySelector("button:not([disabled])") : ui.takeNext)?.focus();
  }
}

// ---------------------------------------------------------------------------------------------
// Messages

function nearBottom(chat) {
  const el = chat.els.messages;
  return el.scrollHeight - el.scrollTop - el.clientHeight < 48;
}

function scrollToBottom(chat) {
  const el = chat.els.messages;
  el.scrollTop = el.scrollHeight;
}

function renderMessage(m) {
  const sender = typeof m.sender === "string" ? m.sender : "system";
  const li = h("li", { class: `msg msg-${sender}`, "data-sender": sender });
  if (Number.isInteger(m.seq)) li.dataset.seq = String(m.seq);
  if (m.client_id) li.dataset.clientId = m.client_id;
  const author = m.author ?? (sender === "visitor" ? "Bezoeker" : "");
  li.append(
    h("p", { class: "msg-meta" },
      h("span", { class: "msg-author" }, author),
      " ",
      h("time", { class: "msg-time", datetime: m.sent_at ?? null }, fmtClock(m.sent_at)),
      h("span", { class: "msg-state" })),
    h("p", { class: "msg-text" }, String(m.text ?? "")),
  );
  return li;
}

function setMsgState(li, text) {
  const st = li.querySelector(".msg-state");
  if (st) st.textContent = text ? ` · ${text}` : "";
}

function confirmEl(li, m) {
  li.dataset.seq = String(m.seq);
  delete li.dataset.pending;
  delete li.dataset.failed;
  li.classList.remove("pending", "failed");
  li.querySelector(".msg-retry")?.remove();
  setMsgState(li, "");
  if (m.sent_at) {
    const t = li.querySelector(".msg-time");
    t.setAttribute("datetime", m.sent_at);
    t.textContent = fmtClock(m.sent_at);
  }
}

function rememberSeq(chat, seq, sender, clientId) {
  chat.seqs.add(seq);
  if (clientId) chat.senderClientIds.add(`${sender}:${clientId}`);
  if (seq > chat.lastSeq) chat.lastSeq = seq;
}

/** Put a message element in seq order; pending ones (no seq yet) stay at the end. */
function placeBySeq(chat, li, seq) {
  const list = chat.els.messages;
  let before = null;
  for (const child of list.children) {
    if (child === li) continue;
    const s = child.dataset.seq ? Number(child.dataset.seq) : Infinity;
    if (s > seq) {
      before = child;
      break;
    }
  }
  if (li.parentNode === list && li.nextElementSibling === before) return;
  list.insertBefore(li, before);
}

/** Add a stored message; false when it is a duplicate (by seq, or by sender and client_id). */
function addMessage(chat, m) {
  if (chat.seqs.has(m.seq)) return false;
  const sender = m.sender;
  const clientId = typeof m.client_id === "string" && m.client_id ? m.client_id : null;
  let li = null;
  if (clientId && sender === "counsellor" && (chat.pending.has(clientId) || chat.failed.has(clientId))) {
    li = (chat.pending.get(clientId) ?? chat.failed.get(clientId)).el;
    chat.pending.delete(clientId);
    chat.failed.delete(clientId);
    confirmEl(li, m);
  } else if (clientId && chat.senderClientIds.has(`${sender}:${clientId}`)) {
    return false;
  } else {
    li = renderMessage(m);
  }
  rememberSeq(chat, m.seq, sender, clientId);
  placeBySeq(chat, li, m.seq);
  return true;
}

function requestSync(chat, afterSeq) {
  const now = Date.now();
  if (now < chat.syncUntil) return;
  chat.syncUntil = now + 5000;
  send({ type: "sync", conversation_id: chat.id, after_seq: afterSeq });
}

function submitMessage(chat) {
  if (chat.status === "ended") return;
  const input = chat.els.input;
  const text = input.value.replace(/^\s+|\s+$/g, "");
  if (!text) return;
  if (text.length > MESSAGE_MAX) {
    showStatus(ERROR_TEXT.too_long);
    return;
  }
  stopTyping(chat);
  const clientId = newClientId();
  const li = renderMessage({
    sender: "counsellor",
    author: state.me.displayName,
    text,
    client_id: clientId,
    sent_at: new Date().toISOString(),
  });
  li.classList.add("pending");
  li.dataset.pending = "true";
  chat.pending.set(clientId, { text, el: li });
  chat.els.messages.append(li);
  input.value = "";
  updateCounter(chat);
  const sent = send({ type: "message", conversation_id: chat.id, client_id: clientId, text });
  setMsgState(li, sent ? "wordt verzonden…" : "wacht op verbinding…");
  scrollToBottom(chat);
}

function failMessage(chat, clientId, why, { retry = true } = {}) {
  const p = chat.pending.get(clientId);
  if (!p) return;
  chat.pending.delete(clientId);
  chat.failed.set(clientId, p);
  p.el.classList.remove("pending");
  p.el.classList.add("failed");
  delete p.el.dataset.pending;
  p.el.dataset.failed = "true";
  setMsgState(p.el, why);
  if (retry && chat.status !== "ended" && p.text.length <= MESSAGE_MAX && !p.el.querySelector(".msg-retry")) {
    const btn = h("button", { type: "button", class: "btn btn-link msg-retry" }, "Opnieuw proberen");
    btn.addEventListener("click", () => {
      if (chat.status === "ended" || !chat.failed.has(clientId)) return;
      if (!send({ type: "message", conversation_id: chat.id, client_id: clientId, text: p.text })) {
        showStatus("Geen verbinding met de server. Even geduld…");
        return;
      }
      chat.failed.delete(clientId);
      chat.pending.set(clientId, p);
      btn.remove();
      p.el.classList.remove("failed");
      p.el.classList.add("pending");
      delete p.el.dataset.failed;
      p.el.dataset.pending = "true";
      setMsgState(p.el, "wordt verzonden…");
      chat.els.input.focus();
    });
    p.el.querySelector(".msg-meta").append(" ", btn);
  }
}

function updateCounter(chat) {
  const n = chat.els.input.value.length;
  chat.els.counter.textContent = n >= MESSAGE_MAX - 200 ? `${n}/${MESSAGE_MAX}` : "";
}

// Typing indicator we send: true at most every 2 s while typing, false after 3 s without typing.
function onLocalTyping(chat) {
  if (chat.status === "ended") return;
  if (!chat.els.input.value.trim()) {
    stopTyping(chat);
    return;
  }
  const now = Date.now();
  if (!chat.typingActive || now - chat.typingSentAt >= TYPING_REFRESH_MS) {
    if (send({ type: "typing", conversation_id: chat.id, active: true })) {
      chat.typingActive = true;
      chat.typingSentAt = now;
    }
  }
  clearTimeout(chat.typingIdleTimer);
  chat.typingIdleTimer = setTimeout(() => stopTyping(chat), TYPING_IDLE_MS);
}

function stopTyping(chat) {
  clearTimeout(chat.typingIdleTimer);
  chat.typingIdleTimer = null;
  if (!chat.typingActive) return;
  chat.typingActive = false;
  if (chat.status !== "ended") send({ type: "typing", conversation_id: chat.id, active: false });
}

// ---------------------------------------------------------------------------------------------
// Start

renderMute();
renderQueue();
connect();
