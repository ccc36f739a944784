// Who of the coordinators is in a chat (the chat object's `staff_in`, then `staff_in` frames): a bar at
// the top of the pane that nobody can miss, "Lotte kijkt mee" or "Lotte neemt deel", and the pane's
// edge in the staff colour while it shows. The viewer is left out of it (a coordinator's own part is
// said by coordinator.js's banner); a `staff_in` that lists this coordinator as joined switches the
// pane to taking part (the server answers `join` on an open pane with it, not with a new chat).

import { setRole } from "./coordinator.js";
import { helpArrived } from "./ask-help.js";
import { h } from "./dom.js";
import { chats, me } from "./state.js";
import { announce } from "./status.js";
import { refreshWhisper } from "./whisper.js";

const VERB = { watcher: "kijkt mee", joined: "neemt deel" };

/** Give a chat pane its (hidden while nobody is in) bar, above the staff strip. */
export function attachStaffIn(chat) {
  const bar = h("p", { class: "staff-in", "data-testid": "pane-staff-in", hidden: true });
  chat.staff.strip.before(bar);
  chat.staffIn = [];
  chat.staffInBar = bar;
}

/** The chat object's `staff_in` (a chat object without it changes nothing). */
export function setStaffIn(chat, list) {
  if (!chat.staffInBar || !Array.isArray(list)) return;
  chat.staffIn = list
    .filter((s) => s && Number.isInteger(s.id) && typeof s.display_name === "string" && VERB[s.role])
    .map((s) => ({ id: s.id, display_name: s.display_name, role: s.role }));
  const words = describe(chat);
  chat.staffInBar.textContent = words;
  chat.staffInBar.hidden = !words;
  chat.els.pane.toggleAttribute("data-staff-in", Boolean(words));
  if (words) helpArrived(chat);
  refreshWhisper(chat);
}

/** The `staff_in` frame. */
export function onStaffIn(f) {
  const chat = chats.get(f.conversation_id);
  if (!chat || !Array.isArray(f.staff)) return;
  const before = describe(chat);
  setStaffIn(chat, f.staff);
  const mine = chat.staffIn.find((s) => s.id === me.id);
  if (mine && chat.role !== "owner" && mine.role !== chat.role) setRole(chat, mine.role);
  const after = describe(chat);
  if (after === before || chat.status === "ended") return;
  announce(after ? `${chat.nickname}: ${after}.` : `${chat.nickname}: er is geen coördinator meer bij het gesprek.`);
}

/** "Lotte kijkt mee", "Lotte neemt deel · Jan kijkt mee", or "" (the viewer left out). */
function describe(chat) {
  return chat.staffIn.filter((s) => s.id !== me.id).map((s) => `${s.display_name} ${VERB[s.role]}`).join(" · ");
}
