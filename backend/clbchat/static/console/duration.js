// The duration aid in a chat pane: how long the chat has run since it was picked up; a quiet hint
// after the page's data-duration-hint minutes (35), a visible warning suggesting a closing snippet
// after data-duration-warning minutes (45). The "Crisis" toggle in the pane's header marks the chat
// as a crisis (POST/DELETE /console/api/conversations/<id>/crisis), which silences the aid: in a
// crisis nobody should be nudged to wrap up. Only the console shows any of this.

import { h } from "./dom.js";
import { consoleApi, insertSnippet, loadSnippets } from "./snippets.js";
import { chats, root } from "./state.js";
import { announce, showStatus } from "./status.js";

const TICK_MS = 15_000; // minutes on screen; a quarter of a minute late is fine

function minutesFromPage(value, fallback) {
  const n = Number.parseInt(value ?? "", 10);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

const HINT_MIN = minutesFromPage(root.dataset.durationHint, 35);
const WARNING_MIN = minutesFromPage(root.dataset.durationWarning, 45);
let ticker = null;

/** The aid's level after `minutes`: normal, hint or warning (thresholds in minutes). */
export function durationLevel(minutes, hint = HINT_MIN, warning = WARNING_MIN) {
  if (minutes >= warning) return "warning";
  if (minutes >= hint && hint < warning) return "hint";
  return "normal";
}

function fmtDuration(minutes) {
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} u ${minutes % 60} min`;
}

/** A closing snippet to suggest: one in a category "afsluiten"/"afsluiting", else the own-CLB referral. */
function closingSnippet(list) {
  return list.find((s) => /^afslu/i.test(s.category ?? "")) ?? list.find((s) => s.result_code === "referral_clb")
    ?? null;
}

/** Give a chat pane its running time, crisis toggle and warning bar. */
export function attachDuration(chat) {
  const time = h("span", { class: "pane-duration", "data-testid": "pane-duration", "data-level": "normal" });
  const crisis = h("button", { type: "button", class: "btn btn-small pane-crisis", "data-testid": "pane-crisis",
    "aria-pressed": "false", title: "Markeer als crisis: onmiddellijke actie nodig (geen duurhulp meer)" }, "Crisis");
  const insert = h("button", { type: "button", class: "btn btn-small", "data-testid": "duration-insert" },
    "Afsluiter invoegen");
  const text = h("p", {});
  const warning = h("div", { class: "duration-warning", "data-testid": "duration-warning", hidden: true },
    text, insert);
  chat.els.since.after(time);
  chat.els.since.parentElement.append(crisis);
  chat.els.form.before(warning);
  chat.aid = { time, crisis, warning, text, insert, pickedUpAt: NaN, crisisAt: null, warned: false, busy: false };

  crisis.addEventListener("click", () => toggleCrisis(chat));
  insert.addEventListener("click", async () => {
    const snippet = closingSnippet(await loadSnippets());
    if (snippet) insertSnippet(chat, snippet);
    else chat.els.input.focus();
  });
  if (!ticker) ticker = setInterval(() => chats.forEach(renderDuration), TICK_MS);
}

/** Take picked_up_at and crisis_at from the chat object `c` (protocol `chat`). */
export function updateDuration(chat, c) {
  if (!chat.aid) return;
  const picked = Date.parse(c.picked_up_at ?? "");
  if (!Number.isNaN(picked)) chat.aid.pickedUpAt = picked;
  if ("crisis_at" in c) chat.aid.crisisAt = c.crisis_at ?? null;
  renderDuration(chat);
}

export function renderDuration(chat) {
  const aid = chat.aid;
  if (!aid) return;
  const inCrisis = aid.crisisAt !== null;
  aid.crisis.setAttribute("aria-pressed", String(inCrisis));
  aid.crisis.textContent = inCrisis ? "Crisis (aan)" : "Crisis";
  if (Number.isNaN(aid.pickedUpAt) || chat.status === "ended") {
    aid.time.textContent = "";
    aid.warning.hidden = true;
    return;
  }
  const minutes = Math.max(0, Math.floor((Date.now() - aid.pickedUpAt) / 60_000));
  const level = inCrisis ? "crisis" : durationLevel(minutes);
  aid.time.dataset.level = level;
  aid.time.textContent = `loopt ${fmtDuration(minutes)}${level === "hint" ? " · denk stilaan aan afronden" : ""}`;
  aid.warning.hidden = level !== "warning";
  if (level === "warning") {
    aid.text.textContent = `Dit gesprek loopt al ${fmtDuration(minutes)}. Rond af en verwijs door voor verdere `
      + "opvolging, bijvoorbeeld naar het eigen CLB.";
    if (!aid.warned) announce(`${chat.nickname}: het gesprek loopt al ${fmtDuration(minutes)}.`);
    aid.warned = true;
  }
}

async function toggleCrisis(chat) {
  const aid = chat.aid;
  if (aid.busy || chat.status === "ended") return;
  aid.busy = true;
  try {
    const answer = await consoleApi(aid.crisisAt === null ? "POST" : "DELETE", `/conversations/${chat.id}/crisis`);
    aid.crisisAt = answer?.crisis_at ?? null;
    renderDuration(chat);
  } catch (error) {
    showStatus(`Crisis niet aangepast: ${error.message}`);
  } finally {
    aid.busy = false;
  }
}
