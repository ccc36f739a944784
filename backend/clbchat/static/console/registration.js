// The registration after a chat (docs/protocol.md, "Registratie"): the form in an ended chat's pane,
// and the "Nog te registreren" list under the queue. Talks to the console JSON API
// (/console/api/..., docs/protocol.md); never blocks taking the next visitor.

import { upsertChat } from "./chat-pane.js";
import { h } from "./dom.js";
import { fmtClock, nickOf, roleLabel } from "./format.js";
import { usedResultCodes } from "./snippets.js";
import { chats, me, root } from "./state.js";
import { announce } from "./status.js";

const API = new URL("api/", new URL(root.dataset.indexUrl || "/console/", window.location.href));
const CSRF = root.dataset.csrfToken || "";
const IS_COORDINATOR = root.dataset.role === "coordinator";
const AGE_MIN = 6;
const AGE_MAX = 25;
const NOTE_MAX = 2000;
const LISTS_FRESH_MS = 30000; // coordinators may change the lists; a form opened later reads them again
const OPEN_REFRESH_MS = 60000; // coordinators also see colleagues' chats end
const WHO = [["pupil", "Leerling"], ["parent", "Ouder"], ["teacher", "Leerkracht"], ["other", "Iemand anders"]];
const OTHER_GROUP = "Overige";
const FIELDS = ["visitor_type", "age", "topics", "results", "crisis", "prank", "note"];
const MESSAGES = {
  0: "Niet opgeslagen: geen verbinding met de server. Probeer het opnieuw.",
  401: "Niet opgeslagen: je bent afgemeld. Meld je opnieuw aan.",
  already_registered: "Dit gesprek was al geregistreerd.",
};

let listsCache = null; // {at, promise}
let openItems = [];
let openTimer = null;
let openPending = null;

// --- the API ---------------------------------------------------------------------------------

/** {status, body}; status 0 when the request never got an answer. */
async function api(method, path, body) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.headers["X-CSRFToken"] = CSRF;
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(new URL(path, API), init);
  } catch {
    return { status: 0, body: null };
  }
  let data = null;
  try {
    data = await res.json();
  } catch {
    /* not JSON: the status says enough */
  }
  return { status: res.status, body: data };
}

function loadLists() {
  const now = Date.now();
  if (!listsCache || now - listsCache.at > LISTS_FRESH_MS) {
    const promise = api("GET", "lists").then((r) => {
      if (r.status !== 200 || !r.body) throw new Error("lists");
      return r.body;
    });
    promise.catch(() => (listsCache = null));
    listsCache = { at: now, promise };
  }
  return listsCache.promise;
}

function errorText(r, fallback) {
  const err = r.body && typeof r.body.error === "object" ? r.body.error : null;
  const known = (key) => (Object.hasOwn(MESSAGES, key) ? MESSAGES[key] : undefined);
  return known(String(err?.code)) ?? known(r.status) ?? (err?.message ? String(err.message) : fallback);
}

// --- the form in a pane ----------------------------------------------------------------------

/**
 * The chat in this pane ended: show its registration (the form, or what was registered). Does
 * nothing for a chat that went back to the queue, or twice for one chat.
 */
export function offerRegistration(chat, { focus = false } = {}) {
  if (chat.reg || chat.endedBy === "released") return;
  chat.reg = { state: "loading" };
  const slot = h("div", { class: "reg", "data-testid": "registration" });
  chat.reg.slot = slot;
  chat.els.endedSlot.append(slot);
  chat.els.pane.classList.add("has-registration");
  load(chat, focus);
}

/**
 * Pre-tick a result in this chat's registration (a referral snippet was used during the chat): kept
 * for the form that opens when the chat ends, or ticked at once in an open form.
 */
export function suggestResult(chat, code) {
  chat.regSuggested ??= new Set();
  chat.regSuggested.add(String(code));
  if (chat.reg?.state !== "form") return;
  const box = [...chat.reg.slot.querySelectorAll('input[name="results"]')].find((i) => i.value === String(code));
  if (box) box.checked = true;
}

