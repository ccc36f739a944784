// Passing a chat on, the sender's side: the "Doorgeven" button in each pane (it opens
// handover-dialog.js), then while the offer stands a bar "Wacht op … (nog 0:45)" with "Annuleren",
// and what became of it (`handover_answer`): accepted (the pane closes: "Doorgegeven aan Nora"; the
// `released` frame that also comes says the same once), declined by the named colleague, declined by
// one of a group (the offer still stands), lapsed, or cancelled. While it stands the chat is ours:
// the composer keeps working.

import { markEnded } from "./chat-pane.js";
import { h } from "./dom.js";
import { GROUPS, closeHandoverDialogFor, dialogOffered, openHandoverDialog } from "./handover-dialog.js";
import { send } from "./socket.js";
import { chats, root } from "./state.js";
import { NO_CONNECTION, announce, showStatus } from "./status.js";

const seconds = Number.parseInt(root.dataset.handoverSeconds ?? "", 10);
const OFFER_MS = (Number.isFinite(seconds) && seconds > 0 ? seconds : 60) * 1000;
const GROUP_WORDS = new Set(GROUPS.map((g) => g.label.toLowerCase()));
let ticker = null;

/** Give a chat pane its "Doorgeven" button (in the header) and its hand-over bar (above the composer). */
export function attachHandover(chat) {
  const button = h("button", { type: "button", class: "btn btn-small pane-handover", "data-testid": "pane-handover",
    "aria-haspopup": "dialog", title: "Geef dit gesprek door aan een collega of een discipline" }, "Doorgeven");
  const bar = h("div", { class: "handover-bar", "data-testid": "handover-bar", hidden: true });
  chat.els.since.parentElement.append(button);
  chat.els.form.before(bar);
  chat.handover = { button, bar, offer: null, declinedBy: [] };
  button.addEventListener("click", () => {
    if (chat.status !== "ended" && !chat.handover.offer) openHandoverDialog(chat, button);
  });
}

/** The chat object's `handover` (our standing offer of it, or null), e.g. after a reconnect. */
export function showStandingOffer(chat, standing) {
  if (!chat.handover || chat.status === "ended") return;
  if (standing && Number.isInteger(standing.id)) {
    const left = Date.parse(standing.expires_at ?? "") - Date.now();
    const deadline = Date.now() + Math.min(OFFER_MS, Math.max(0, Number.isNaN(left) ? OFFER_MS : left));
    const to = typeof standing.to === "string" ? standing.to : "";
    const known = chat.handover.offer?.id === standing.id ? chat.handover.offer : null;
    setWaiting(chat, { id: standing.id, to, group: GROUP_WORDS.has(to), deadline: known?.deadline ?? deadline });
  } else if (chat.handover.offer) {
    // It ended while this console was away, and the chat is still ours.
    showNotice(chat, "Je aanbod om door te geven staat niet meer open; het gesprek blijft bij jou.");
  }
}

/** The `handover_answer` frame: a step of our offer. */
export function onHandoverAnswer(f) {
  const chat = chats.get(f.conversation_id);
  if (!chat || !chat.handover) return;
  const offer = chat.handover.offer;
  const by = typeof f.by === "string" && f.by ? f.by : null;
  switch (f.outcome) {
    case "offered": {
      const sent = dialogOffered(chat.id);
      if (chat.status === "ended") return;
      setWaiting(chat, { id: f.handover_id, to: sent?.to ?? "een collega", group: sent?.group ?? false,
        deadline: Date.now() + OFFER_MS });
      announce(`${chat.nickname}: ${waitingWords(chat.handover.offer)}. Het blijft bij jou tot iemand aanneemt.`);
      return;
    }
    case "accepted":
      return handedOver(chat, by);
    case "declined_by":
      if (!offer || offer.id !== f.handover_id || !by) return;
      if (!chat.handover.declinedBy.includes(by)) chat.handover.declinedBy.push(by);
      renderWaiting(chat);
      announce(`${chat.nickname}: ${by} kan het gesprek niet aannemen; je aanbod staat nog open.`);
      return;
    case "declined":
      if (offer && offer.id !== f.handover_id) return;
      return showNotice(chat, `${by ?? "Je collega"} kan het gesprek niet aannemen; het blijft bij jou.`);
    case "expired":
      if (offer && offer.id !== f.handover_id) return;
      return showNotice(chat, "Niemand nam het gesprek aan; het blijft bij jou.");
    case "cancelled":
      if (offer && offer.id !== f.handover_id) return;
      clearOffer(chat);
      if (chat.status !== "ended") announce(`${chat.nickname}: doorgeven geannuleerd.`);
      return;
    default:
      return undefined;
  }
}

