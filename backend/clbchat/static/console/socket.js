// The /ws/console connection (docs/protocol.md): connect, reconnect with backoff, heartbeat, send,
// and the connection badge in the top bar.

import { h } from "./dom.js";
import { root, ui } from "./state.js";
import { showStatus } from "./status.js";

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 10000;
const PING_EVERY_MS = 25000;
const STALE_AFTER_MS = 70000; // nothing received for this long: the socket is dead, reconnect

const sock = {
  ws: null,
  ready: false, // socket open and `hello` received
  backoff: BACKOFF_MIN_MS,
  reconnectTimer: null,
  lastReceived: 0,
  lastPing: 0,
  expired: false,
};

// Set by startSocket: every frame (`hello` after the socket marked itself ready), and what to do
// when the socket is lost.
let onFrame = () => {};
let onLost = () => {};

export const isReady = () => sock.ready;

/** Send a frame; false when there is no ready connection (nothing is queued). */
export function send(frame) {
  const ws = sock.ws;
  if (!ws || ws.readyState !== WebSocket.OPEN || !sock.ready) return false;
  ws.send(JSON.stringify(frame));
  return true;
}

function setConn(kind, text) {
  ui.conn.dataset.state = kind;
  ui.conn.textContent = text;
}

function wsUrl() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${root.dataset.wsPath || "/ws/console"}`;
}

function connect() {
  clearTimeout(sock.reconnectTimer);
  sock.reconnectTimer = null;
  if (sock.expired) return;
  setConn("connecting", "Verbinden…");
  let ws;
  try {
    ws = new WebSocket(wsUrl());
  } catch {
    scheduleReconnect();
    return;
  }
  let opened = false;
  sock.ws = ws;
  sock.ready = false;
  ws.addEventListener("open", () => {
    opened = true;
    sock.lastReceived = Date.now();
  });
  ws.addEventListener("message", (ev) => {
    if (sock.ws !== ws) return;
    sock.lastReceived = Date.now();
    if (typeof ev.data !== "string") return;
    let frame;
    try {
      frame = JSON.parse(ev.data);
    } catch {
      return;
    }
    if (!frame || typeof frame !== "object" || Array.isArray(frame)) return;
    if (frame.type === "hello") {
      sock.ready = true;
      sock.backoff = BACKOFF_MIN_MS;
      sock.lastPing = Date.now();
      setConn("online", "Verbonden");
    }
    onFrame(frame);
  });
  ws.addEventListener("close", () => {
    if (sock.ws !== ws) return; // a socket we already gave up on
    lostSocket();
    if (opened) scheduleReconnect();
    else checkSessionThenReconnect();
  });
}

function lostSocket() {
  sock.ws = null;
  sock.ready = false;
  onLost();
}

function scheduleReconnect() {
  if (sock.expired || sock.reconnectTimer) return;
  const delay = Math.round(sock.backoff * (0.8 + Math.random() * 0.4));
  sock.backoff = Math.min(sock.backoff * 2, BACKOFF_MAX_MS);
  const secs = Math.max(1, Math.round(delay / 1000));
  setConn("offline", `Verbinding verbroken – opnieuw verbinden${delay >= 1500 ? ` over ${secs} s` : ""}…`);
  sock.reconnectTimer = setTimeout(connect, delay);
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
  sock.expired = true;
  setConn("offline", "Afgemeld");
  const link = h("a", { href: root.dataset.loginUrl || "/console/login" }, "Opnieuw aanmelden");
  showStatus("Je sessie is verlopen.", "sticky", link);
}

// Heartbeat: keep proxies from closing an idle socket, and notice a dead one.
function heartbeat() {
  const ws = sock.ws;
  if (!ws || ws.readyState !== WebSocket.OPEN) return;
  const now = Date.now();
  if (now - sock.lastReceived > STALE_AFTER_MS) {
    lostSocket();
    try {
      ws.close();
    } catch {
      /* ignore */
    }
    scheduleReconnect();
    return;
  }
  if (sock.ready && now - sock.lastPing >= PING_EVERY_MS) {
    sock.lastPing = now;
    send({ type: "ping" });
  }
}

/** Connect and stay connected; `frame` gets every parsed frame, `lost` runs when the socket goes. */
export function startSocket({ frame, lost }) {
  onFrame = frame;
  onLost = lost;
  setInterval(heartbeat, 5000);
  window.addEventListener("online", () => {
    if (!sock.ws && sock.reconnectTimer) {
      sock.backoff = BACKOFF_MIN_MS;
      connect();
    }
  });
  connect();
}
