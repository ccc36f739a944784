// Passing a chat on, the receiver's side: each `handover_offer` is a card above the chat panes, with
// the console's signal sound and a line for screen readers: who offers it (and their discipline), the
// hand-over note, the visitor and the registration draft in short, the transcript so far (read-only),
// the time left, and "Aannemen" / "Weigeren". Accepting sends `handover_accept`; the server answers
// with a `chat` frame that opens the pane as a take does (frames.js asks offerBecameChat), or an error
// said on the card. `handover_closed` drops the card: accepted by a colleague, lapsed, cancelled.
//
// Everything on the card is what people typed: text, never HTML.

import { h } from "./dom.js";
import { fmtClock, nickOf, roleLabel } from "./format.js";
import { renderMessage } from "./messages.js";
import { send } from "./socket.js";
import { beep } from "./sound.js";
import { me, root, ui } from "./state.js";
import { NO_CONNECTION, announce, showStatus } from "./status.js";

const ANSWER_TIMEOUT_MS = 8000;
const GONE_CARD_MS = 10_000; // a card whose offer is over (said on it) goes after this
const VISITOR_TYPES = { pupil: "leerling", parent: "ouder", teacher: "leerkracht", other: "iemand anders" };
// Errors that answer a `handover_accept` (docs/protocol.md, "Error codes").
const ACCEPT_ERRORS = ["not_for_you", "handover_gone", "not_found", "wrong_state", "chat_limit", "rate_limited",
  "unavailable", "server_error"];
const OVER = ["not_for_you", "handover_gone", "not_found", "wrong_state"]; // the offer is gone for me

const cards = new Map(); // handover id -> {offer, el, els, deadline, state}
const heard = new Set(); // offers already signalled (a reconnect sends the standing ones again)
let accepting = null; // {id, timer}: a `handover_accept` waiting for its `chat` or `error`
let declinedAt = 0;
let ticker = null;
let box = null;

function container() {
  box ??= root.querySelector('[data-testid="handover-offers"]');
  return box;
}

/** The `handover_offer` frame. */
export function onHandoverOffer(f) {
  const offer = f.offer;
  if (!offer || !Number.isInteger(offer.id) || !Number.isInteger(offer.conversation_id) || !container()) return;
  const existing = cards.get(offer.id);
  if (existing) existing.el.remove();
  const card = buildCard(offer);
  cards.set(offer.id, card);
  container().append(card.el);
  renderCountdown(card);
  ticker ??= setInterval(tick, 1000);
  if (!heard.has(offer.id)) {
    heard.add(offer.id);
    beep();
    announce(`${offer.sender ?? "Een collega"} wil je een gesprek doorgeven: ${nickOf(offer.chat?.nickname)}. `
      + `Nota: ${offer.note ?? ""}`);
  }
}

/** The `handover_closed` frame: the offer no longer stands (unless it is becoming my chat). */
export function onHandoverClosed(f) {
  const card = cards.get(f.handover_id);
  if (!card) return;
  if (accepting?.id === card.offer.id && f.outcome === "accepted") return; // mine, or the error says who won
  if (card.state === "gone") return; // already says why
  const words = { accepted: "Een collega nam het gesprek aan.", expired: "Het aanbod is verlopen.",
    cancelled: "Je collega trok het aanbod in.", declined: "Het aanbod staat niet meer open." };
  announce(`Aanbod van ${card.offer.sender ?? "een collega"}: ${words[f.outcome] ?? words.declined}`);
  removeCard(card);
}

/** A `chat` frame came: its card goes; true when it answers our `handover_accept`. */
export function offerBecameChat(conversationId) {
  let mine = false;
  for (const card of [...cards.values()]) {
    if (card.offer.conversation_id !== conversationId) continue;
    if (accepting?.id === card.offer.id) {
      mine = true;
      clearTimeout(accepting.timer);
      accepting = null;
    }
    removeCard(card, { refocus: false });
  }
  return mine;
}