/** A colleague took the chat over (`handover_answer` accepted, or `released` with reason handed_over). */
export function handedOver(chat, to) {
  if (chat.handover) clearOffer(chat);
  markEnded(chat, "handed_over", { text: `Doorgegeven aan ${to || "een collega"}.` });
}

/** The chat ended (or is no longer ours): no offer, no button, no dialog. Called by markEnded. */
export function handoverChatEnded(chat) {
  if (!chat.handover) return;
  chat.handover.offer = null;
  chat.handover.button.hidden = true;
  if (chat.handover.bar.dataset.state === "waiting") hideBar(chat);
  closeHandoverDialogFor(chat);
}

function setWaiting(chat, offer) {
  const known = chat.handover.offer?.id === offer.id;
  chat.handover.offer = offer;
  if (!known) chat.handover.declinedBy = [];
  chat.handover.button.disabled = true;
  const bar = chat.handover.bar;
  if (bar.dataset.state !== "waiting") {
    const text = h("p", { class: "handover-bar-text", "data-testid": "handover-waiting" });
    const declined = h("p", { class: "handover-bar-sub", "data-testid": "handover-declined-by", hidden: true });
    const cancel = h("button", { type: "button", class: "btn btn-small", "data-testid": "handover-cancel" },
      "Annuleren");
    cancel.addEventListener("click", () => cancelOffer(chat, cancel));
    bar.replaceChildren(h("div", {}, text, declined), cancel);
    bar.dataset.state = "waiting";
    bar.hidden = false;
  }
  renderWaiting(chat);
  ticker ??= setInterval(tick, 1000);
}

function cancelOffer(chat, button) {
  const offer = chat.handover.offer;
  if (!offer) return;
  if (!send({ type: "handover_cancel", handover_id: offer.id })) {
    showStatus(NO_CONNECTION);
    return;
  }
  button.disabled = true;
  button.textContent = "Annuleren…";
}

function waitingWords(offer) {
  const secs = Math.max(0, Math.ceil((offer.deadline - Date.now()) / 1000));
  const left = `${Math.floor(secs / 60)}:${String(secs % 60).padStart(2, "0")}`;
  return `Wacht op ${offer.group ? "een " : ""}${offer.to} (nog ${left})`;
}

function renderWaiting(chat) {
  const offer = chat.handover.offer;
  const bar = chat.handover.bar;
  if (!offer || bar.dataset.state !== "waiting") return;
  bar.querySelector('[data-testid="handover-waiting"]').textContent = waitingWords(offer);
  const names = chat.handover.declinedBy;
  const declined = bar.querySelector('[data-testid="handover-declined-by"]');
  declined.hidden = names.length === 0;
  declined.textContent = names.length === 0 ? ""
    : `${names.join(", ")} ${names.length === 1 ? "kan" : "kunnen"} het niet aannemen; je aanbod staat nog open.`;
}

function tick() {
  let waiting = 0;
  for (const chat of chats.values()) {
    if (chat.handover?.offer) {
      waiting += 1;
      renderWaiting(chat);
    }
  }
  if (waiting === 0) {
    clearInterval(ticker);
    ticker = null;
  }
}

/** What became of the offer, in the bar until dismissed (or the next offer). */
function showNotice(chat, text) {
  const hadFocus = chat.handover.bar.contains(document.activeElement);
  clearOffer(chat);
  if (chat.status === "ended") return;
  const ok = h("button", { type: "button", class: "btn btn-small", "data-testid": "handover-notice-close" }, "OK");
  ok.setAttribute("aria-label", "Melding sluiten");
  ok.addEventListener("click", () => {
    hideBar(chat);
    chat.els.input.focus();
  });
  const bar = chat.handover.bar;
  bar.replaceChildren(h("p", { class: "handover-bar-text", "data-testid": "handover-notice" }, text), ok);
  bar.dataset.state = "notice";
  bar.hidden = false;
  announce(`${chat.nickname}: ${text}`);
  if (hadFocus) chat.els.input.focus();
}

function clearOffer(chat) {
  const hadFocus = chat.handover.bar.contains(document.activeElement);
  chat.handover.offer = null;
  chat.handover.declinedBy = [];
  chat.handover.button.disabled = chat.status === "ended";
  hideBar(chat);
  if (hadFocus && chat.status !== "ended") chat.els.input.focus();
}

function hideBar(chat) {
  chat.handover.bar.hidden = true;
  chat.handover.bar.dataset.state = "";
  chat.handover.bar.replaceChildren();
}
