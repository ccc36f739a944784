// A coordinator in a colleague's chat (docs/protocol.md, "Working as a team"). A pane opened with
// "Meekijken" (`watch`, role "watcher") is read-only: a banner "Je kijkt mee — de bezoeker ziet je
// niet" with "Deelnemen" (`join`: role "joined", the banner says the visitor now reads you, the composer
// appears and messages go out as the coordinator's) and "Stoppen" (`leave`: the `released` frame with
// reason "stopped" closes the pane quietly). What only the chat's owner may do (end, block, hand over,
// crisis, "Hulp vragen") is marked data-owner-only and hidden by coordinator.css while the pane's
// data-role is not "owner"; the registration form is offered to owners only (frames.js).
//
// watchChat / joinChat are the way in from the overview (overview.js) and a help alert (help-alert.js).

import { closePane } from "./chat-pane.js";
import { h } from "./dom.js";
import { send } from "./socket.js";
import { chats } from "./state.js";
import { NO_CONNECTION, announce, showStatus } from "./status.js";
import { refreshWhisper } from "./whisper.js";

const ANSWER_TIMEOUT_MS = 8000;
const ROLES = ["owner", "watcher", "joined"];
const BANNER = {
  watcher: "Je kijkt mee — de bezoeker ziet je niet",
  joined: "Je neemt deel aan het gesprek — de bezoeker ziet je berichten",
};
// Errors that answer a `watch`, `join` or `leave` (no client_id, about one chat).
const REFUSALS = ["not_your_chat", "not_found", "wrong_state", "rate_limited", "unavailable", "server_error"];

const focusWanted = new Set(); // chats asked for here: their pane gets the focus when it comes

/** Give a chat pane its coordinator's banner (hidden while the chat is the viewer's own). */
export function attachRole(chat) {
  const text = h("p", { class: "watch-banner-text", "data-testid": "watch-banner-text" });
  const whose = h("p", { class: "watch-banner-sub", "data-testid": "watch-banner-whose" });
  const join = h("button", { type: "button", class: "btn btn-small btn-primary", "data-testid": "watch-join" },
    "Deelnemen");
  const stop = h("button", { type: "button", class: "btn btn-small", "data-testid": "watch-stop" }, "Stoppen");
  join.title = "Neem zichtbaar deel: de bezoeker leest dat een coördinator deelneemt en ziet je berichten";
  stop.title = "Stop met meekijken of deelnemen";
  const banner = h("div", { class: "watch-banner", "data-testid": "watch-banner", hidden: true },
    h("div", { class: "watch-banner-words" }, text, whose),
    h("div", { class: "watch-banner-actions" }, join, stop));
  chat.els.title.closest("header").after(banner);
  chat.role = "owner";
  chat.counsellor = null;
  chat.coord = { banner, text, whose, join, stop, timer: null };
  join.addEventListener("click", () => joinChat(chat.id));
  stop.addEventListener("click", () => leaveChat(chat));
}

/** The chat object's `role` and `counsellor` (protocol `chat`); a chat object without them keeps both. */
export function updateRole(chat, c) {
  if (!chat.coord) return;
  if (typeof c.counsellor === "string" && c.counsellor) chat.counsellor = c.counsellor;
  setRole(chat, ROLES.includes(c.role) ? c.role : chat.role);
}

/** The viewer's part in the chat: owner, watcher or joined. */
export function setRole(chat, role) {
  const before = chat.role;
  chat.role = role;
  chat.els.pane.dataset.role = role;
  // Marked each time: a part added to the pane later (e.g. "Blokkeren") is covered too.
  for (const el of [chat.els.end, chat.els.block, chat.handover?.button, chat.handover?.bar, chat.aid?.crisis,
    chat.aid?.warning, chat.help?.button]) el?.setAttribute("data-owner-only", "");
  renderBanner(chat);
  if (role !== before && before === "watcher" && role === "joined") {
    settle(chat);
    announce(`${chat.nickname}: je neemt deel aan het gesprek. De bezoeker ziet je berichten.`);
    if (focusWanted.delete(chat.id) || chat.els.pane.contains(document.activeElement)) chat.els.input.focus();
  }
  refreshWhisper(chat);
}

