// The waiting queue: count badge and page title, the list of waiting visitors, and taking one
// (the "Volgende nemen" button, Alt+N, or a row's "Neem").

import { h } from "./dom.js";
import { fmtClock, fmtWaiting, nickOf, roleLabel } from "./format.js";
import { isReady, send } from "./socket.js";
import { beep } from "./sound.js";
import { chats, me, openChatCount, ui } from "./state.js";
import { ERROR_TEXT, NO_CONNECTION, announce, showStatus } from "./status.js";

const TAKE_TIMEOUT_MS = 6000;

const baseTitle = document.title;

let queue = { waiting: 0, head: [], online: null };
let prevWaiting = null;
let takeTimer = null; // set while a `take` waits for its `chat` or `error`
let pulseTimer = null;

/** The `queue` frame. */
export function onQueue(f) {
  const waiting = Number.isInteger(f.waiting) && f.waiting >= 0 ? f.waiting : 0;
  const prev = prevWaiting;
  const online = Array.isArray(f.counsellors_online) ? f.counsellors_online.length : f.counsellors_online;
  queue = { waiting, head: Array.isArray(f.head) ? f.head : [], online };
  renderQueue();
  if (prev !== null && waiting !== prev) {
    if (waiting > prev) {
      signalNewVisitor();
      announce(`Nieuwe bezoeker in de wachtrij. ${waiting} wachtend.`);
    } else {
      announce(waiting === 0 ? "Niemand meer in de wachtrij." : `Wachtrij: ${waiting} wachtend.`);
    }
  }
  prevWaiting = waiting;
}

function signalNewVisitor() {
  const badge = ui.count;
  badge.classList.remove("pulse");
  void badge.offsetWidth; // restart the animation
  badge.classList.add("pulse");
  clearTimeout(pulseTimer);
  pulseTimer = setTimeout(() => badge.classList.remove("pulse"), 2600);
  beep();
}

function renderQueue() {
  const { waiting, head, online } = queue;
  ui.count.textContent = String(waiting);
  ui.count.classList.toggle("has-waiting", waiting > 0);
  ui.count.setAttribute("aria-label", waiting === 1 ? "1 bezoeker wacht" : `${waiting} bezoekers wachten`);
  document.title = waiting > 0 ? `(${waiting}) ${baseTitle}` : baseTitle;
  ui.online.textContent = Number.isInteger(online)
    ? `Chatmedewerkers online: ${online}`
    : "Chatmedewerkers online: –";

  // Keyed update: keep existing rows (and a focused "Neem" button) where they are.
  const existing = new Map();
  for (const row of ui.list.children) existing.set(row.dataset.conversationId, row);
  const now = Date.now();
  let index = 0;
  for (const entry of head) {
    if (!entry || !Number.isInteger(entry.id)) continue;
    const key = String(entry.id);
    let row = existing.get(key);
    if (row) existing.delete(key);
    else row = createQueueRow(entry);
    updateQueueRow(row, entry, now);
    const at = ui.list.children[index];
    if (at !== row) ui.list.insertBefore(row, at ?? null);
    index += 1;
  }
  for (const row of existing.values()) {
    const hadFocus = row.contains(document.activeElement);
    row.remove();
    if (hadFocus) (ui.list.querySelector("button:not([disabled])") ?? ui.takeNext).focus();
  }
  ui.empty.hidden = waiting > 0 || index > 0;
  const more = waiting - index;
  ui.more.hidden = more <= 0;
  ui.more.textContent = more > 0 ? `en nog ${more} meer` : "";
  updateTakeButtons();
}

function createQueueRow(entry) {
  const nick = h("span", { class: "qr-nick" });
  const role = h("span", { class: "qr-role" });
  const wait = h("span", { class: "qr-wait", "data-testid": "queue-wait" });
  const take = h("button", { type: "button", class: "btn btn-small qr-take", "data-testid": "queue-take" }, "Neem");
  take.addEventListener("click", () => takeChat(entry.id));
  const row = h(
    "li",
    { class: "queue-row", "data-testid": "queue-row", "data-conversation-id": entry.id },
    h("span", { class: "qr-who" }, nick, role),
    wait,
    take,
  );
  row._els = { nick, role, wait, take };
  return row;
}

function updateQueueRow(row, entry, now) {
  const nick = nickOf(entry.nickname);
  row._els.nick.textContent = nick;
  row._els.role.textContent = roleLabel(entry.visitor_role) + (entry.returned ? " · terug: collega viel weg" : "");
  row.classList.toggle("queue-row-returned", entry.returned === true);
  row.dataset.requestedAt = entry.requested_at ?? "";
  row._els.wait.textContent = fmtWaiting(entry.requested_at, now);
  row._els.wait.title = entry.requested_at ? `In de wachtrij sinds ${fmtClock(entry.requested_at)}` : "";
  row._els.take.setAttribute("aria-label", `Neem ${nick}`);
}

/** Enable the take buttons when a take can work; show the chat limit and the "no chats" hint. */
export function updateTakeButtons() {
  const atLimit = openChatCount() >= me.maxChats;
  const disabled = !isReady() || atLimit || takeTimer !== null;
  ui.takeNext.disabled = disabled;
  for (const row of ui.list.children) if (row._els) row._els.take.disabled = disabled;
  ui.limit.hidden = !atLimit;
  ui.limit.textContent = atLimit
    ? `Je hebt ${me.maxChats === 1 ? "1 gesprek" : `${me.maxChats} gesprekken`} open: het maximum.`
    : "";
  ui.noChats.hidden = chats.size > 0;
}

function takeChat(conversationId = null) {
  if (takeTimer !== null) return;
  if (openChatCount() >= me.maxChats) {
    showStatus(ERROR_TEXT.chat_limit);
    return;
  }
  const frame = conversationId == null ? { type: "take" } : { type: "take", conversation_id: conversationId };
  if (!send(frame)) {
    showStatus(NO_CONNECTION);
    return;
  }
  takeTimer = setTimeout(() => {
    takeTimer = null;
    updateTakeButtons();
  }, TAKE_TIMEOUT_MS);
  updateTakeButtons();
}

/** Whether a `take` is waiting for its answer. */
export const isTaking = () => takeTimer !== null;

/** The answer to a `take` came (or the socket went): stop waiting for it. */
export function clearTake() {
  clearTimeout(takeTimer);
  takeTimer = null;
}

export function initQueue() {
  // Waiting times tick every second.
  setInterval(() => {
    const now = Date.now();
    for (const row of ui.list.children) {
      if (row._els) row._els.wait.textContent = fmtWaiting(row.dataset.requestedAt, now);
    }
  }, 1000);

  ui.takeNext.addEventListener("click", () => takeChat());

  document.addEventListener("keydown", (ev) => {
    if (ev.altKey && !ev.ctrlKey && !ev.metaKey && (ev.code === "KeyN" || ev.key === "n" || ev.key === "N")) {
      ev.preventDefault();
      if (!ui.takeNext.disabled) takeChat();
    }
  });

  renderQueue();
}
