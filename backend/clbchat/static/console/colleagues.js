// The colleagues online (the `colleagues` frame): a compact list in the side area with each one's
// name, discipline and load ("1/2"), and the list itself for the hand-over dialog (handover.js),
// which hears every change through onColleaguesChange.
//
// Names are what coordinators typed: they go in the page as text, never as HTML.

import { h } from "./dom.js";
import { root } from "./state.js";

let list = [];
const listeners = new Set();
let els = null;

/** The colleagues online (not me): [{id, display_name, discipline, discipline_label, open_chats, max_chats}]. */
export const colleagues = () => list;

/** Whether a colleague has a free place (fewer open chats than their limit). */
export const hasRoom = (c) => c.open_chats < c.max_chats;

/** Call `fn` after every change of the list; returns a function that stops it. */
export function onColleaguesChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The `colleagues` frame. */
export function onColleagues(f) {
  list = (Array.isArray(f.colleagues) ? f.colleagues : [])
    .filter((c) => c && Number.isInteger(c.id) && typeof c.display_name === "string")
    .map((c) => ({
      id: c.id,
      display_name: c.display_name,
      discipline: String(c.discipline ?? "other"),
      discipline_label: String(c.discipline_label ?? ""),
      open_chats: Number.isInteger(c.open_chats) ? c.open_chats : 0,
      max_chats: Number.isInteger(c.max_chats) && c.max_chats > 0 ? c.max_chats : 1,
    }));
  render();
  for (const fn of listeners) fn(list);
}

function build() {
  const section = root.querySelector('[data-testid="colleagues"]');
  if (!section) return null;
  const title = h("h2", { class: "colleagues-title", id: "colleagues-title" }, "Collega's online");
  const ul = h("ul", { class: "colleagues-list", "data-testid": "colleagues-list", "aria-labelledby": title.id });
  const empty = h("p", { class: "colleagues-empty", "data-testid": "colleagues-empty" }, "Geen collega's online.");
  section.replaceChildren(title, ul, empty);
  return { ul, empty };
}

function render() {
  els ??= build();
  if (!els) return;
  els.ul.replaceChildren(...list.map((c) => {
    const full = !hasRoom(c);
    return h("li", { class: `colleague${full ? " is-full" : ""}`, "data-testid": "colleague",
      "data-user-id": c.id },
    h("span", { class: "colleague-name" }, c.display_name),
    h("span", { class: "colleague-discipline" }, c.discipline_label),
    h("span", {
      class: "colleague-load",
      title: full ? "Geen plaats vrij" : `${c.open_chats} van ${c.max_chats} gesprekken open`,
    }, `${c.open_chats}/${c.max_chats}`));
  }));
  els.empty.hidden = list.length > 0;
}
