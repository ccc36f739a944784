// Frames from the server (docs/protocol.md, /ws/console) applied to the queue and the chat panes.

import { onHelpSent, takeHelpError } from "./ask-help.js";
import { disconnectChat, markEnded, setPresence, showRemoteTyping, upsertChat } from "./chat-pane.js";
import { coordinatorChatOpened, coordinatorError, stoppedFollowing } from "./coordinator.js";
import { onColleagues } from "./colleagues.js";
import { roleLabel, truncate } from "./format.js";
import { handedOver, onHandoverAnswer } from "./handover.js";
import { handoverDialogLost, takeHandoverError } from "./handover-dialog.js";
import { onHelp } from "./help-alert.js";
import {
  forgetOffers, offerBecameChat, offersLost, onHandoverClosed, onHandoverOffer, takeOfferError,
} from "./handover-offer.js";
import { SENDING, ackMessage, addMessage, failMessage, nearBottom, scrollToBottom, sendMessage, setMsgState } from "./messages.js";
import { onOverview } from "./overview.js";
import { clearTake, isTaking, onQueue, updateTakeButtons } from "./queue-view.js";
import { offerRegistration, refreshOpenList } from "./registration.js";
import { send } from "./socket.js";
import { onStaffIn } from "./staff-in.js";
import { onStaffMessage } from "./staff-thread.js";
import { chats, closed, me, ui } from "./state.js";
import { ERROR_TEXT, announce, showStatus } from "./status.js";
import { takeWhisperError, whisperStored, whispersLost } from "./whisper.js";

const SYNC_EVERY_MS = 5000; // ask for a missed range at most this often per chat
// Error codes that answer a `take`, and those of them that are not about one chat.
const TAKE_ERRORS = ["already_taken", "queue_empty", "chat_limit", "not_your_chat", "invalid"];
const QUEUE_ERRORS = ["already_taken", "queue_empty", "chat_limit"];

export function handleFrame(f) {
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
    case "released":
      return onReleased(f);
    case "colleagues":
      return onColleagues(f);
    case "staff_message":
      whisperStored(f); // one of ours: its composer stops waiting
      return onStaffMessage(f);
    case "staff_in":
      return onStaffIn(f);
    case "overview":
      return onOverview(f);
    case "help":
      return onHelp(f);
    case "help_sent":
      return onHelpSent(f);
    case "handover_offer":
      return onHandoverOffer(f);
    case "handover_answer":
      return onHandoverAnswer(f);
    case "handover_closed":
      return onHandoverClosed(f);
    case "error":
      return onError(f);
    default:
      return undefined; // pong and anything unknown
  }
}

/** The socket is gone (socket.js reconnects): no take is answered any more, typing stops. */
export function onSocketLost() {
  clearTake();
  handoverDialogLost();
  offersLost();
  whispersLost();
  for (const chat of chats.values()) disconnectChat(chat);
  updateTakeButtons();
}

// The socket module has already marked the connection ready.
function onHello(f) {
  const who = f.counsellor;
  if (who && typeof who === "object") {
    if (Number.isInteger(who.id)) me.id = who.id;
    if (Number.isInteger(who.max_chats) && who.max_chats > 0) me.maxChats = who.max_chats;
    if (typeof who.display_name === "string" && who.display_name) {
      me.displayName = who.display_name;
      ui.userName.textContent = who.display_name;
    }
  }
  forgetOffers(); // the offers that still stand come again after `hello`
  const seen = new Set();
  for (const c of Array.isArray(f.chats) ? f.chats : []) {
    if (!c || !Number.isInteger(c.id)) continue;
    seen.add(c.id);
    if (c.status === "ended" && closed.has(c.id) && !chats.has(c.id)) continue;
    upsertChat(c);
  }
  // A chat that was open here but the server no longer lists ended, or went back to the queue, while we were away.
  for (const chat of chats.values()) {
    if (!seen.has(chat.id) && chat.status !== "ended") markEnded(chat, "away", { quiet: true });
  }
  for (const chat of chats.values()) if (chat.status === "ended" && chat.role === "owner") offerRegistration(chat);
  refreshOpenList();
  // Resend what was never acknowledged, with the same client_id: the server stores it once.
  for (const chat of chats.values()) {
    if (chat.status === "ended") continue;
    for (const [clientId, p] of chat.pending) {
      if (sendMessage(chat, clientId, p.text)) setMsgState(p.el, SENDING);
    }
  }
  updateTakeButtons();
}

