// The coordinator's live overview (`overview`, coordinators only; docs/protocol.md): every active chat
// with its visitor, counsellor and discipline, how long it runs (ticking here), a crisis mark, a
// hand-over waiting to be accepted and who of the coordinators is in it; and how many answered chats
// still wait for their registration. Each row has "Meekijken" (`watch`) and "Deelnemen" (`join`);
// for a chat open here they go to its pane. The queue and the colleagues online are shown beside it.
//
// Rows are kept by chat id, so a focused button stays put when the next overview comes.

import { joinChat, setCounsellor, watchChat } from "./coordinator.js";
import { h } from "./dom.js";
import { durationLevel } from "./duration.js";
import { fmtWaiting, nickOf, roleLabel } from "./format.js";
import { chats, me, root } from "./state.js";

const TICK_MS = 15_000;

let els = null;
let rows = new Map(); // conversation id -> {el, parts, chat}
let ticker = null;
const listeners = new Set();

/** Call `fn(activeChatIds)` after every overview; returns a function that stops it. */
export function onOverviewChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The `overview` frame. */
export function onOverview(f) {
  els ??= build();
  if (!els) return;
  const list = (Array.isArray(f.chats) ? f.chats : []).filter((c) => c && Number.isInteger(c.id));
  const next = new Map();
  list.forEach((c, index) => {
    const row = rows.get(c.id) ?? createRow(c.id);
    rows.delete(c.id);
    row.chat = c;
    next.set(c.id, row);
    updateRow(row);
    const at = els.list.children[index];
    if (at !== row.el) els.list.insertBefore(row.el, at ?? null);
    // A chat looked on in here went to a colleague of the counsellor: the pane says whose it is now.
    const open = chats.get(c.id);
    if (open && open.role !== "owner" && typeof c.counsellor === "string") setCounsellor(open, c.counsellor);
  });
  for (const row of rows.values()) {
    const hadFocus = row.el.contains(document.activeElement);
    row.el.remove();
    if (hadFocus) (els.list.querySelector("button:not([disabled])") ?? els.title).focus();
  }
  rows = next;
  els.count.textContent = String(list.length);
  els.count.setAttribute("aria-label", list.length === 1 ? "1 gesprek" : `${list.length} gesprekken`);
  els.empty.hidden = list.length > 0;
  const open = Number.isInteger(f.unregistered) ? f.unregistered : 0;
  els.unregistered.textContent = `Nog te registreren: ${open} ${open === 1 ? "gesprek" : "gesprekken"}`;
  els.unregistered.dataset.count = String(open);
  ticker ??= setInterval(tick, TICK_MS);
  const ids = new Set(rows.keys());
  for (const fn of listeners) fn(ids);
}

function build() {
  const section = root.querySelector('[data-testid="overview"]');
  if (!section) return null;
  const title = h("h2", { class: "overview-title", id: "overview-title", tabindex: "-1" }, "Lopende gesprekken");
  const count = h("span", { class: "queue-count overview-count", "data-testid": "overview-count" }, "0");
  const unregistered = h("p", { class: "overview-unregistered", "data-testid": "overview-unregistered" });
  const list = h("ul", { class: "overview-list", "data-testid": "overview-list", "aria-labelledby": title.id });
  const empty = h("p", { class: "overview-empty", "data-testid": "overview-empty" }, "Er loopt nu geen gesprek.");
  section.setAttribute("aria-labelledby", title.id);
  section.replaceChildren(h("div", { class: "overview-head" }, title, count, unregistered), list, empty);
  section.hidden = false;
  return { title, count, unregistered, list, empty };
}

function createRow(id) {
  const nick = h("span", { class: "ov-nick" });
  const role = h("span", { class: "ov-role" });
  const badges = h("span", { class: "ov-badges" });
  const staff = h("span", { class: "ov-staff", "data-testid": "overview-counsellor" });
  const discipline = h("span", { class: "ov-discipline", "data-testid": "overview-discipline" });
  const time = h("span", { class: "ov-time", "data-testid": "overview-duration" });
  const watchers = h("span", { class: "ov-watchers", "data-testid": "overview-watchers" });
  const watch = h("button", { type: "button", class: "btn btn-small", "data-testid": "overview-watch" }, "Meekijken");
  const join = h("button", { type: "button", class: "btn btn-small", "data-testid": "overview-join" }, "Deelnemen");
  const el = h("li", { class: "ov-row", "data-testid": "overview-row", "data-conversation-id": id },
    h("p", { class: "ov-who" }, nick, role, badges),
    h("p", { class: "ov-detail" }, staff, discipline, time, watchers),
    h("div", { class: "ov-actions" }, watch, join));
  const row = { el, parts: { nick, role, badges, staff, discipline, time, watchers, watch, join }, chat: null };
  watch.addEventListener("click", () => watchChat(id));
  join.addEventListener("click", () => joinChat(id));
  return row;
}

function updateRow(row) {
  const c = row.chat;
  const p = row.parts;
  const nickname = nickOf(c.nickname);
  p.nick.textContent = nickname;
  p.role.textContent = roleLabel(c.visitor_role ?? null);
  p.badges.replaceChildren(
    c.crisis === true ? h("span", { class: "badge badge-crisis", "data-testid": "overview-crisis" }, "crisis") : "",
    c.handover_pending === true
      ? h("span", { class: "badge badge-warn", "data-testid": "overview-handover" }, "wacht op overdracht") : "");
  const counsellor = typeof c.counsellor === "string" ? c.counsellor : "—";
  p.staff.textContent = counsellor;
  const discipline = typeof c.discipline_label === "string" ? c.discipline_label : "";
  p.discipline.textContent = discipline === "Andere" ? "andere discipline" : discipline;
  const names = (Array.isArray(c.watchers) ? c.watchers : []).filter((n) => typeof n === "string")
    .map((n) => (n === me.displayName ? `${n} (jij)` : n));
  p.watchers.textContent = names.length ? `Coördinator erbij: ${names.join(", ")}` : "";
  p.watchers.hidden = names.length === 0;
  renderTime(row);

  const open = chats.get(c.id);
  const mine = c.counsellor_id === me.id || open?.role === "owner";
  p.watch.textContent = open || mine ? "Naar het gesprek" : "Meekijken";
  p.watch.setAttribute("aria-label", `${p.watch.textContent}: ${nickname}, gesprek van ${counsellor}`);
  p.join.hidden = mine || open?.role === "joined";
  p.join.setAttribute("aria-label", `Deelnemen aan het gesprek met ${nickname}`);
  row.el.classList.toggle("is-crisis", c.crisis === true);
  row.el.classList.toggle("is-mine", mine);
}

function renderTime(row) {
  const c = row.chat;
  const started = Date.parse(c.picked_up_at ?? "");
  if (Number.isNaN(started)) {
    row.parts.time.textContent = "";
    return;
  }
  const minutes = Math.max(0, Math.floor((Date.now() - started) / 60_000));
  row.parts.time.dataset.level = c.crisis === true ? "crisis" : durationLevel(minutes);
  row.parts.time.textContent = `loopt ${fmtWaiting(c.picked_up_at, Date.now())}`;
}

function tick() {
  for (const row of rows.values()) updateRow(row);
}