/** An `error` frame answering our `handover_accept` (or a decline): said on the card; true when taken. */
export function takeOfferError(f) {
  const code = String(f.code ?? "");
  if (typeof f.client_id === "string") return false;
  if (!accepting) {
    // A decline of an offer that just ended: the card is gone already, nothing to say.
    return Date.now() - declinedAt < 5000 && OVER.includes(code);
  }
  if (!ACCEPT_ERRORS.includes(code)) return false;
  const card = cards.get(accepting.id);
  clearTimeout(accepting.timer);
  accepting = null;
  if (!card) return true;
  const text = f.message ? String(f.message) : "Aannemen lukte niet.";
  if (OVER.includes(code)) return showGone(card, text), true;
  setButtons(card, false);
  card.els.error.textContent = text;
  card.els.error.hidden = false;
  return true;
}

/** A new connection (`hello`): the server sends every offer that still stands again. */
export function forgetOffers() {
  if (accepting) clearTimeout(accepting.timer);
  accepting = null;
  for (const card of [...cards.values()]) removeCard(card, { refocus: false });
}

/** The socket went: an accept in flight is not answered any more. */
export function offersLost() {
  if (!accepting) return;
  const card = cards.get(accepting.id);
  clearTimeout(accepting.timer);
  accepting = null;
  if (card) setButtons(card, false);
}

function buildCard(offer) {
  const id = `offer-${offer.id}`;
  const chat = offer.chat && typeof offer.chat === "object" ? offer.chat : {};
  const nickname = nickOf(chat.nickname);
  const title = h("h2", { class: "offer-title", id: `${id}-title` }, `Gesprek aangeboden: ${nickname}`);
  const countdown = h("span", { class: "offer-countdown", "data-testid": "offer-countdown" });
  const discipline = typeof offer.sender_discipline === "string" && offer.sender_discipline
    ? ` (${offer.sender_discipline === "andere" ? "andere discipline" : offer.sender_discipline})` : "";
  const forWhom = offer.to === me.displayName ? "jou" : offer.to ? `een ${offer.to}` : "jou";
  const from = h("p", { class: "offer-from", "data-testid": "offer-from" },
    "Van ", h("strong", {}, `${offer.sender ?? "een collega"}${discipline}`), `, voor ${forWhom}`,
    offer.offered_at ? ` · ${fmtClock(offer.offered_at)}` : "");
  const note = h("p", { class: "offer-note-text", "data-testid": "offer-note" }, String(offer.note ?? ""));
  const transcript = h("ol", { class: "offer-transcript", "data-testid": "offer-transcript", tabindex: "0",
    "aria-label": `Gesprek met ${nickname} tot nu` });
  const messages = (Array.isArray(chat.messages) ? chat.messages : [])
    .filter((m) => m && Number.isInteger(m.seq)).sort((a, b) => a.seq - b.seq);
  transcript.append(...messages.map(renderMessage));
  if (messages.length === 0) transcript.append(h("li", { class: "offer-empty" }, "Nog geen berichten."));
  const error = h("p", { class: "offer-error", role: "alert", "data-testid": "offer-error", hidden: true });
  const accept = h("button", { type: "button", class: "btn btn-primary", "data-testid": "offer-accept" }, "Aannemen");
  const decline = h("button", { type: "button", class: "btn", "data-testid": "offer-decline" }, "Weigeren");
  accept.setAttribute("aria-describedby", title.id);
  decline.setAttribute("aria-describedby", title.id);
  const el = h("article", { class: "offer", "data-testid": "handover-offer", "data-handover-id": offer.id,
    "data-conversation-id": offer.conversation_id, "aria-labelledby": title.id, tabindex: "-1" },
  h("header", { class: "offer-head" }, title, countdown),
  from,
  summary(chat, offer.draft),
  h("section", { class: "offer-note", "aria-labelledby": `${id}-note` },
    h("h3", { class: "offer-sub", id: `${id}-note` }, "Overdrachtsnota"), note),
  h("section", { class: "offer-thread", "aria-labelledby": `${id}-thread` },
    h("h3", { class: "offer-sub", id: `${id}-thread` }, `Gesprek tot nu (${messages.length} berichten)`),
    transcript),
  error,
  h("div", { class: "offer-actions" }, accept, decline));
  const deadline = Date.parse(offer.expires_at ?? "");
  const card = { offer, el, els: { countdown, error, accept, decline, transcript }, deadline, state: "open" };
  accept.addEventListener("click", () => acceptOffer(card));
  decline.addEventListener("click", () => declineOffer(card));
  requestAnimationFrame(() => (transcript.scrollTop = transcript.scrollHeight));
  return card;
}

