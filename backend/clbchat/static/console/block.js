// "Blokkeren" in each chat pane: end the chat and keep this visitor's browser session out of the chat
// for a while (docs/privacy.md, "Blocking a browser session"): 1 to 24 hours, longer only for a
// coordinator. It opens a small dialog that says plainly what a block can and cannot do, then sends
// `end` with `block_minutes`; the server checks the range again.

import { h } from "./dom.js";
import { send } from "./socket.js";
import { root } from "./state.js";
import { NO_CONNECTION, showStatus } from "./status.js";

const HOURS = [1, 2, 4, 8, 24];
const COORDINATOR_DAYS = [3, 7];
const IS_COORDINATOR = root.dataset.role === "coordinator";

let dialog = null;

function choices() {
  const options = HOURS.map((n) => h("option", { value: String(n * 60) }, n === 1 ? "1 uur" : `${n} uur`));
  if (IS_COORDINATOR) {
    options.push(...COORDINATOR_DAYS.map((d) => h("option", { value: String(d * 24 * 60) }, `${d} dagen`)));
  }
  return options;
}

function build() {
  const select = h("select", { id: "block-minutes", "data-testid": "block-minutes" }, ...choices());
  const confirm = h("button", { type: "submit", class: "btn btn-danger", "data-testid": "block-confirm" },
    "Beëindigen en blokkeren");
  const cancel = h("button", { type: "button", class: "btn btn-quiet" }, "Annuleren");
  const form = h("form", { method: "dialog", class: "handover-form" },
    h("h2", { id: "block-title", class: "handover-title" }, "Gesprek beëindigen en blokkeren"),
    h("p", {}, "Het gesprek stopt meteen. Deze browsersessie kan de chat een tijd niet gebruiken; de bezoeker "
      + "ziet een vriendelijke boodschap met andere hulplijnen."),
    h("p", { class: "hint" }, "We bewaren niets dat iemand herkent. Een nieuw venster of een andere browser is een "
      + "nieuwe bezoeker: blokkeren remt, het verbant niemand."),
    h("label", { for: "block-minutes" }, "Hoe lang"), select,
    h("div", { class: "handover-actions" }, cancel, confirm));
  const el = h("dialog", { class: "handover-dialog", "data-testid": "block-dialog", "aria-labelledby": "block-title" },
    form);
  cancel.addEventListener("click", () => el.close());
  document.body.append(el);
  return { el, form, select };
}

/** Give a chat pane its "Blokkeren" button, next to "Gesprek beëindigen" (owners only). */
export function attachBlock(chat, role) {
  const button = h("button", { type: "button", class: "btn btn-quiet btn-small", "data-testid": "pane-block",
    "aria-haspopup": "dialog", hidden: role !== undefined && role !== "owner" },
  "Blokkeren…");
  chat.els.end.after(button);
  chat.els.block = button;
  button.addEventListener("click", () => {
    if (chat.status === "ended") return;
    dialog ??= build();
    dialog.form.onsubmit = () => {
      const minutes = Number.parseInt(dialog.select.value, 10);
      if (!send({ type: "end", conversation_id: chat.id, block_minutes: minutes })) showStatus(NO_CONNECTION);
    };
    dialog.el.onclose = () => button.isConnected && button.focus();
    dialog.select.value = String(HOURS[0] * 60);
    dialog.el.showModal();
  });
}
