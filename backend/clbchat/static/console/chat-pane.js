// One chat pane: header (nickname, role, presence, end button), messages, typing both ways, the
// composer, and the "ended" bar with its close button.

import { attachBlock } from "./block.js";
import { h } from "./dom.js";
import { fmtClock, nickOf, roleLabel } from "./format.js";
import {
  MESSAGE_MAX,
  SENDING,
  WAITING_FOR_CONNECTION,
  addMessage,
  addPending,
  failMessage,
  nearBottom,
  scrollToBottom,
  sendMessage,
  setMsgState,
} from "./messages.js";
import { attachDuration, updateDuration } from "./duration.js";
import { attachHandover, handoverChatEnded, showStandingOffer } from "./handover.js";
import { attachAskHelp } from "./ask-help.js";
import { attachRole, updateRole } from "./coordinator.js";
import { attachStaffIn, setStaffIn } from "./staff-in.js";
import { attachWhisper } from "./whisper.js";
import { updateTakeButtons } from "./queue-view.js";
import { attachSnippets } from "./snippets.js";
import { send } from "./socket.js";
import { addStaffLines, attachStaffThread } from "./staff-thread.js";
import { chats, me, rememberClosed, ui } from "./state.js";
import { ERROR_TEXT, NO_CONNECTION, announce, showStatus } from "./status.js";

const TYPING_REFRESH_MS = 2000; // send typing:true at most this often while typing
const TYPING_IDLE_MS = 3000; // send typing:false after this long without a keystroke
const REMOTE_TYPING_TIMEOUT_MS = 8000; // hide "… typt" if no update came (a lost typing:false)
const ENDED_BY = { visitor: "door bezoeker", counsellor: "door jou", system: "door systeem" };
// Not a normal goodbye: "Snel weg" can mean someone walked in on the visitor.
const QUICK_EXIT = "De bezoeker verliet de chat met \u201cSnel weg\u201d: misschien kwam er iemand bij.";
const AWAY = "Niet meer open bij jou: het gesprek liep af of ging naar een collega terwijl je console weg was.";
const RELEASED = "Teruggegeven aan de wachtrij: een collega neemt over en ziet het hele gesprek.";

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
    if (!send({ type: "end", conversation_id: chat.id })) showStatus(NO_CONNECTION);
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
  attachSnippets(chat); // `/` in the composer
  attachDuration(chat); // running time, crisis toggle
  attachHandover(chat); // "Doorgeven", the offer's countdown and outcome
  attachStaffThread(chat); // "Alleen voor collega's": hand-over notes, whispers
  attachStaffIn(chat); // "Lotte kijkt mee": the coordinators in the chat
  attachWhisper(chat); // "Fluister naar …" at the foot of the staff strip
  attachAskHelp(chat); // "Hulp vragen"
  attachRole(chat); // a coordinator's banner; what only the owner may do is hidden in a pane looked on in
  attachBlock(chat, c.role); // "Blokkeren…": end and keep this browser session out for a while

  return chat;
}

/** Create or update the pane for chat object `c` (protocol `chat`); returns the chat. */
export function upsertChat(c) {
  let chat = chats.get(c.id);
  if (!chat) {
    chat = createChat(c);
    chats.set(c.id, chat);
    ui.panes.append(chat.els.pane);
  }
  chat.nickname = nickOf(c.nickname);
  chat.visitorRole = c.visitor_role ?? null;
  chat.els.title.textContent = chat.nickname;
  chat.els.role.textContent = roleLabel(chat.visitorRole);
  chat.els.label.textContent = `Bericht aan ${chat.nickname}`;
  chat.els.since.textContent = c.picked_up_at ? `gestart ${fmtClock(c.picked_up_at)}` : "";
  if (c.requested_at) chat.els.since.title = `Aangevraagd om ${fmtClock(c.requested_at)}`;
  updateDuration(chat, c);
  setBadge(chat, "pane-origin", typeof c.site === "string" && c.site
    ? `via ${c.site}${typeof c.ref === "string" && c.ref ? ` (${c.ref})` : ""}` : null);
  setBadge(chat, "pane-taken-over", c.taken_over === true ? "overgenomen: de vorige collega viel weg" : null, "badge-warn");

  const stick = nearBottom(chat);
  const msgs = (Array.isArray(c.messages) ? c.messages : [])
    .filter((m) => m && Number.isInteger(m.seq))
    .sort((a, b) => a.seq - b.seq);
  for (const m of msgs) addMessage(chat, m);
  addStaffLines(chat, c.staff_messages);
  updateRole(chat, c); // owner, watcher or joined, and whose chat it is
  setStaffIn(chat, c.staff_in);

  if (c.status === "ended") {
    markEnded(chat, c.ended_by ?? null, { quiet: true });
  } else if (chat.status !== "ended") {
    setPresence(chat, c.visitor_connected !== false);
    if ("handover" in c) showStandingOffer(chat, c.handover);
  }
  if (stick) scrollToBottom(chat);
  updateCounter(chat);
  return chat;
}

