// Referral snippets in a chat's composer: `/` plus a few letters opens a list of matching snippets
// (the library and the counsellor's own, GET /console/api/snippets); arrow keys choose, Enter or a
// click inserts the snippet's text at the cursor in place of the `/letters`, Escape closes. Several
// per message are fine. A snippet whose partner's details were not checked for a year is marked.
//
// A sent message that still holds an inserted snippet's text counts as using it: the snippet's
// result code is remembered per chat (this tab's sessionStorage) for the registration form, which
// reads usedResultCodes(conversationId) and may listen for the "clbchat:snippet-used" event on
// #console ({detail: {conversationId, resultCode}}).

import { h, storageGet, storageSet } from "./dom.js";
import { root } from "./state.js";

const SHOWN_MAX = 8;
const QUERY_MAX = 30;
const RELOAD_AFTER_MS = 60_000; // a library change reaches open consoles at the next `/` after this
const USED_KEY = "clbchat.console.snippet-results";
// "/" at the start or after a space, then letters up to the cursor: "/awe" in "bel /awe".
const TRIGGER = new RegExp(`(?:^|\\s)/([^\\s/]{0,${QUERY_MAX}})$`, "u");
const dateFmt = new Intl.DateTimeFormat("nl-BE", { day: "numeric", month: "long", year: "numeric" });

let loaded = { at: 0, list: [], request: null };
let menuCounter = 0;

// --- the console's JSON API ---------------------------------------------------------------------

function csrfToken() {
  return root.dataset.csrfToken || document.querySelector('input[name="csrf_token"]')?.value || "";
}