/** The owner's name changed (a hand-over while a coordinator looks on; the overview says so). */
export function setCounsellor(chat, name) {
  if (!chat.coord || !name || chat.counsellor === name) return;
  chat.counsellor = name;
  renderBanner(chat);
  refreshWhisper(chat);
}

function renderBanner(chat) {
  const { banner, text, whose, join } = chat.coord;
  const coordinating = chat.role !== "owner";
  banner.hidden = !coordinating;
  if (!coordinating) return;
  banner.dataset.role = chat.role;
  text.textContent = BANNER[chat.role];
  whose.textContent = chat.counsellor ? `Gesprek van ${chat.counsellor}` : "";
  join.hidden = chat.role !== "watcher";
}

/** A pane a coordinator asked for came (`chat` frame): say so, and take the focus when asked for here. */
export function coordinatorChatOpened(chat) {
  const whose = chat.counsellor ? ` (gesprek van ${chat.counsellor})` : "";
  announce(chat.role === "joined"
    ? `Je neemt deel aan het gesprek met ${chat.nickname}${whose}.`
    : `Je kijkt mee bij ${chat.nickname}${whose}. De bezoeker ziet je niet.`);
  if (focusWanted.delete(chat.id)) focusPane(chat);
}

/** "Meekijken": open an active chat read-only, or go to its pane when it is open here already. */
export function watchChat(conversationId) {
  const chat = chats.get(conversationId);
  if (chat) {
    focusPane(chat);
    return true;
  }
  if (!send({ type: "watch", conversation_id: conversationId })) {
    showStatus(NO_CONNECTION);
    return false;
  }
  focusWanted.add(conversationId);
  return true;
}

/** "Deelnemen": take part visibly (from looking on, or straight from the overview). */
export function joinChat(conversationId) {
  const chat = chats.get(conversationId);
  if (chat && (chat.role === "joined" || chat.role === "owner")) {
    focusPane(chat);
    return true;
  }
  if (chat?.coord.timer) return false; // asked already
  if (!send({ type: "join", conversation_id: conversationId })) {
    showStatus(NO_CONNECTION);
    return false;
  }
  focusWanted.add(conversationId);
  if (chat) busy(chat, chat.coord.join, "Deelnemen…");
  return true;
}

function leaveChat(chat) {
  if (chat.coord.timer || chat.status === "ended") return;
  if (!send({ type: "leave", conversation_id: chat.id })) {
    showStatus(NO_CONNECTION);
    return;
  }
  busy(chat, chat.coord.stop, "Stoppen…");
}

/** `released` with reason "stopped": this coordinator left the chat; the pane goes without more ado. */
export function stoppedFollowing(chat) {
  settle(chat);
  focusWanted.delete(chat.id);
  announce(`Je volgt het gesprek met ${chat.nickname} niet meer.`);
  closePane(chat);
}

/** An `error` about a chat this coordinator asked to watch, join or leave: the buttons work again.
 * Returns false: the error is still said in the status line (frames.js). */
export function coordinatorError(f) {
  if (typeof f.client_id === "string" || !Number.isInteger(f.conversation_id)) return false;
  if (!REFUSALS.includes(String(f.code ?? ""))) return false;
  focusWanted.delete(f.conversation_id);
  const chat = chats.get(f.conversation_id);
  if (chat?.coord) settle(chat);
  return false;
}

function busy(chat, button, text) {
  button.disabled = true;
  button.dataset.label = button.textContent;
  button.textContent = text;
  chat.coord.timer = setTimeout(() => settle(chat), ANSWER_TIMEOUT_MS);
}

function settle(chat) {
  const { join, stop } = chat.coord;
  clearTimeout(chat.coord.timer);
  chat.coord.timer = null;
  for (const button of [join, stop]) {
    button.disabled = false;
    if (button.dataset.label) button.textContent = button.dataset.label;
  }
}

function focusPane(chat) {
  chat.els.pane.scrollIntoView({ block: "nearest" });
  const target = chat.status !== "ended" && chat.role !== "watcher" ? chat.els.input : chat.els.messages;
  target.focus();
}
