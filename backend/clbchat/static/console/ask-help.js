// "Hulp vragen": a button in each of the counsellor's own panes that calls every coordinator online
// (`ask_help`). The pane then says how many were alerted (`help_sent`: "Hulp gevraagd aan 1
// coördinator"), or the server's words when none is online (`nobody_free`). The line goes when a
// coordinator comes into the chat (staff-in.js says who). Owners only: the button is data-owner-only
// (coordinator.css hides it in a pane a coordinator looks on in).

import { h } from "./dom.js";
import { fmtClock } from "./format.js";
import { send } from "./socket.js";
import { chats } from "./state.js";
import { ERROR_TEXT, NO_CONNECTION, announce, showStatus } from "./status.js";

const ANSWER_TIMEOUT_MS = 8000;
// Errors that answer an `ask_help` (no client_id, about the chat).
const REFUSALS = ["nobody_free", "not_your_chat", "not_found", "wrong_state", "rate_limited", "unavailable",
  "server_error"];

/** Give a chat pane its "Hulp vragen" button (in the header) and the line that says what came of it. */
export function attachAskHelp(chat) {
  const button = h("button", { type: "button", class: "btn btn-small pane-help", "data-testid": "pane-help",
    "data-owner-only": true, title: "Vraag alle coördinatoren online om mee te kijken in dit gesprek" },
  "Hulp vragen");
  const status = h("p", { class: "pane-help-status", "data-testid": "help-status", "data-owner-only": true,
    hidden: true });
  chat.els.since.parentElement.append(button);
  chat.els.title.closest("header").append(status);
  chat.help = { button, status, timer: null };
  button.addEventListener("click", () => askHelp(chat));
}

function askHelp(chat) {
  const help = chat.help;
  if (help.timer || chat.status === "ended") return;
  if (!send({ type: "ask_help", conversation_id: chat.id })) {
    showStatus(NO_CONNECTION);
    return;
  }
  help.button.disabled = true;
  help.button.textContent = "Hulp vragen…";
  help.timer = setTimeout(() => settle(chat), ANSWER_TIMEOUT_MS);
}

/** The `help_sent` frame: how many coordinators were alerted. */
export function onHelpSent(f) {
  const chat = chats.get(f.conversation_id);
  if (!chat?.help) return;
  settle(chat);
  const n = Number.isInteger(f.coordinators) ? f.coordinators : 0;
  const whom = n === 1 ? "1 coördinator" : `${n} coördinatoren`;
  say(chat, `Hulp gevraagd aan ${whom} (${fmtClock(new Date().toISOString())}).`, "sent");
}

/** An `error` answering our `ask_help`: said in the pane; true when it was one. */
export function takeHelpError(f) {
  if (typeof f.client_id === "string") return false;
  const chat = chats.get(f.conversation_id);
  const code = String(f.code ?? "");
  if (!chat?.help?.timer || !REFUSALS.includes(code)) return false;
  settle(chat);
  say(chat, f.message ? String(f.message) : ERROR_TEXT[code] ?? `Hulp vragen lukte niet (${code}).`, "error");
  return true;
}

/** A coordinator came into the chat: the call was answered. */
export function helpArrived(chat) {
  if (!chat.help || chat.help.status.hidden) return;
  chat.help.status.hidden = true;
  chat.help.status.textContent = "";
}

function say(chat, text, kind) {
  const status = chat.help.status;
  status.textContent = text;
  status.dataset.kind = kind;
  status.hidden = false;
  announce(`${chat.nickname}: ${text}`);
}

function settle(chat) {
  clearTimeout(chat.help.timer);
  chat.help.timer = null;
  chat.help.button.disabled = false;
  chat.help.button.textContent = "Hulp vragen";
}