/** The visitor and the registration draft in one line: "Leerling · registratie: leerling, crisis · via …". */
function summary(chat, draft) {
  const bits = [roleLabel(chat.visitor_role ?? null)];
  if (chat.picked_up_at) bits.push(`gestart ${fmtClock(chat.picked_up_at)}`);
  if (typeof chat.site === "string" && chat.site) bits.push(`via ${chat.site}`);
  const reg = [];
  if (draft && typeof draft === "object") {
    if (VISITOR_TYPES[draft.visitor_type]) reg.push(VISITOR_TYPES[draft.visitor_type]);
    if (Number.isInteger(draft.age)) reg.push(`${draft.age} jaar`);
  }
  const crisis = chat.crisis_at || draft?.crisis === true;
  return h("p", { class: "offer-summary", "data-testid": "offer-summary" },
    bits.join(" · "),
    reg.length ? ` · registratie: ${reg.join(", ")}` : "",
    crisis ? " " : "",
    crisis ? h("span", { class: "badge badge-warn" }, "crisis") : null);
}

function acceptOffer(card) {
  if (accepting || card.state !== "open") return;
  if (!send({ type: "handover_accept", handover_id: card.offer.id })) {
    showStatus(NO_CONNECTION);
    return;
  }
  card.els.error.hidden = true;
  setButtons(card, true);
  card.els.accept.textContent = "Aannemen…";
  accepting = {
    id: card.offer.id,
    timer: setTimeout(() => {
      accepting = null;
      setButtons(card, false);
    }, ANSWER_TIMEOUT_MS),
  };
}

function declineOffer(card) {
  if (card.state !== "open" || accepting?.id === card.offer.id) return;
  if (!send({ type: "handover_decline", handover_id: card.offer.id })) {
    showStatus(NO_CONNECTION);
    return;
  }
  declinedAt = Date.now();
  announce(`Aanbod van ${card.offer.sender ?? "een collega"} geweigerd.`);
  removeCard(card);
}

function setButtons(card, busy) {
  card.els.accept.disabled = busy || card.state !== "open";
  card.els.decline.disabled = busy || card.state !== "open";
  card.els.accept.textContent = "Aannemen";
}

/** The offer is over for me: say why on the card, which goes by itself a little later. */
function showGone(card, text) {
  card.state = "gone";
  card.el.classList.add("is-gone");
  card.els.error.textContent = text;
  card.els.error.hidden = false;
  card.els.countdown.textContent = "";
  const hadFocus = card.el.contains(document.activeElement);
  const close = h("button", { type: "button", class: "btn", "data-testid": "offer-close" }, "Sluiten");
  close.addEventListener("click", () => removeCard(card));
  card.els.accept.parentElement.replaceChildren(close);
  if (hadFocus) close.focus();
  setTimeout(() => removeCard(card), GONE_CARD_MS);
}

function removeCard(card, { refocus = true } = {}) {
  if (cards.get(card.offer.id) !== card) return;
  const hadFocus = card.el.contains(document.activeElement);
  cards.delete(card.offer.id);
  card.el.remove();
  if (refocus && hadFocus) {
    const next = [...cards.values()].find((c) => c.state === "open");
    (next?.els.accept ?? (ui.takeNext.disabled ? null : ui.takeNext) ?? ui.panes.querySelector("textarea"))?.focus();
  }
}

function renderCountdown(card) {
  if (card.state === "gone") return;
  if (Number.isNaN(card.deadline)) {
    card.els.countdown.textContent = "";
    return;
  }
  const secs = Math.max(0, Math.ceil((card.deadline - Date.now()) / 1000));
  card.els.countdown.textContent = secs > 0
    ? `nog ${Math.floor(secs / 60)}:${String(secs % 60).padStart(2, "0")}` : "verlopen";
  if (secs === 0 && card.state === "open") {
    card.state = "lapsed";
    card.el.classList.add("is-gone");
    if (accepting?.id !== card.offer.id) setButtons(card, false);
  }
}

function tick() {
  for (const card of cards.values()) renderCountdown(card);
  if (cards.size === 0) {
    clearInterval(ticker);
    ticker = null;
  }
}
