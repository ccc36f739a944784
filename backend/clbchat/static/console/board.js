// The shared board ("prikbord") under the queue: the team's short notes about recent recurring and
// prank chatters (the nickname they used, the pattern, how to handle it), newest first, each with its
// author, when it was written and how long it stays. Anyone adds a note; its author (or a
// coordinator: `removable` says so) takes it down. Read again on load, after one's own change and
// every minute. Talks to GET/POST /console/api/board and DELETE /console/api/board/<id>.
//
// Notes are what colleagues typed: they go in the page as text, never as HTML.

import { h } from "./dom.js";
import { root } from "./state.js";
import { announce } from "./status.js";

const REFRESH_MS = 60_000;
const DAY_MS = 24 * 60 * 60 * 1000;
const NICKNAME_MAX = 24;
const BODY_MAX = 1000;
const whenFmt = new Intl.DateTimeFormat("nl-BE", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
const clockFmt = new Intl.DateTimeFormat("nl-BE", { hour: "2-digit", minute: "2-digit" });

const el = {};
let days = null;
let loadedAt = 0;
let loading = null;

export function initBoard() {
  const section = root.querySelector('[data-testid="board"]');
  if (!section) return;
  el.section = section;
  el.title = h("h2", { class: "queue-title", id: "board-title", tabindex: "-1" }, "Prikbord");
  el.count = h("span", { class: "queue-count board-count", "data-testid": "board-count" }, "0");
  el.help = h("p", { class: "board-help", id: "board-help", "data-testid": "board-help" });
  el.error = h("p", { class: "board-error", role: "alert", "data-testid": "board-error", hidden: true });
  el.list = h("ul", { class: "board-list", "data-testid": "board-list", "aria-labelledby": "board-title" });
  el.empty = h("p", { class: "queue-empty", "data-testid": "board-empty", hidden: true }, "Geen notities.");
  section.replaceChildren(h("div", { class: "queue-head" }, el.title, el.count), el.help, buildForm(), el.error,
    el.list, el.empty);
  renderHelp();
  refreshBoard();
  setInterval(() => {
    if (document.visibilityState === "visible") refreshBoard();
  }, REFRESH_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && Date.now() - loadedAt > REFRESH_MS) refreshBoard();
  });
}

/** Read the board again (one request at a time). */
export function refreshBoard() {
  if (!loading) {
    loading = api("GET", "/board")
      .then((board) => {
        if (Number.isInteger(board?.days)) days = board.days;
        render(Array.isArray(board?.notes) ? board.notes : []);
        loadedAt = Date.now();
        showError("");
      })
      .catch((error) => showError(`Het prikbord kon niet geladen worden (${error.message}).`))
      .finally(() => {
        loading = null;
      });
  }
  return loading;
}

/** A request to /console/api{path}: the JSON answer, or an Error with its message, status and the
 * fields a 422 named. */
async function api(method, path, body) {
  const headers = { Accept: "application/json", "X-CSRFToken": root.dataset.csrfToken || "" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const base = (root.dataset.indexUrl || "/console/").replace(/\/?$/, "/");
  const res = await fetch(`${base}api${path}`, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    const error = new Error(data?.error?.message || `fout ${res.status}`);
    error.status = res.status;
    error.fields = data?.error?.fields ?? {};
    throw error;
  }
  return data;
}

// --- the notes ----------------------------------------------------------------------------------

function renderHelp() {
  const stays = days ? `Notities verdwijnen na ${days} ${days === 1 ? "dag" : "dagen"}.` : "Notities verdwijnen vanzelf.";
  el.help.textContent =
    "Notities van het team over wie herhaaldelijk of voor de grap chat, en hoe je ermee omgaat. Niets dat een " +
    `bezoeker herkenbaar maakt: geen echte naam, school, adres of telefoonnummer. ${stays}`;
}

function render(notes) {
  renderHelp();
  const focusedId = el.list.contains(document.activeElement)
    ? document.activeElement.closest("[data-note-id]")?.dataset.noteId : null;
  el.list.replaceChildren(...notes.filter((n) => n && Number.isInteger(n.id)).map(noteItem));
  const n = el.list.childElementCount;
  el.count.textContent = String(n);
  el.count.setAttribute("aria-label", n === 1 ? "1 notitie" : `${n} notities`);
  el.empty.hidden = n > 0;
  if (focusedId) el.list.querySelector(`[data-note-id="${focusedId}"] button`)?.focus();
}

function noteItem(note) {
  const nickname = typeof note.nickname === "string" && note.nickname ? note.nickname : null;
  const meta = [note.author, written(note.created_at), expiresText(note.expires_at)].filter(Boolean).join(" · ");
  const item = h("li", { class: "board-note", "data-testid": "board-note", "data-note-id": note.id },
    h("p", { class: nickname ? "board-note-nick" : "board-note-nick is-none", "data-testid": "board-note-nickname" },
      nickname ?? "Geen nickname"),
    h("p", { class: "board-note-body", "data-testid": "board-note-body" }, String(note.body ?? "")));
  const footer = h("div", { class: "board-note-foot" },
    h("p", { class: "board-note-meta", "data-testid": "board-note-meta" }, meta));
  if (note.removable) {
    const remove = h("button", { type: "button", class: "btn btn-small btn-quiet board-note-remove",
      "data-testid": "board-note-remove", "aria-label": `Notitie${nickname ? ` over ${nickname}` : ""} weghalen` },
    "Weghalen");
    remove.addEventListener("click", () => removeNote(note, remove));
    footer.append(remove);
  }
  item.append(footer);
  return item;
}

function written(iso) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "";
  const at = new Date(t);
  return at.toDateString() === new Date().toDateString() ? `vandaag ${clockFmt.format(at)}` : whenFmt.format(at);
}