function onChat(f) {
  const c = f.chat;
  if (!c || !Number.isInteger(c.id)) return;
  const accepted = offerBecameChat(c.id); // a hand-over we accepted
  const wasTaking = isTaking() || accepted;
  const isNew = !chats.has(c.id);
  if (!accepted) clearTake();
  if (c.status !== "ended") closed.delete(c.id);
  const chat = upsertChat(c);
  if (isNew && chat.role !== "owner") {
    coordinatorChatOpened(chat); // looked on in, or taken part in, from the overview or a help alert
  } else if (isNew) {
    announce(`Nieuw gesprek met ${chat.nickname} (${roleLabel(chat.visitorRole)}).`);
    const active = document.activeElement;
    const typingElsewhere = active && active.tagName === "TEXTAREA" && active !== chat.els.input;
    if (wasTaking && !typingElsewhere && chat.status !== "ended") chat.els.input.focus();
  }
  updateTakeButtons();
}

function onMessage(f) {
  const chat = chats.get(f.conversation_id);
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
  if (stick || f.sender === "counsellor" || f.sender === "coordinator") scrollToBottom(chat);
}

// A gap in seq: ask for what we missed.
function requestSync(chat, afterSeq) {
  const now = Date.now();
  if (now < chat.syncUntil) return;
  chat.syncUntil = now + SYNC_EVERY_MS;
  send({ type: "sync", conversation_id: chat.id, after_seq: afterSeq });
}

function onAck(f) {
  const chat = chats.get(f.conversation_id);
  if (!chat || !Number.isInteger(f.seq) || typeof f.client_id !== "string") return;
  ackMessage(chat, f.client_id, f.seq);
}

function onTyping(f) {
  const chat = chats.get(f.conversation_id);
  if (chat && chat.status !== "ended") showRemoteTyping(chat, f.active === true);
}

function onPresence(f) {
  const chat = chats.get(f.conversation_id);
  if (!chat || chat.status === "ended") return;
  const connected = f.visitor_connected !== false;
  if (connected === chat.visitorConnected) return;
  setPresence(chat, connected);
  announce(connected ? `${chat.nickname} is terug verbonden.` : `Verbinding met ${chat.nickname} wordt hersteld…`);
}

function onEnded(f) {
  const chat = chats.get(f.conversation_id);
  if (chat) {
    markEnded(chat, f.by ?? null);
    if (chat.role === "owner") offerRegistration(chat); // not in a chat a coordinator looked on in
  }
  refreshOpenList();
}

// Back in the queue (logged out with "hand back", or this console was away too long), or a colleague
// accepted our hand-over (its `handover_answer` says the same; whichever comes first): read-only now.
function onReleased(f) {
  const chat = chats.get(f.conversation_id);
  if (!chat) return;
  if (f.reason === "handed_over") handedOver(chat, typeof f.to === "string" ? f.to : null);
  else if (f.reason === "stopped") stoppedFollowing(chat); // a coordinator left it: the pane goes
  else markEnded(chat, "released");
}

function onError(f) {
  if (takeHandoverError(f) || takeOfferError(f)) return; // said in the hand-over dialog or on the offer
  if (takeWhisperError(f) || takeHelpError(f)) return; // said under the whisper composer, or in the pane
  coordinatorError(f); // a refused watch, join or leave: its buttons work again; said below
  const code = String(f.code ?? "");
  const chat = Number.isInteger(f.conversation_id) ? chats.get(f.conversation_id) : null;
  if (typeof f.client_id === "string") {
    for (const c of chat ? [chat] : chats.values()) {
      if (c.pending.has(f.client_id)) {
        failMessage(c, f.client_id, code === "too_long" ? "te lang, niet verstuurd" : "niet verstuurd");
        break;
      }
    }
  } else if (TAKE_ERRORS.includes(code)) {
    clearTake();
  }
  let text = ERROR_TEXT[code];
  if (!text) text = f.message ? String(f.message) : `Er ging iets mis (${code || "onbekend"}).`;
  else if (code === "invalid" && f.message) text = `${text} ${f.message}`;
  if (chat && !QUEUE_ERRORS.includes(code)) text = `${chat.nickname}: ${text}`;
  showStatus(text);
  updateTakeButtons();
}
