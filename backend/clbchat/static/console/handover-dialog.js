// The "Doorgeven" dialog (a native modal <dialog>): pass a chat on to a named colleague online with a
// free place, or to a group (any nurse or doctor, or one discipline), with a note only colleagues
// read. It sends `hand_over` and stays open until the server answers: `handover_answer` "offered"
// closes it (handover.js then shows the waiting bar), an error (`nobody_free`, `handover_pending`,
// `invalid`, ...) is said in the dialog itself.

import { colleagues, hasRoom, onColleaguesChange } from "./colleagues.js";
import { h } from "./dom.js";
import { send } from "./socket.js";
import { root } from "./state.js";
import { ERROR_TEXT, NO_CONNECTION } from "./status.js";

export const NOTE_MAX = 1000;
const ANSWER_TIMEOUT_MS = 8000;

/** The groups an offer can go to (domain/handover.py GROUPS), with the words the counsellor reads. */
export const GROUPS = [
  { code: "medical", label: "Verpleegkundige of arts", disciplines: ["nurse", "doctor"] },
  { code: "social_worker", label: "Maatschappelijk werker", disciplines: ["social_worker"] },
  { code: "psycho_pedagogue", label: "Psychopedagoog", disciplines: ["psycho_pedagogue"] },
  { code: "nurse", label: "Verpleegkundige", disciplines: ["nurse"] },
  { code: "doctor", label: "Arts", disciplines: ["doctor"] },
  { code: "other", label: "Andere", disciplines: ["other"] },
];

// Errors that answer a `hand_over` (docs/protocol.md, "Error codes").
const ANSWER_ERRORS = ["nobody_free", "handover_pending", "invalid", "not_your_chat", "wrong_state", "not_found",
  "rate_limited", "unavailable", "server_error"];

let dlg = null; // the dialog's elements, built on first use
let current = null; // {chat, opener, timer}: the chat the dialog is open for; timer while a send waits
let sent = null; // {conversationId, to, group}: the last offer sent, for the waiting bar's words

function build() {
  const title = h("h2", { class: "handover-title", id: "handover-title" });
  const intro = h("p", { class: "handover-intro" },
    "Je collega leest het hele gesprek en je nota. De bezoeker leest alleen dat je doorverbindt. Tot iemand "
    + "aanneemt, blijft het gesprek bij jou.");
  const groups = h("div", { class: "handover-options", "data-testid": "handover-groups" });
  const people = h("div", { class: "handover-options", "data-testid": "handover-colleagues" });
  const noPeople = h("p", { class: "handover-none", "data-testid": "handover-no-colleagues" },
    "Geen collega online met een vrije plaats.");
  const targetError = h("p", { class: "handover-field-error", id: "handover-target-error", hidden: true });
  const note = h("textarea", {
    id: "handover-note",
    class: "handover-note",
    "data-testid": "handover-note",
    rows: "4",
    maxlength: String(NOTE_MAX),
    required: true,
    "aria-describedby": "handover-note-help handover-note-error",
  });
  const noteHelp = h("p", { class: "handover-help", id: "handover-note-help" },
    "Wat moet je collega weten? De bezoeker ziet dit nooit. Hoogstens 1000 tekens.");
  const counter = h("span", { class: "handover-counter", "aria-live": "off" });
  const noteError = h("p", { class: "handover-field-error", id: "handover-note-error", hidden: true });
  const error = h("p", { class: "handover-error", role: "alert", "data-testid": "handover-error" });
  const cancel = h("button", { type: "button", class: "btn", "data-testid": "handover-dialog-cancel" }, "Annuleren");
  const submit = h("button", { type: "submit", class: "btn btn-primary", "data-testid": "handover-submit" },
    "Doorgeven");
  const form = h("form", { class: "handover-form", novalidate: true },
    title,
    intro,
    h("fieldset", { class: "handover-target", "aria-describedby": "handover-target-error" },
      h("legend", {}, "Aan wie geef je het door?"),
      h("p", { class: "handover-sub" }, "Een groep: de eerste die aanneemt, krijgt het gesprek"),
      groups,
      h("p", { class: "handover-sub" }, "Of een collega"),
      people,
      noPeople,
      targetError),
    h("label", { class: "handover-label", for: note.id }, "Overdrachtsnota (alleen voor collega's)"),
    noteHelp,
    note,
    h("div", { class: "handover-note-bar" }, noteError, counter),
    error,
    h("div", { class: "handover-actions" }, cancel, submit));
  const dialog = h("dialog", { class: "handover-dialog", "data-testid": "handover-dialog",
    "aria-labelledby": title.id }, form);
  root.append(dialog);

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    submitOffer();
  });
  cancel.addEventListener("click", () => closeDialog(current?.opener));
  dialog.addEventListener("close", () => forget());
  note.addEventListener("input", () => {
    renderCounter();
    if (note.value.trim()) fieldError(noteError, "");
  });
  form.addEventListener("change", (ev) => {
    if (ev.target.name === "handover-target") fieldError(targetError, "");
  });
  onColleaguesChange(() => {
    if (dialog.open) renderOptions();
  });
  return { dialog, title, groups, people, noPeople, targetError, note, counter, noteError, error, submit };
}