/** "verloopt over N dagen", counting a day begun as a day. */
export function expiresText(iso, now = Date.now()) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "";
  const left = Math.max(1, Math.ceil((t - now) / DAY_MS));
  return `verloopt over ${left} ${left === 1 ? "dag" : "dagen"}`;
}

async function removeNote(note, button) {
  button.disabled = true;
  try {
    await api("DELETE", `/board/${note.id}`);
    announce("Notitie weggehaald van het prikbord.");
  } catch (error) {
    // Gone already (a colleague or the clock was first): the refresh below shows the board as it is.
    if (error.status !== 404) showError(`Weghalen lukte niet: ${error.message}`);
    button.disabled = false;
  }
  el.title.focus();
  await refreshBoard();
}

function showError(text) {
  el.error.textContent = text;
  el.error.hidden = !text;
}

// --- adding a note ------------------------------------------------------------------------------

function field(name, label, control, hint) {
  const error = h("p", { class: "board-field-error", id: `board-${name}-error`, "data-testid": `board-${name}-error`,
    hidden: true });
  control.id = `board-${name}`;
  control.name = name;
  control.setAttribute("aria-describedby", [hint ? `board-${name}-hint` : null, error.id].filter(Boolean).join(" "));
  return {
    control,
    error,
    el: h("div", { class: "board-field" }, h("label", { for: control.id }, label), control,
      hint ? h("p", { class: "board-hint", id: `board-${name}-hint` }, hint) : null, error),
  };
}

function buildForm() {
  const nickname = field("nickname", "Gebruikte nickname (niet verplicht)",
    h("input", { type: "text", maxlength: NICKNAME_MAX, autocomplete: "off", "data-testid": "board-nickname" }));
  const body = field("body", "Patroon en aanpak",
    h("textarea", { rows: 3, maxlength: BODY_MAX, required: true, "data-testid": "board-body" }),
    "Wat gebeurt er telkens, en hoe ga je ermee om?");
  const fields = { nickname, body };
  const submit = h("button", { type: "submit", class: "btn btn-primary btn-small", "data-testid": "board-add" },
    "Op het prikbord zetten");
  const form = h("form", { class: "board-form", "data-testid": "board-form", novalidate: true },
    nickname.el, body.el, submit);
  const summary = h("summary", { class: "btn btn-quiet btn-small board-toggle", "data-testid": "board-new" },
    "Notitie toevoegen");
  const details = h("details", { class: "board-new" }, summary, form);

  const setError = (name, text) => {
    const f = fields[name];
    if (!f) return false;
    f.error.textContent = text || "";
    f.error.hidden = !text;
    if (text) f.control.setAttribute("aria-invalid", "true");
    else f.control.removeAttribute("aria-invalid");
    return true;
  };

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    Object.keys(fields).forEach((name) => setError(name, ""));
    const sent = { nickname: nickname.control.value.trim() || null, body: body.control.value.trim() };
    if (!sent.body) {
      setError("body", "Schrijf het patroon en hoe je ermee omgaat.");
      body.control.focus();
      return;
    }
    submit.disabled = true;
    try {
      await api("POST", "/board", sent);
      form.reset();
      details.open = false;
      summary.focus();
      announce("Notitie op het prikbord gezet.");
      await refreshBoard();
    } catch (error) {
      const named = Object.entries(error.fields ?? {}).filter(([name, texts]) => setError(name, texts?.[0]));
      if (named.length) fields[named[0][0]].control.focus();
      else setError("body", error.message);
    } finally {
      submit.disabled = false;
    }
  });
  return details;
}
