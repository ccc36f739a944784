// The visitor's side of one conversation, no DOM: the chat request, the token in sessionStorage, the
// WebSocket (hello/resume, reconnect with backoff, heartbeat), unacked messages and an unconfirmed
// rating resent after a reconnect, incoming messages deduplicated by seq. Wire: docs/protocol.md.

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID(); // secure contexts only
  const [a, b, c] = crypto.getRandomValues(new Uint32Array(3));
  return "c-" + Date.now().toString(36) + a.toString(36) + b.toString(36) + c.toString(36);
}

// ctx as given to mount(). on.frame(m): every server frame but messages seen before;
// on.offline(down): show or hide the "reconnecting" line.
export function conversation(ctx, on) {
  const KEY = ctx.key;
  const WS_URL = ctx.origin.replace(/^http/, "ws") + "/ws/visitor";
  let store = load(); // {v, token, conversation_id, last_seq, pending: [{client_id, text}]} or null
  if (store) store.pending = store.pending || [];
  const resumeSeq = store ? store.last_seq || 0 : 0; // replayed history is not "new"
  let ws = null, dead = false, retry = 0, retryTimer, pingTimer, idleTimer;
  let lastSeq = 0; // in memory: after a reload we ask for everything again (the DOM is gone)
  let typingOn = false, typingSentAt = 0, rating = null;

  // ---- storage: sessionStorage only, and only once a chat has started ----
  function load() {
    try {
      const s = JSON.parse(sessionStorage.getItem(KEY) || "null");
      return s && s.token ? s : null;
    } catch {
      return null;
    }
  }
  function save() {
    try {
      if (store) sessionStorage.setItem(KEY, JSON.stringify(store));
    } catch {} // storage full or blocked: the chat still works in memory
  }
  function forget() {
    store = null;
    try {
      sessionStorage.removeItem(KEY);
    } catch {}
  }
  // A block of this browser session (docs/privacy.md): the server's marker and its end, in its own key so
  // that leaving or "Snel weg" does not lift it. Sent with the next chat request; gone when it ends.
  const BLOCK_KEY = KEY + "-block";
  function block() {
    try {
      const b = JSON.parse(sessionStorage.getItem(BLOCK_KEY) || "null");
      if (b && Date.parse(b.until) > Date.now()) return b;
      sessionStorage.removeItem(BLOCK_KEY);
    } catch {}
    return null;
  }
  function keepBlock(m) {
    try {
      sessionStorage.setItem(BLOCK_KEY, JSON.stringify({ marker: m.marker, until: m.until }));
    } catch {}
  }
  function drop(id) {
    if (!store) return;
    store.pending = store.pending.filter((p) => p.client_id !== id);
    save();
  }

  // The chat request: { status, body }, or null when the network failed.
  async function request(data) {
    try {
      const b = block();
      if (b) data = { ...data, block: b.marker };
      const r = await fetch(ctx.origin + "/api/sites/" + encodeURIComponent(ctx.site) + "/conversations", {
        method: "POST", credentials: "omit", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(data),
      });
      return { status: r.status, body: await r.json().catch(() => ({})) };
    } catch {
      return null;
    }
  }

  // A chat was granted: the first write to the visitor's browser.
  // Also after an earlier conversation of this panel was hung up: start over clean.
  function start(j) {
    store = { v: 1, token: j.token, conversation_id: j.conversation_id, last_seq: 0, pending: [] };
    save();
    dead = false;
    lastSeq = 0;
    retry = 0;
    removeEventListener("online", online);
    addEventListener("online", online);
    connect();
  }

  // ---- WebSocket with reconnect ----
  function send(obj) {
    if (ws && ws.readyState === 1) {
      ws.send(JSON.stringify(obj));
      return true;
    }
    return false;
  }
  const messageFrame = (p) => ({ type: "message", client_id: p.client_id, text: p.text });

  function receive(m) {
    if (m.type === "message") {
      if (!(m.seq > lastSeq)) return; // seen on an earlier connection
      lastSeq = m.seq;
      if (store && m.seq > (store.last_seq || 0)) store.last_seq = m.seq;
      if (m.sender === "visitor") drop(m.client_id); // our own echo: no longer pending
      else save();
    } else if (m.type === "ack") drop(m.client_id);
    else if (m.type === "blocked") keepBlock(m);
    on.frame(m);
  }

  function connect() {
    if (dead || !store) return;
    clearTimeout(retryTimer);
    let s;
    try {
      s = new WebSocket(WS_URL);
    } catch {
      return reconnectLater();
    }
    ws = s;
    s.onopen = () => {
      const put = (obj) => s.send(JSON.stringify(obj));
      retry = 0;
      on.offline(false);
      put({ type: "hello", token: store.token, after_seq: lastSeq });
      // Unacked messages go again with their original client_id; the server stores each once.
      for (const p of store.pending) put(messageFrame(p));
      if (rating) put(rating);
      heartbeat();
    };
    s.onmessage = (e) => {
      if (s !== ws) return;
      heartbeat();
      let m;
      try {
        m = JSON.parse(e.data);
      } catch {
        return;
      }
      receive(m);
    };
    s.onclose = () => {
      if (s !== ws) return;
      ws = null;
      clearTimeout(pingTimer);
      if (!dead && store) {
        on.offline(true);
        reconnectLater();
      }
    };
  }

  function reconnectLater() {
    // 0.5 s, 1 s, 2 s, ... at most 10 s, with jitter so a server restart is not hit by everyone at once.
    const delay = Math.min(10000, 500 * 2 ** retry++) * (0.75 + Math.random() * 0.5);
    retryTimer = setTimeout(connect, Math.min(10000, delay));
  }

  // A ping after 25 s of silence; no answer within 10 s means a dead connection: drop it and reconnect.
  function heartbeat() {
    clearTimeout(pingTimer);
    pingTimer = setTimeout(() => {
      send({ type: "ping" });
      pingTimer = setTimeout(() => ws && ws.close(), 10000);
    }, 25000);
  }

  function online() {
    if (!ws && !dead && store) {
      retry = 0;
      connect();
    }
  }
  addEventListener("online", online);

  function hangUp() {
    dead = true;
    clearTimeout(retryTimer);
    clearTimeout(pingTimer);
    clearTimeout(idleTimer);
    on.offline(false);
    removeEventListener("online", online);
    const s = ws;
    ws = null;
    if (s) s.close();
  }

  // Leave on a short-lived socket while the usual one is down (best effort, nothing waits).
  function farewell(token, reason) {
    try {
      const s = new WebSocket(WS_URL);
      s.onopen = () => {
        s.send(JSON.stringify({ type: "hello", token, after_seq: lastSeq }));
        s.send(JSON.stringify({ type: "leave", reason }));
        s.close();
      };
    } catch {}
  }

  // Typing indicator out: "true" at most every 2 s while typing, "false" after 3 s idle or on send.
  function typed(hasText) {
    const now = Date.now();
    if (hasText && (!typingOn || now - typingSentAt > 2000)) {
      typingOn = true;
      typingSentAt = now;
      send({ type: "typing", active: true });
    }
    clearTimeout(idleTimer);
    idleTimer = setTimeout(stopTyping, 3000);
  }
  function stopTyping() {
    clearTimeout(idleTimer);
    if (typingOn) {
      typingOn = false;
      send({ type: "typing", active: false });
    }
  }

  return {
    request,
    start,
    connect,
    hangUp,
    forget,
    drop,
    typed,
    resumeSeq,
    get active() {
      return !!store;
    },
    get pending() {
      return store.pending;
    },
    get rating() {
      return rating;
    },
    get blocked() {
      return block();
    },
    // The id from each state frame, kept next to the token.
    note(conversationId) {
      if (store) {
        store.conversation_id = conversationId;
        save();
      }
    },
    // Kept until the server acknowledges it; if offline, sent after reconnecting.
    message(text) {
      stopTyping();
      const p = { client_id: uuid(), text };
      store.pending.push(p);
      save();
      send(messageFrame(p));
      return p;
    },
    resend(clientId, text) {
      send(messageFrame({ client_id: clientId, text }));
    },
    // The chat is over: no typing "false" left to send.
    ended() {
      clearTimeout(idleTimer);
      typingOn = false;
    },
    // false: not sent now, it goes out on the next connection.
    rate(stars, comment) {
      rating = { type: "rate", stars };
      if (comment) rating.comment = comment;
      return send(rating);
    },
    unrate() {
      rating = null;
    },
    // false: no open socket (a short-lived one says it).
    leave(reason) {
      if (send({ type: "leave", reason })) return true;
      if (store) farewell(store.token, reason);
      return false;
    },
  };
}
