// Whispering ("fluisteren"): a composer at the foot of a chat's staff strip ("Alleen voor collega's")
// for a line only staff read (`whisper`); the visitor never receives the staff thread. A coordinator
// looking on or taking part has it ("Fluister naar Sofie"), and so has the chat's counsellor while a
// coordinator is in the chat ("Fluister naar Lotte"), to answer. The line shows in the strip when the
// server sends it back (`staff_message` with our client_id); a refusal is said under the composer and
// the text comes back, to send again with the same client_id (the server stores it once).

import { h } from "./dom.js";
import { send } from "./socket.js";
import { chats, me } from "./state.js";
import { ERROR_TEXT, announce } from "./status.js";

const WHISPER_MAX = 2000;
const ANSWER_TIMEOUT_MS = 10_000;
// Refusals of a whisper that come without its client_id (the permission check): about the chat.
const CHAT_REFUSALS = ["not_your_chat", "not_found", "wrong_state"];

let counter = 0;

function newClientId() {
  return `w-${Date.now().toString(36)}-${(++counter).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Give a chat pane's staff strip its (hidden until someone may be whispered to) composer. */
export function attachWhisper(chat) {
  const id = `${chat.els.title.id}-whisper`;
  const label = h("label", { class: "whisper-label", for: id });
  const input = h("textarea", { id, class: "whisper-input", "data-testid": "whisper-input", rows: "2",
    maxlength: String(WHISPER_MAX), "aria-describedby": `${id}-state` });
  const button = h("button", { type: "submit", class: "btn btn-small whisper-send", "data-testid": "whisper-send" },
    "Fluisteren");
  const state = h("p", { class: "whisper-state", id: `${id}-state`, "data-testid": "whisper-state" });
  const form = h("form", { class: "whisper", "data-testid": "whisper", hidden: true },
    label, h("div", { class: "whisper-row" }, input, button), state);
  chat.staff.strip.append(form);
  chat.whisper = { form, label, input, button, state, pending: null, retry: null };
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    submit(chat);
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing && ev.keyCode !== 229) {
      ev.preventDefault();
      submit(chat);
    }
  });
}

/** Show or hide the composer for who is in the chat now (chat.role, chat.counsellor, chat.staffIn). */
export function refreshWhisper(chat) {
  const w = chat.whisper;
  if (!w) return;
  let to = null;
  if (chat.role === "watcher" || chat.role === "joined") {
    to = chat.counsellor || "de chatmedewerker";
  } else {
    const coordinators = (chat.staffIn ?? []).filter((s) => s.id !== me.id).map((s) => s.display_name);
    if (coordinators.length) to = coordinators.join(" en ");
  }
  w.form.hidden = to === null;
  if (to === null) return;
  w.label.textContent = `Fluister naar ${to}`;
  w.input.placeholder = "Alleen collega's lezen dit, de bezoeker nooit. Enter verstuurt.";
  chat.staff.strip.hidden = false;
}

function submit(chat) {
  const w = chat.whisper;
  if (chat.status === "ended" || w.pending) return;
  const text = w.input.value.replace(/^\s+|\s+$/g, "");
  if (!text) return;
  if (text.length > WHISPER_MAX) return say(chat, ERROR_TEXT.too_long, "error");
  // The same text again after a failure keeps its client_id: stored once if it did arrive after all.
  const clientId = w.retry?.text === text ? w.retry.clientId : newClientId();
  if (!send({ type: "whisper", conversation_id: chat.id, client_id: clientId, text })) {
    w.retry = { clientId, text };
    return say(chat, "Niet verstuurd: geen verbinding met de server. Probeer het zo opnieuw.", "error");
  }
  w.retry = null;
  const timer = setTimeout(() => fail(chat, "geen antwoord van de server."), ANSWER_TIMEOUT_MS);
  w.pending = { clientId, text, timer };
  w.input.value = "";
  w.button.disabled = true;
  say(chat, "wordt verzonden…", "pending");
}

/** A `staff_message` came: when it is our whisper, it is stored (staff-thread.js shows it). */
export function whisperStored(f) {
  const w = chats.get(f.conversation_id)?.whisper;
  if (!w || !w.pending || f.client_id !== w.pending.clientId) return;
  clearTimeout(w.pending.timer);
  w.pending = null;
  w.button.disabled = false;
  w.state.textContent = "";
  delete w.state.dataset.kind;
}

/** An `error` answering one of our whispers: said under its composer; true when it was one. */
export function takeWhisperError(f) {
  const code = String(f.code ?? "");
  for (const chat of chats.values()) {
    const p = chat.whisper?.pending;
    if (!p) continue;
    const ours = typeof f.client_id === "string"
      ? f.client_id === p.clientId
      : f.conversation_id === chat.id && CHAT_REFUSALS.includes(code);
    if (!ours) continue;
    fail(chat, f.message ? String(f.message) : ERROR_TEXT[code] ?? `er ging iets mis (${code || "onbekend"}).`);
    return true;
  }
  return false;
}

/** The socket went: a whisper in flight is not answered any more. */
export function whispersLost() {
  for (const chat of chats.values()) {
    if (chat.whisper?.pending) fail(chat, "de verbinding viel weg. Kijk of hij er staat, en stuur hem anders opnieuw.");
  }
}

function fail(chat, why) {
  const w = chat.whisper;
  const p = w.pending;
  if (!p) return;
  clearTimeout(p.timer);
  w.pending = null;
  w.retry = { clientId: p.clientId, text: p.text };
  w.button.disabled = false;
  if (!w.input.value.trim()) w.input.value = p.text; // back to send again (or change)
  const text = `Niet verstuurd: ${why}`;
  say(chat, text, "error");
  announce(`${chat.nickname}: fluisterbericht ${text.charAt(0).toLowerCase()}${text.slice(1)}`);
}

function say(chat, text, kind) {
  const w = chat.whisper;
  w.state.textContent = text;
  w.state.dataset.kind = kind;
}