/** Open the dialog for `chat` (focus goes to the first choice; Escape or "Annuleren" closes it). */
export function openHandoverDialog(chat, opener = null) {
  dlg ??= build();
  if (dlg.dialog.open) closeDialog();
  current = { chat, opener, timer: null };
  dlg.title.textContent = `Gesprek met ${chat.nickname} doorgeven`;
  dlg.note.value = "";
  dlg.error.textContent = "";
  fieldError(dlg.targetError, "");
  fieldError(dlg.noteError, "");
  setBusy(false);
  renderOptions(true);
  renderCounter();
  dlg.dialog.showModal();
  (dlg.dialog.querySelector('input[name="handover-target"]:not(:disabled)') ?? dlg.note).focus();
}

function renderOptions(fresh = false) {
  const chosen = fresh ? null : dlg.dialog.querySelector('input[name="handover-target"]:checked')?.value;
  const free = colleagues().filter(hasRoom);
  dlg.groups.replaceChildren(...GROUPS.map((g) => {
    const n = free.filter((c) => g.disciplines.includes(c.discipline)).length;
    return option(`group:${g.code}`, g.label, n === 0 ? "niemand vrij" : `${n} vrij`, n === 0, chosen,
      g.label.toLowerCase());
  }));
  dlg.people.replaceChildren(...free.map((c) => option(`user:${c.id}`, c.display_name,
    `${c.discipline_label} · ${c.open_chats}/${c.max_chats}`, false, chosen, c.display_name)));
  dlg.noPeople.hidden = free.length > 0;
}

function option(value, label, detail, disabled, chosen, to) {
  const input = h("input", { type: "radio", name: "handover-target", value, disabled,
    checked: !disabled && value === chosen, "data-to": to });
  return h("label", { class: `handover-option${disabled ? " is-disabled" : ""}`, "data-testid": "handover-option" },
    input,
    h("span", { class: "handover-option-name" }, label),
    h("span", { class: "handover-option-detail" }, detail));
}

function renderCounter() {
  const n = dlg.note.value.length;
  dlg.counter.textContent = `${n}/${NOTE_MAX}`;
}

function fieldError(el, text) {
  el.textContent = text;
  el.hidden = !text;
}

function setBusy(busy) {
  dlg.submit.disabled = busy;
  dlg.submit.textContent = busy ? "Doorgeven…" : "Doorgeven";
  dlg.dialog.setAttribute("aria-busy", String(busy));
}

function submitOffer() {
  if (!current || current.timer) return;
  dlg.error.textContent = "";
  const picked = dlg.dialog.querySelector('input[name="handover-target"]:checked');
  const note = dlg.note.value.trim();
  fieldError(dlg.targetError, picked ? "" : "Kies een collega of een groep.");
  fieldError(dlg.noteError, note ? "" : "Schrijf een korte overdrachtsnota voor je collega.");
  if (!picked) return dlg.dialog.querySelector('input[name="handover-target"]:not(:disabled)')?.focus();
  if (!note) return dlg.note.focus();
  const [kind, value] = picked.value.split(":");
  const frame = { type: "hand_over", conversation_id: current.chat.id, note };
  if (kind === "user") frame.to_user_id = Number(value);
  else frame.to_group = value;
  if (!send(frame)) {
    dlg.error.textContent = NO_CONNECTION;
    return;
  }
  sent = { conversationId: current.chat.id, to: picked.dataset.to, group: kind === "group" };
  setBusy(true);
  current.timer = setTimeout(() => {
    if (!current) return;
    current.timer = null;
    setBusy(false);
    dlg.error.textContent = "Geen antwoord van de server. Probeer het opnieuw.";
  }, ANSWER_TIMEOUT_MS);
}

/**
 * An offer of this chat now stands (`handover_answer` "offered", maybe made in another tab): a dialog
 * open for it closes (focus goes back to the composer); whom it went to ({to, group}), or null when
 * this tab did not send it.
 */
export function dialogOffered(conversationId) {
  if (current && current.chat.id === conversationId) closeDialog(current.chat.els.input);
  return sent && sent.conversationId === conversationId ? sent : null;
}

/** An `error` frame: said in the dialog when it answers the dialog's `hand_over`; true when taken. */
export function takeHandoverError(f) {
  if (!current || !current.timer || typeof f.client_id === "string") return false;
  const code = String(f.code ?? "");
  if (!ANSWER_ERRORS.includes(code)) return false;
  if (Number.isInteger(f.conversation_id) && f.conversation_id !== current.chat.id) return false;
  clearTimeout(current.timer);
  current.timer = null;
  setBusy(false);
  dlg.error.textContent = f.message ? String(f.message) : ERROR_TEXT[code] ?? `Er ging iets mis (${code}).`;
  if (code === "nobody_free") renderOptions();
  return true;
}

/** The chat ended or is no longer ours: a dialog open for it closes. */
export function closeHandoverDialogFor(chat) {
  if (current && current.chat === chat) closeDialog(null);
}

/** The socket went: a `hand_over` in flight is not answered any more. */
export function handoverDialogLost() {
  if (!current || !current.timer) return;
  clearTimeout(current.timer);
  current.timer = null;
  setBusy(false);
  dlg.error.textContent = "De verbinding viel weg. Kijk of het gesprek al doorgegeven werd, en probeer opnieuw.";
}

/** Close the dialog; focus goes to `focus` (when given and still usable). */
function closeDialog(focus = null) {
  forget();
  if (dlg?.dialog.open) dlg.dialog.close();
  if (focus && focus.isConnected && !focus.disabled && !focus.hidden) focus.focus();
}

function forget() {
  if (current?.timer) clearTimeout(current.timer);
  current = null;
}
