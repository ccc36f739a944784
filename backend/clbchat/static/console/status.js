// What the counsellor is told: the status line (role="alert") and the screen-reader live region.

import { h } from "./dom.js";
import { ui } from "./state.js";

const STATUS_CLEAR_MS = 15000;

export const ERROR_TEXT = {
  already_taken: "Een collega nam deze bezoeker al.",
  queue_empty: "Er wacht niemand in de wachtrij.",
  chat_limit: "Je hebt al het maximum aantal gesprekken open.",
  not_your_chat: "Dit gesprek is niet (meer) van jou.",
  wrong_state: "Dat kan nu niet meer: het gesprek is beëindigd.",
  too_long: "Je bericht is te lang (hoogstens 2000 tekens). Het is niet verstuurd.",
  rate_limited: "Te veel berichten na elkaar; dit werd niet verstuurd. Probeer het zo opnieuw.",
  bad_json: "De server begreep een bericht niet.",
  binary_not_supported: "De server begreep een bericht niet.",
  unknown_type: "De server kent deze opdracht niet.",
};

export const NO_CONNECTION = "Geen verbinding met de server. Even geduld…";

let statusTimer = null;

/** Show `text` (and an optional element after it); it clears itself unless kind is "sticky". */
export function showStatus(text, kind = "error", extra = null) {
  clearTimeout(statusTimer);
  ui.status.textContent = "";
  ui.status.dataset.kind = kind;
  ui.status.append(text);
  if (extra) ui.status.append(" ", extra);
  if (kind !== "sticky") statusTimer = setTimeout(() => (ui.status.textContent = ""), STATUS_CLEAR_MS);
}

/** Read `text` out to screen-reader users; the region keeps the last six lines. */
export function announce(text) {
  ui.live.append(h("p", {}, text));
  while (ui.live.childElementCount > 6) ui.live.firstElementChild.remove();
}