/** A request to /console/api{path}; resolves with the JSON answer, rejects with its error message. */
export async function consoleApi(method, path, body) {
  const headers = { Accept: "application/json", "X-CSRFToken": csrfToken() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const base = (root.dataset.indexUrl || "/console/").replace(/\/?$/, "/");
  const res = await fetch(`${base}api${path}`, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const error = new Error(data?.error?.message || `Fout ${res.status}`);
    error.status = res.status;
    throw error;
  }
  return data;
}

/** The snippets this counsellor may use (cached; fetched again when older than a minute). */
export function loadSnippets() {
  if (!loaded.request && Date.now() - loaded.at > RELOAD_AFTER_MS) {
    loaded.request = consoleApi("GET", "/snippets")
      .then((list) => {
        loaded = { at: Date.now(), list: Array.isArray(list) ? list : [], request: null };
        return loaded.list;
      })
      .catch(() => {
        loaded.request = null;
        return loaded.list;
      });
  }
  return loaded.request ?? Promise.resolve(loaded.list);
}

// --- finding ------------------------------------------------------------------------------------

/** Lower case without accents: "Coördinator" -> "coordinator" (as domain/snippets.py matches). */
const fold = (text) => String(text ?? "").normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();

function rank(snippet, needle) {
  const title = fold(snippet.title);
  if (title.startsWith(needle)) return 0;
  if (title.split(/[^\p{L}\p{N}]+/u).some((word) => word.startsWith(needle))) return 1;
  if (title.includes(needle)) return 2;
  const others = [snippet.partner_name, snippet.category, snippet.body];
  const at = others.findIndex((text) => fold(text).includes(needle));
  return at === -1 ? null : 3 + at;
}

/** The snippets `query` finds, best first: titles before partners, categories and text. */
export function findSnippets(list, query) {
  const needle = fold(query).trim();
  if (!needle) return list.slice(0, SHOWN_MAX);
  return list
    .map((snippet, order) => ({ snippet, order, rank: rank(snippet, needle) }))
    .filter((m) => m.rank !== null)
    .sort((a, b) => a.rank - b.rank || a.order - b.order)
    .slice(0, SHOWN_MAX)
    .map((m) => m.snippet);
}

function staleText(snippet) {
  if (!snippet.stale) return null;
  const checked = snippet.last_checked ? Date.parse(snippet.last_checked) : NaN;
  return Number.isNaN(checked)
    ? "gegevens nog nooit gecontroleerd"
    : `gegevens niet gecontroleerd sinds ${dateFmt.format(new Date(checked))}`;
}

// --- result codes per chat ----------------------------------------------------------------------

function readUsed() {
  try {
    const stored = JSON.parse(storageGet("sessionStorage", USED_KEY) || "{}");
    return stored && typeof stored === "object" ? stored : {};
  } catch {
    return {};
  }
}

/** The result codes of the snippets sent in this chat (for pre-ticking its registration). */
export function usedResultCodes(conversationId) {
  const codes = readUsed()[String(conversationId)];
  return Array.isArray(codes) ? codes.filter((c) => typeof c === "string") : [];
}

function rememberUsed(conversationId, resultCode) {
  const used = readUsed();
  const codes = new Set(usedResultCodes(conversationId));
  if (codes.has(resultCode)) return;
  codes.add(resultCode);
  used[String(conversationId)] = [...codes];
  const keep = Object.keys(used).slice(-100); // a long shift's chats, not forever
  storageSet("sessionStorage", USED_KEY, JSON.stringify(Object.fromEntries(keep.map((k) => [k, used[k]]))));
  root.dispatchEvent(new CustomEvent("clbchat:snippet-used", { detail: { conversationId, resultCode } }));
}

// --- the composer -------------------------------------------------------------------------------

/** Insert `snippet`'s text in the chat's composer: in place of input[start, end), else at the cursor. */
export function insertSnippet(chat, snippet, start = null, end = null) {
  const input = chat.els.input;
  const from = start ?? input.selectionStart ?? input.value.length;
  const to = end ?? input.selectionEnd ?? from;
  const before = input.value.slice(0, from);
  const text = (before && !/\s$/.test(before) ? " " : "") + snippet.body;
  input.setRangeText(text, from, to, "end");
  chat.snippetsInserted ??= [];
  if (snippet.result_code) chat.snippetsInserted.push({ body: snippet.body, resultCode: snippet.result_code });
  input.focus();
  input.dispatchEvent(new Event("input", { bubbles: true })); // the counter and typing indicator
}

/** The message is being sent: the snippets whose text it still holds count as used. */
function commitInserted(chat) {
  const text = chat.els.input.value;
  for (const s of chat.snippetsInserted ?? []) if (text.includes(s.body)) rememberUsed(chat.id, s.resultCode);
  chat.snippetsInserted = [];
}

/** Give a chat pane's composer the `/` snippet list. */
export function attachSnippets(chat) {
  const { input, form } = chat.els;
  const menuId = `snippet-menu-${++menuCounter}`;
  const menu = h("ul", { class: "snippet-menu", id: menuId, role: "listbox", "data-testid": "snippet-menu",
    "aria-label": "Snippets", hidden: true });
  form.prepend(menu);
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", menuId);
  const state = { token: null, matches: [], active: 0, dismissed: null };

  const close = () => {
    menu.hidden = true;
    menu.replaceChildren();
    state.token = null;
    input.removeAttribute("aria-activedescendant");
  };

  const highlight = (index) => {
    state.active = index;
    [...menu.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
    const li = menu.children[index];
    if (li?.id) {
      input.setAttribute("aria-activedescendant", li.id);
      li.scrollIntoView({ block: "nearest" });
    }
  };

  const choose = (index) => {
    const snippet = state.matches[index];
    const token = state.token;
    if (!snippet || !token) return;
    close();
    insertSnippet(chat, snippet, token.start, token.end);
  };

  const render = () => {
    menu.replaceChildren();
    if (!state.matches.length) {
      menu.append(h("li", { class: "snippet-empty", role: "option", "aria-disabled": "true" },
        loaded.at ? "Geen snippet gevonden." : "Snippets laden…"));
    }
    state.matches.forEach((snippet, i) => {
      const stale = staleText(snippet);
      const meta = [snippet.category, snippet.partner_phone, snippet.library ? null : "eigen"].filter(Boolean);
      const li = h("li", { class: "snippet-option", role: "option", id: `${menuId}-${i}`,
        "data-testid": "snippet-option", "data-snippet-id": snippet.id, "aria-selected": "false" },
      h("span", { class: "snippet-option-title" }, snippet.title),
      h("span", { class: "snippet-option-meta" }, meta.join(" · ")),
      h("span", { class: "snippet-option-body" }, snippet.body),
      stale ? h("span", { class: "snippet-stale", "data-testid": "snippet-stale" }, stale) : null);
      li.addEventListener("pointerdown", (ev) => ev.preventDefault()); // keep the cursor in the input
      li.addEventListener("click", () => choose(i));
      menu.append(li);
    });
    menu.hidden = false;
    highlight(Math.min(state.active, Math.max(state.matches.length - 1, 0)));
  };

  const update = () => {
    if (chat.status === "ended" || input.selectionStart !== input.selectionEnd) return close();
    const cursor = input.selectionStart ?? 0;
    const found = TRIGGER.exec(input.value.slice(0, cursor));
    if (!found) {
      state.dismissed = null;
      return close();
    }
    const start = cursor - found[1].length - 1;
    if (state.dismissed === start) return close(); // Escape: stays closed for this `/`
    const query = found[1];
    const again = state.token?.query === query;
    state.token = { start, end: cursor, query };
    if (!again) state.active = 0;
    loadSnippets().then(() => {
      if (state.token?.query !== query) return; // typed on meanwhile
      state.matches = findSnippets(loaded.list, query);
      render();
    });
  };

  input.addEventListener("input", update);
  input.addEventListener("click", update);
  input.addEventListener("keyup", (ev) => {
    if (["ArrowLeft", "ArrowRight", "Home", "End"].includes(ev.key)) update();
  });
  input.addEventListener("blur", () => setTimeout(close, 0));

  // Capture on the form: runs before the composer's own Enter-sends handler on the input.
  form.addEventListener("keydown", (ev) => {
    if (ev.target !== input || ev.isComposing) return;
    if (menu.hidden) {
      if (ev.key === "Enter" && !ev.shiftKey) commitInserted(chat);
      return;
    }
    const n = state.matches.length;
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      if (n) highlight((state.active + (ev.key === "ArrowDown" ? 1 : n - 1)) % n);
    } else if ((ev.key === "Enter" && !ev.shiftKey) || (ev.key === "Tab" && n)) {
      if (n) choose(state.active);
      else close();
    } else if (ev.key === "Escape") {
      state.dismissed = state.token?.start ?? null;
      close();
    } else {
      return;
    }
    ev.preventDefault();
    ev.stopPropagation();
  }, true);
  // Capture at the target runs before the composer's own submit handler (the Send button).
  form.addEventListener("submit", () => commitInserted(chat), true);

  loadSnippets(); // ready before the first `/`
}