async function load(chat, focus) {
  const slot = chat.reg.slot;
  slot.replaceChildren(h("p", { class: "reg-loading" }, "Registratie laden…"));
  const [r, lists] = await Promise.all([api("GET", `conversations/${chat.id}/registration`), loadLists().catch(() => null)]);
  if (!slot.isConnected) return;
  if (r.status === 200 && r.body) return showSaved(chat, r.body, lists, { focus: false });
  const draft = r.status === 404 && r.body && r.body.error ? r.body.error.draft : null;
  if (!draft) {
    // Not ours to register (the chat went to a colleague), or not answered: nothing to do here.
    if (r.status === 404 || r.status === 403) return dropRegistration(chat);
    return showRetry(chat, errorText(r, "De registratie kon niet geladen worden."));
  }
  if (!lists) return showRetry(chat, "De lijsten voor de registratie konden niet geladen worden.");
  const active = document.activeElement;
  const mayFocus = focus || !active || active === document.body || chat.els.pane.contains(active);
  const current = new Set(optionsOf(lists.results, []).map((o) => o.code));
  // Results the referral snippets sent in this chat stand for (snippets.js), pre-ticked.
  const suggested = [...(chat.regSuggested ?? []), ...usedResultCodes(chat.id)].filter((code) => current.has(code));
  const results = [...new Set([...(Array.isArray(draft.results) ? draft.results : []), ...suggested])];
  showForm(chat, lists, { ...draft, results, counsellor: chat.regCounsellor }, "create", { focus: mayFocus });
}

function dropRegistration(chat) {
  chat.reg.slot.remove();
  chat.reg = { state: "none" };
  chat.els.pane.classList.remove("has-registration");
}

function showRetry(chat, text) {
  chat.reg.state = "error";
  const again = h("button", { type: "button", class: "btn btn-small" }, "Opnieuw proberen");
  again.addEventListener("click", () => load(chat, true));
  chat.reg.slot.replaceChildren(h("p", { class: "reg-error", role: "alert" }, text, " ", again));
}

function optionsOf(list, chosen) {
  const options = list && Array.isArray(list.options) ? list.options : [];
  return options.filter((o) => o && typeof o.code === "string" && (!o.retired || chosen.includes(o.code)));
}