/** Show `text` in the badge with this test id, or drop it when text is null. */
function setBadge(chat, testId, text, cls = "") {
  let badge = chat.els.badges.querySelector(`[data-testid="${testId}"]`);
  if (text === null) return badge?.remove();
  if (!badge) {
    badge = h("span", { class: `badge ${cls}`.trim(), "data-testid": testId });
    chat.els.badges.append(badge);
  }
  badge.textContent = text;
}

/** Show or drop the "verbinding herstellen…" badge (the visitor's connection dropped). */
export function setPresence(chat, connected) {
  chat.visitorConnected = connected;
  const existing = chat.els.badges.querySelector('[data-testid="pane-presence"]');
  if (connected) {
    existing?.remove();
  } else if (!existing) {
    chat.els.badges.append(h("span", { class: "badge badge-warn", "data-testid": "pane-presence" },
      "verbinding herstellen…"));
  }
}

/** Show or hide "<nickname> typt…"; it hides itself if no update comes. */
export function showRemoteTyping(chat, active) {
  clearTimeout(chat.remoteTypingTimer);
  chat.els.typing.hidden = !active;
  chat.els.typing.textContent = active ? `${chat.nickname} typt…` : "";
  if (active) chat.remoteTypingTimer = setTimeout(() => showRemoteTyping(chat, false), REMOTE_TYPING_TIMEOUT_MS);
}

/** Forget typing both ways without telling the server (the socket is gone, or the chat ended). */
function dropTyping(chat) {
  clearTimeout(chat.typingIdleTimer);
  chat.typingActive = false;
  showRemoteTyping(chat, false);
}

/** The socket is gone: typing stops, and pending messages wait for the connection. */
export function disconnectChat(chat) {
  dropTyping(chat);
  for (const p of chat.pending.values()) setMsgState(p.el, WAITING_FOR_CONNECTION);
}

/** The chat ended or is no longer ours: read-only; `text` says why when `by` has no words of its own. */
export function markEnded(chat, by, { quiet = false, text: why = null } = {}) {
  if (chat.status === "ended") return;
  chat.status = "ended";
  chat.endedBy = by; // registration.js: a chat handed back to the queue is not registered here
  const hadFocus = chat.els.pane.contains(document.activeElement);
  dropTyping(chat);
  setPresence(chat, true);
  chat.els.pane.classList.add("is-ended");
  chat.els.pane.dataset.status = "ended";
  chat.els.end.disabled = true;
  chat.els.end.hidden = true;
  if (chat.els.block) chat.els.block.hidden = true;
  chat.els.input.disabled = true;
  chat.els.sendBtn.disabled = true;
  chat.els.form.hidden = true;
  for (const clientId of [...chat.pending.keys()]) failMessage(chat, clientId, "niet verstuurd", { retry: false });
  for (const p of chat.failed.values()) p.el.querySelector(".msg-retry")?.remove();
  handoverChatEnded(chat);

  // In a chat a coordinator looks on in, the counsellor who ended it is not "jou".
  const byWords = by === "counsellor" && chat.role !== "owner" ? `door ${chat.counsellor ?? "de chatmedewerker"}`
    : ENDED_BY[by];
  const byText = byWords ? ` (${byWords})` : "";
  const text = { quick_exit: QUICK_EXIT, released: RELEASED, away: AWAY }[by] ?? why
    ?? `Gesprek beëindigd${byText}`;
  const close = h("button", { type: "button", class: "btn", "data-testid": "pane-close" }, "Sluiten");
  close.setAttribute("aria-label", `Sluit het gesprek met ${chat.nickname}`);
  close.addEventListener("click", () => closePane(chat));
  chat.els.endedSlot.replaceChildren(
    h("div", { class: "pane-ended", "data-testid": "pane-ended", "data-ended-by": by ?? "" }, h("p", {}, text), close),
  );
  if (!quiet) announce(`${chat.nickname}: ${text}`);
  if (hadFocus) close.focus();
  updateTakeButtons();
}

export function closePane(chat) {
  const panes = [...chats.values()];
  const idx = panes.indexOf(chat);
  clearTimeout(chat.remoteTypingTimer);
  clearTimeout(chat.typingIdleTimer);
  chat.els.pane.remove();
  chats.delete(chat.id);
  rememberClosed(chat.id);
  updateTakeButtons();
  const next = panes[idx + 1] ?? panes[idx - 1];
  if (next) {
    const target = next.status === "ended" ? next.els.endedSlot.querySelector("button")
      : next.role === "watcher" ? next.els.messages : next.els.input; // a pane looked on in has no composer
    (target ?? ui.takeNext).focus();
  } else {
    (ui.takeNext.disabled ? ui.list.querySelector("button:not([disabled])") : ui.takeNext)?.focus();
  }
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
  const { li, clientId } = addPending(chat, me.displayName, text);
  input.value = "";
  updateCounter(chat);
  setMsgState(li, sendMessage(chat, clientId, text) ? SENDING : WAITING_FOR_CONNECTION);
  scrollToBottom(chat);
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
