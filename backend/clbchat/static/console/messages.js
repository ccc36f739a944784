// The message list of one chat pane: stored messages shown once and in seq order, and our own
// messages going from pending (sent, no seq yet) to stored, or to failed with a retry button.

import { h } from "./dom.js";
import { fmtClock } from "./format.js";
import { send } from "./socket.js";
import { NO_CONNECTION, showStatus } from "./status.js";

export const MESSAGE_MAX = 2000;
export const SENDING = "wordt verzonden…";
export const WAITING_FOR_CONNECTION = "wacht op verbinding…";

function newClientId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  // randomUUID only exists in secure contexts; plain http on a LAN address still needs an id.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function nearBottom(chat) {
  const el = chat.els.messages;
  return el.scrollHeight - el.scrollTop - el.clientHeight < 48;
}

export function scrollToBottom(chat) {
  const el = chat.els.messages;
  el.scrollTop = el.scrollHeight;
}

// Staff who write in the chat: its counsellor, and a coordinator who joined it (docs/protocol.md).
const STAFF_SENDERS = ["counsellor", "coordinator"];

/** One message as a list item (also the read-only transcript on a hand-over offer). */
export function renderMessage(m) {
  const sender = typeof m.sender === "string" ? m.sender : "system";
  const li = h("li", { class: `msg msg-${sender}`, "data-sender": sender });
  if (Number.isInteger(m.seq)) li.dataset.seq = String(m.seq);
  if (m.client_id) li.dataset.clientId = m.client_id;
  const author = m.author ?? (sender === "visitor" ? "Bezoeker" : "");
  li.append(
    h("p", { class: "msg-meta" },
      h("span", { class: "msg-author" }, author),
      sender === "coordinator" ? h("span", { class: "msg-as" }, " · coördinator") : null,
      " ",
      h("time", { class: "msg-time", datetime: m.sent_at ?? null }, fmtClock(m.sent_at)),
      h("span", { class: "msg-state" })),
    h("p", { class: "msg-text" }, String(m.text ?? "")),
  );
  return li;
}

/** The note after the time: "wordt verzonden…", "niet verstuurd", … or nothing. */
export function setMsgState(li, text) {
  const st = li.querySelector(".msg-state");
  if (st) st.textContent = text ? ` · ${text}` : "";
}

/** Mark one of our messages "pending", "failed" or (null) stored: class and data attribute. */
function setPhase(li, phase) {
  for (const name of ["pending", "failed"]) {
    li.classList.toggle(name, phase === name);
    if (phase === name) li.dataset[name] = "true";
    else delete li.dataset[name];
  }
}

function confirmEl(li, m) {
  li.dataset.seq = String(m.seq);
  setPhase(li, null);
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
export function addMessage(chat, m) {
  if (chat.seqs.has(m.seq)) return false;
  const sender = m.sender;
  const clientId = typeof m.client_id === "string" && m.client_id ? m.client_id : null;
  let li = null;
  // Our own (pending or failed) message, stored: as the counsellor, or as a coordinator who joined.
  if (clientId && STAFF_SENDERS.includes(sender) && (chat.pending.has(clientId) || chat.failed.has(clientId))) {
    const el = (chat.pending.get(clientId) ?? chat.failed.get(clientId)).el;
    el.dataset.sender = sender;
    el.className = el.className.replace(/\bmsg-(counsellor|coordinator)\b/, `msg-${sender}`);
    li = el;
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

/** Our message `clientId` is stored under `seq` (the `ack` frame). */
export function ackMessage(chat, clientId, seq) {
  const p = chat.pending.get(clientId) ?? chat.failed.get(clientId);
  if (!p) return; // already confirmed by its `message`
  chat.pending.delete(clientId);
  chat.failed.delete(clientId);
  if (chat.seqs.has(seq)) {
    p.el.remove(); // stored and shown already under this seq
    return;
  }
  confirmEl(p.el, { seq });
  rememberSeq(chat, seq, p.el.dataset.sender ?? "counsellor", clientId);
  placeBySeq(chat, p.el, seq);
}

/** Send (or resend, with the same client_id: the server stores it once) one of our messages. */
export function sendMessage(chat, clientId, text) {
  return send({ type: "message", conversation_id: chat.id, client_id: clientId, text });
}

/** Show a new message of ours, pending, at the end of the list; the caller sends it. A coordinator who
 * joined the chat writes as "coordinator" (the server stores it so). */
export function addPending(chat, author, text) {
  const clientId = newClientId();
  const li = renderMessage({
    sender: chat.role === "joined" ? "coordinator" : "counsellor",
    author,
    text,
    client_id: clientId,
    sent_at: new Date().toISOString(),
  });
  setPhase(li, "pending");
  chat.pending.set(clientId, { text, el: li });
  chat.els.messages.append(li);
  return { li, clientId };
}

/** The server refused a pending message: show why, with a retry button if `retry`. */
export function failMessage(chat, clientId, why, { retry = true } = {}) {
  const p = chat.pending.get(clientId);
  if (!p) return;
  chat.pending.delete(clientId);
  chat.failed.set(clientId, p);
  setPhase(p.el, "failed");
  setMsgState(p.el, why);
  if (retry && chat.status !== "ended" && p.text.length <= MESSAGE_MAX && !p.el.querySelector(".msg-retry")) {
    const btn = h("button", { type: "button", class: "btn btn-link msg-retry" }, "Opnieuw proberen");
    btn.addEventListener("click", () => {
      if (chat.status === "ended" || !chat.failed.has(clientId)) return;
      if (!sendMessage(chat, clientId, p.text)) {
        showStatus(NO_CONNECTION);
        return;
      }
      chat.failed.delete(clientId);
      chat.pending.set(clientId, p);
      btn.remove();
      setPhase(p.el, "pending");
      setMsgState(p.el, SENDING);
      chat.els.input.focus();
    });
    p.el.querySelector(".msg-meta").append(" ", btn);
  }
}
