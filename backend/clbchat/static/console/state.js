// What the console page knows: its elements, the signed-in counsellor, and the open chats.

import { storageGet, storageSet } from "./dom.js";

const CLOSED_KEY = "clbchat.console.closed";

export const root = document.getElementById("console");

const q = (testid) => root.querySelector(`[data-testid="${testid}"]`);
export const ui = {
  status: q("console-status"),
  conn: q("connection-state"),
  mute: q("mute-toggle"),
  count: q("queue-count"),
  online: q("counsellors-online"),
  takeNext: q("take-next"),
  limit: q("queue-limit"),
  list: q("queue-list"),
  empty: q("queue-empty"),
  more: q("queue-more"),
  noChats: q("no-chats"),
  panes: q("chat-panes"),
  live: q("live-region"),
  userName: q("user-name"),
};

const maxFromPage = Number.parseInt(root.dataset.maxChats ?? "", 10);

/** The counsellor; `hello` may update these fields (`id` comes only with it). */
export const me = {
  id: null,
  displayName: root.dataset.displayName || "",
  maxChats: Number.isFinite(maxFromPage) && maxFromPage > 0 ? maxFromPage : 2,
};

/** conversation id -> chat (see createChat in chat-pane.js), in the order of the panes. */
export const chats = new Map();

export function openChatCount() {
  let n = 0;
  // A chat a coordinator looks on or takes part in is not one of their own: it takes no place.
  for (const chat of chats.values()) if (chat.status !== "ended" && (chat.role ?? "owner") === "owner") n += 1;
  return n;
}

function readClosed() {
  try {
    const ids = JSON.parse(storageGet("sessionStorage", CLOSED_KEY) || "[]");
    return Array.isArray(ids) ? ids.filter(Number.isInteger) : [];
  } catch {
    return [];
  }
}

/** Ended chats the counsellor closed in this tab: a later `hello` does not bring them back. */
export const closed = new Set(readClosed());

export function rememberClosed(id) {
  closed.add(id);
  storageSet("sessionStorage", CLOSED_KEY, JSON.stringify([...closed].slice(-200)));
}
