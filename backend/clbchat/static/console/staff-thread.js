// A chat's staff thread ("Alleen voor collega's"): hand-over notes, whispers and lines from the service
// (the chat object's `staff_messages`, then `staff_message` frames), in a strip of its own above the
// visitor's thread, in the staff thread's own seq order and each line once. The visitor never
// receives any of it; the strip looks different so nobody mistakes it for the visitor's thread.

import { h } from "./dom.js";
import { fmtClock, truncate } from "./format.js";
import { chats, me } from "./state.js";
import { announce } from "./status.js";

const KIND_LABEL = { note: "overdrachtsnota", whisper: "fluistert", event: "" };

/** Give a chat pane its (hidden until it has a line) staff strip, between the header and the messages. */
export function attachStaffThread(chat) {
  const title = h("h3", { class: "staff-title", id: `${chat.els.title.id}-staff` }, "Alleen voor collega's");
  const lines = h("ol", {
    class: "staff-lines",
    "data-testid": "staff-lines",
    "aria-labelledby": title.id,
    tabindex: "0",
  });
  const strip = h("section", { class: "staff-thread", "data-testid": "staff-thread", "aria-labelledby": title.id,
    hidden: true }, title, lines);
  chat.els.messages.before(strip);
  chat.staff = { strip, lines, seqs: new Set() };
}

/** Add the lines of the chat object's `staff_messages`. */
export function addStaffLines(chat, list) {
  for (const line of Array.isArray(list) ? list : []) addStaffLine(chat, line);
}

/** The `staff_message` frame. */
export function onStaffMessage(f) {
  const chat = chats.get(f.conversation_id);
  if (!chat || !addStaffLine(chat, f)) return;
  if (f.kind !== "event" && f.author && f.author !== me.displayName) {
    announce(`${chat.nickname}, alleen voor collega's, ${f.author}: ${truncate(f.text)}`);
  } else if (f.kind === "event") {
    announce(`${chat.nickname}: ${truncate(f.text)}`);
  }
}

/** Show one line once, in seq order; false for a duplicate or a malformed line. */
function addStaffLine(chat, line) {
  if (!chat.staff || !line || !Number.isInteger(line.seq) || chat.staff.seqs.has(line.seq)) return false;
  chat.staff.seqs.add(line.seq);
  const li = render(line);
  const before = [...chat.staff.lines.children].find((el) => Number(el.dataset.seq) > line.seq) ?? null;
  const stick = nearEnd(chat.staff.lines);
  chat.staff.lines.insertBefore(li, before);
  chat.staff.strip.hidden = false;
  if (stick || before === null) chat.staff.lines.scrollTop = chat.staff.lines.scrollHeight;
  return true;
}

function nearEnd(el) {
  return el.scrollHeight - el.scrollTop - el.clientHeight < 32;
}

function render(line) {
  const kind = typeof line.kind === "string" ? line.kind : "event";
  const label = KIND_LABEL[kind] ?? "";
  const author = typeof line.author === "string" && line.author ? line.author : "";
  return h("li", { class: `staff-line staff-${kind}`, "data-testid": "staff-line", "data-seq": line.seq,
    "data-kind": kind },
  h("p", { class: "staff-meta" },
    author ? h("span", { class: "staff-author" }, author) : null,
    label ? h("span", { class: "staff-kind" }, label) : null,
    h("time", { class: "staff-time", datetime: line.sent_at ?? null }, fmtClock(line.sent_at))),
  h("p", { class: "staff-text" }, String(line.text ?? "")));
}