function showForm(chat, lists, values, mode, { focus = false } = {}) {
  const uid = `reg-${chat.id}`;
  const errors = {};
  const errorEl = (field) => {
    errors[field] = h("p", { class: "reg-error", id: `${uid}-${field}-error`, "data-testid": `reg-error-${field}`, hidden: true });
    return errors[field];
  };
  const topics = Array.isArray(values.topics) ? values.topics : [];
  const results = Array.isArray(values.results) ? values.results : [];

  const who = h("fieldset", { class: "reg-who", "aria-describedby": `${uid}-visitor_type-error` },
    h("legend", {}, "Wie chatte?"),
    h("div", { class: "reg-options reg-inline" }, ...WHO.map(([code, label]) => choice(uid, "radio", "visitor_type", code, label,
      code === values.visitor_type))),
    errorEl("visitor_type"));

  const age = h("input", {
    type: "number", id: `${uid}-age`, name: "age", class: "reg-age", min: String(AGE_MIN), max: String(AGE_MAX),
    step: "1", inputmode: "numeric", "aria-describedby": `${uid}-age-hint ${uid}-age-error`,
    value: Number.isInteger(values.age) ? String(values.age) : null, "data-testid": "reg-age",
  });
  const ageField = h("div", { class: "reg-field reg-age-field" },
    h("label", { for: age.id }, "Leeftijd"), age,
    h("span", { class: "reg-hint", id: `${uid}-age-hint` }, `niet verplicht, ${AGE_MIN}-${AGE_MAX} jaar`),
    errorEl("age"));

  const groups = [];
  const topicOptions = optionsOf(lists.topics, topics);
  const groupNames = lists.topic_groups && typeof lists.topic_groups === "object" ? lists.topic_groups : {};
  // The domains in the order of the list itself (JSON objects come with sorted keys), the rest last.
  const groupKeys = [...new Set(topicOptions.map((o) => o.group_code).filter((g) => g in groupNames)), null];
  for (const key of groupKeys) {
    const inGroup = topicOptions.filter((o) => (key === null ? !(o.group_code in groupNames) : o.group_code === key));
    if (!inGroup.length) continue;
    groups.push(h("fieldset", { class: "reg-group" },
      h("legend", {}, key === null ? OTHER_GROUP : String(groupNames[key])),
      h("div", { class: "reg-options" }, ...inGroup.map((o) => choice(uid, "checkbox", "topics", o.code, o.label,
        topics.includes(o.code))))));
  }
  const topicsSet = h("fieldset", { class: "reg-topics", "aria-describedby": `${uid}-topics-error` },
    h("legend", {}, "Onderwerpen"), errorEl("topics"), ...groups);

  const resultsSet = h("fieldset", { class: "reg-results", "aria-describedby": `${uid}-results-error` },
    h("legend", {}, "Resultaat"), errorEl("results"),
    h("div", { class: "reg-options" }, ...optionsOf(lists.results, results).map((o) => choice(uid, "checkbox", "results",
      o.code, o.label, results.includes(o.code)))));

  const crisis = h("div", { class: "reg-field" },
    choice(uid, "checkbox", "crisis", "1", "Crisis: er was meteen actie nodig", values.crisis === true),
    errorEl("crisis"));
  // A correction can also make it a prank, or a prank a real chat (a new one has the button instead).
  const prankField = mode === "create" ? null : h("div", { class: "reg-field" },
    choice(uid, "checkbox", "prank", "1", "Nepoproep", values.prank === true), errorEl("prank"));

  const note = h("textarea", {
    id: `${uid}-note`, name: "note", rows: "2", maxlength: String(NOTE_MAX), class: "reg-note",
    "aria-describedby": `${uid}-note-error`, "data-testid": "reg-note",
  });
  note.value = typeof values.note === "string" ? values.note : "";
  const noteField = h("div", { class: "reg-field" },
    h("label", { for: note.id }, "Interne notitie ", h("span", { class: "reg-hint" }, "(alleen voor collega's)")),
    note, errorEl("note"));

  const general = h("p", { class: "reg-error reg-general", role: "alert", "data-testid": "reg-error" });
  const save = h("button", { type: "submit", class: "btn btn-primary", "data-testid": "reg-save" },
    mode === "create" ? "Registreren" : "Wijziging opslaan");
  const actions = h("div", { class: "reg-actions" }, save);
  let prank = null;
  if (mode === "create") {
    prank = h("button", { type: "button", class: "btn", "data-testid": "reg-prank" }, "Nepoproep");
    prank.setAttribute("aria-describedby", `${uid}-prank-hint`);
    actions.append(prank, h("span", { class: "reg-hint", id: `${uid}-prank-hint` }, "registreert meteen, zonder meer"));
  }
  const owner = values.counsellor ? ` (gesprek van ${values.counsellor})` : "";
  const title = h("h3", { class: "reg-title", id: `${uid}-title` },
    mode === "create" ? "Registratie" : "Registratie aanpassen", owner);
  const form = h("form", { class: "reg-form", "aria-labelledby": title.id, novalidate: true, "data-testid": "reg-form" },
    title, who, ageField, topicsSet, resultsSet, crisis, prankField, noteField, general, actions);

  chat.reg.state = "form";
  chat.els.pane.classList.add("has-registration");
  chat.reg.counsellor = values.counsellor ?? null;
  chat.els.pane.dataset.registration = "open";
  chat.reg.slot.replaceChildren(form);

  const showErrors = (fields, message) => {
    for (const field of FIELDS) setError(form, errors[field], field, null);
    let first = null;
    for (const [field, msgs] of Object.entries(fields || {})) {
      const text = Array.isArray(msgs) ? msgs.join(" ") : String(msgs);
      if (Object.hasOwn(errors, field)) {
        setError(form, errors[field], field, text);
        first ??= field;
      } else {
        message = message ? `${message} ${text}` : text;
      }
    }
    general.textContent = first && !message ? "Niet opgeslagen: kijk de aangeduide velden na." : (message || "");
    const target = first ? fieldFocus(form, first) : null;
    (target ?? save).focus();
  };

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (chat.reg.busy) return;
    const data = new FormData(form);
    const ageText = String(data.get("age") ?? "").trim();
    const ageValue = ageText === "" ? null : Number(ageText);
    if (ageValue !== null && !(Number.isInteger(ageValue) && ageValue >= AGE_MIN && ageValue <= AGE_MAX)) {
      return showErrors({ age: [`Een leeftijd is ${AGE_MIN} tot ${AGE_MAX} jaar (of leeg).`] });
    }
    const body = {
      visitor_type: String(data.get("visitor_type") ?? ""),
      age: ageValue,
      topics: data.getAll("topics").map(String),
      results: data.getAll("results").map(String),
      prank: data.get("prank") !== null,
      crisis: data.get("crisis") !== null,
      note: String(data.get("note") ?? "").trim() || null,
    };
    const missing = {};
    if (!body.visitor_type) missing.visitor_type = ["Kies wie er chatte."];
    if (!body.prank && !body.topics.length) missing.topics = ["Kies minstens één onderwerp (of registreer een nepoproep)."];
    if (!body.prank && !body.results.length) missing.results = ["Kies minstens één resultaat."];
    if (Object.keys(missing).length) return showErrors(missing);
    await submit(chat, mode === "create" ? "POST" : "PUT", body, lists, { form, showErrors, buttons: [save, prank] });
  });

  prank?.addEventListener("click", () => {
    if (chat.reg.busy) return;
    const picked = form.querySelector('input[name="visitor_type"]:checked');
    const body = { visitor_type: picked ? picked.value : values.visitor_type || "pupil", prank: true };
    submit(chat, "POST", body, lists, { form, showErrors, buttons: [save, prank] });
  });

  if (focus) fieldFocus(form, "visitor_type")?.focus();
}

