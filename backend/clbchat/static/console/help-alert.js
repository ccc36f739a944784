// A counsellor asks for help (`help`, coordinators only): a card at the top of the chats area, in an
// assertive live region, with the console's signal: "Sofie vraagt hulp bij Mila", when, "Naar het
// gesprek" (looks on: `watch`; the card goes) and "Sluiten". One card per chat, newest first; a card
// goes by itself when its chat is no longer in the overview (it ended). It never takes the focus:
// the coordinator may be typing in a chat of their own.

import { watchChat } from "./coordinator.js";
import { h } from "./dom.js";
import { fmtClock, nickOf } from "./format.js";
import { onOverviewChange } from "./overview.js";
import { beep } from "./sound.js";
import { chats, root, ui } from "./state.js";

const cards = new Map(); // conversation id -> card element
let box = null;

/** Find the alerts' place on the page (a coordinator's page only) and follow the overview. */
export function initHelpAlerts() {
  box = root.querySelector('[data-testid="help-alerts"]');
  if (box) onOverviewChange(dropEnded);
}

/** The `help` frame. */
export function onHelp(f) {
  if (!box || !Number.isInteger(f.conversation_id)) return;
  if (chats.get(f.conversation_id)?.role === "owner") return; // a coordinator's own call reaches them too
  remove(f.conversation_id, { refocus: false });
  const card = build(f);
  cards.set(f.conversation_id, card);
  box.prepend(card);
  beep();
}

function build(f) {
  const id = f.conversation_id;
  const counsellor = typeof f.counsellor === "string" && f.counsellor ? f.counsellor : "Een collega";
  const words = `${counsellor} vraagt hulp bij ${nickOf(f.nickname)}`;
  const title = h("h2", { class: "help-alert-title", id: `help-alert-${id}` }, words);
  const when = fmtClock(f.asked_at);
  const go = h("button", { type: "button", class: "btn btn-primary", "data-testid": "help-alert-go" },
    "Naar het gesprek");
  const close = h("button", { type: "button", class: "btn", "data-testid": "help-alert-close" }, "Sluiten");
  go.setAttribute("aria-describedby", title.id);
  close.setAttribute("aria-label", `Sluiten: ${words}`);
  const card = h("article", { class: "help-alert", "data-testid": "help-alert", "data-conversation-id": id,
    "aria-labelledby": title.id },
  h("div", { class: "help-alert-words" }, title,
    h("p", { class: "help-alert-sub" }, when ? `om ${when} · ` : "", "je kijkt mee zonder dat de bezoeker het ziet")),
  h("div", { class: "help-alert-actions" }, go, close));
  go.addEventListener("click", () => {
    if (watchChat(id)) remove(id, { refocus: false });
  });
  close.addEventListener("click", () => remove(id));
  return card;
}

function remove(conversationId, { refocus = true } = {}) {
  const card = cards.get(conversationId);
  if (!card) return;
  const hadFocus = card.contains(document.activeElement);
  cards.delete(conversationId);
  card.remove();
  if (refocus && hadFocus) {
    const next = box.querySelector('[data-testid="help-alert-go"]');
    (next ?? (ui.takeNext.disabled ? null : ui.takeNext) ?? root.querySelector("#overview-title"))?.focus();
  }
}

/** The overview lists the active chats: an alert for a chat no longer among them goes. */
function dropEnded(activeIds) {
  for (const id of [...cards.keys()]) if (!activeIds.has(id)) remove(id);
}