/** A radio or checkbox with its label. */
function choice(uid, type, name, value, label, checked) {
  const id = `${uid}-${name}-${value}`;
  const input = h("input", { type, id, name, value, checked, "data-testid": `reg-${name}-${value}` });
  return h("label", { class: "reg-choice", for: id }, input, h("span", {}, String(label)));
}

function fieldFocus(form, field) {
  if (field === "visitor_type") {
    return form.querySelector('input[name="visitor_type"]:checked') ?? form.querySelector('input[name="visitor_type"]');
  }
  return form.querySelector(`[name="${field}"]`);
}

function setError(form, el, field, text) {
  if (!el) return;
  el.textContent = text ?? "";
  el.hidden = !text;
  for (const input of form.querySelectorAll(`[name="${field}"]`)) {
    if (text) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
}

async function submit(chat, method, body, lists, { form, showErrors, buttons }) {
  chat.reg.busy = true;
  for (const b of buttons) if (b) b.disabled = true;
  form.setAttribute("aria-busy", "true");
  const r = await api(method, `conversations/${chat.id}/registration`, body);
  chat.reg.busy = false;
  form.removeAttribute("aria-busy");
  for (const b of buttons) if (b) b.disabled = false;
  if (!form.isConnected) return;
  const err = r.body && typeof r.body.error === "object" ? r.body.error : null;
  if ((r.status === 200 || r.status === 201) && r.body && !err) {
    announce(`${chat.nickname}: registratie opgeslagen.`);
    showSaved(chat, r.body, lists, { focus: true, message: body.prank ? "Geregistreerd als nepoproep." : null });
    refreshOpenList();
    return;
  }
  if (err?.code === "already_registered") {
    const again = await api("GET", `conversations/${chat.id}/registration`);
    if (again.status === 200 && again.body) {
      showSaved(chat, again.body, lists, { focus: true, message: MESSAGES.already_registered });
    } else {
      // Registered by a coordinator: theirs to read, not ours.
      showSaved(chat, null, lists, { focus: true, message: `${MESSAGES.already_registered} (door een collega)` });
    }
    refreshOpenList();
    return;
  }
  if (r.status === 422 && err?.fields) return showErrors(err.fields, null);
  showErrors(null, errorText(r, "Niet opgeslagen. Probeer het opnieuw."));
}

function labelsOf(list, codes) {
  const byCode = new Map((list && Array.isArray(list.options) ? list.options : []).map((o) => [o.code, o.label]));
  return codes.map((c) => byCode.get(c) ?? c).join(", ");
}

function showSaved(chat, saved, lists, { focus = false, message = null } = {}) {
  chat.reg.state = "saved";
  chat.els.pane.dataset.registration = "saved";
  chat.els.pane.classList.remove("has-registration"); // the transcript gets its room back
  const topics = Array.isArray(saved?.topics) ? saved.topics : [];
  const results = Array.isArray(saved?.results) ? saved.results : [];
  const who = WHO.find(([code]) => code === saved?.visitor_type)?.[1] ?? "—";
  const lines = [h("p", { class: "reg-done-title" }, message ?? "Geregistreerd.")];
  if (!saved) {
    chat.reg.slot.replaceChildren(h("div", { class: "reg-done", role: "status", "data-testid": "reg-done" }, ...lines));
    if (focus) chat.els.endedSlot.querySelector('[data-testid="pane-close"]')?.focus();
    return;
  }
  if (saved.prank) {
    lines.push(h("p", {}, `Nepoproep (${who}).`));
  } else {
    lines.push(h("p", {}, `${who}${Number.isInteger(saved.age) ? `, ${saved.age} jaar` : ""}${saved.crisis ? " · crisis" : ""}`));
    if (topics.length) lines.push(h("p", {}, "Onderwerpen: ", labelsOf(lists?.topics, topics)));
    if (results.length) lines.push(h("p", {}, "Resultaat: ", labelsOf(lists?.results, results)));
  }
  const edit = h("button", { type: "button", class: "btn btn-small", "data-testid": "reg-edit" }, "Aanpassen");
  edit.addEventListener("click", async () => {
    const fresh = await loadLists().catch(() => lists);
    if (fresh) showForm(chat, fresh, { ...saved, counsellor: chat.reg.counsellor }, "correct", { focus: true });
  });
  const box = h("div", { class: "reg-done", role: "status", "data-testid": "reg-done" }, ...lines, edit);
  chat.reg.slot.replaceChildren(box);
  if (focus) (chat.els.endedSlot.querySelector('[data-testid="pane-close"]') ?? edit).focus();
}

// --- the "Nog te registreren" list -------------------------------------------------------------

const openSection = {};

/** Build the list under the queue and fill it. */
export function initRegistration() {
  const aside = root.querySelector(".queue");
  if (!aside) return;
  const title = h("h2", { class: "queue-title", id: "reg-open-title" }, "Nog te registreren");
  openSection.count = h("span", { class: "queue-count reg-open-count", "data-testid": "registrations-open-count" }, "0");
  openSection.list = h("ul", { class: "reg-open-list", "data-testid": "registrations-open-list", "aria-labelledby": title.id });
  openSection.empty = h("p", { class: "queue-empty", "data-testid": "registrations-open-empty" }, "Alles geregistreerd.");
  openSection.el = h("section", { class: "reg-open", "aria-labelledby": title.id, "data-testid": "registrations-open" },
    h("div", { class: "queue-head" }, title, openSection.count),
    IS_COORDINATOR ? h("p", { class: "queue-online" }, "Van het hele team.") : null,
    openSection.list, openSection.empty);
  aside.append(openSection.el);
  refreshOpenList();
  setInterval(() => {
    if (document.visibilityState === "visible") refreshOpenList();
  }, OPEN_REFRESH_MS);
}

/** Read the open registrations again (soon: several calls in a row make one request). */
export function refreshOpenList() {
  if (!openSection.el) return;
  clearTimeout(openTimer);
  openTimer = setTimeout(fetchOpen, 150);
}

async function fetchOpen() {
  if (openPending) return openPending.then(() => refreshOpenList());
  openPending = api("GET", "registrations/open");
  const r = await openPending;
  openPending = null;
  if (r.status !== 200 || !Array.isArray(r.body)) return;
  openItems = r.body.filter((o) => o && Number.isInteger(o.conversation_id));
  renderOpen();
}

function renderOpen() {
  const n = openItems.length;
  openSection.count.textContent = String(n);
  openSection.count.setAttribute("aria-label", n === 1 ? "1 gesprek" : `${n} gesprekken`);
  openSection.empty.hidden = n > 0;
  const focusedId = openSection.list.contains(document.activeElement)
    ? document.activeElement.dataset.conversationId : null;
  const rows = openItems.map((o) => {
    const nick = nickOf(o.nickname);
    const when = fmtClock(o.ended_at);
    const parts = [roleLabel(o.visitor_role), when && `gedaan ${when}`, IS_COORDINATOR && o.counsellor].filter(Boolean);
    const button = h("button", {
      type: "button", class: "reg-open-item", "data-testid": "registration-open-item",
      "data-conversation-id": o.conversation_id,
    }, h("span", { class: "qr-nick" }, nick), h("span", { class: "qr-role" }, parts.join(" · ")));
    button.addEventListener("click", () => openFromList(o));
    return h("li", {}, button);
  });
  openSection.list.replaceChildren(...rows);
  if (focusedId) openSection.list.querySelector(`[data-conversation-id="${focusedId}"]`)?.focus();
}

/** Open (or go to) the pane of a chat on the list, with its form. */
function openFromList(o) {
  let chat = chats.get(o.conversation_id);
  if (!chat) {
    chat = upsertChat({ id: o.conversation_id, nickname: o.nickname, visitor_role: o.visitor_role, status: "ended" });
    chat.els.pane.classList.add("reg-only"); // no transcript here: only the form
  }
  // A coordinator may register a colleague's chat: the form says whose it is.
  if (IS_COORDINATOR && o.counsellor && o.counsellor !== me.displayName) chat.regCounsellor = o.counsellor;
  chat.els.pane.scrollIntoView({ block: "nearest" });
  if (!chat.reg || chat.reg.state === "none") {
    chat.reg = null;
    offerRegistration(chat, { focus: true });
  } else if (chat.reg.state === "form") {
    fieldFocus(chat.reg.slot.querySelector("form"), "visitor_type")?.focus();
  } else {
    chat.reg.slot.querySelector("button")?.focus();
  }
}
