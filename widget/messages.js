// The transcript: bubbles in seq order, our unconfirmed ones at the end, the counsellor's typing line.
// Both elements live as long as the panel, so the transcript survives view changes.
import { h } from "./views.js";

// counsellor(): the counsellor's display name or null.
export function transcript(counsellor) {
  const list = h("div", { class: "ms", role: "log", "aria-live": "polite", "aria-label": "Berichten",
    tabindex: "0", "data-testid": "messages" });
  const typing = h("p", { class: "ty", "data-testid": "typing", hidden: true });
  const pendingEls = new Map(); // client_id -> bubble of a message not yet echoed
  let typingTimer;

  function bubble(m, pending) {
    // A line from the service itself (e.g. "Je gesprekspartner is weggevallen…"): no author, centred.
    if (m.sender === "system") return h("p", { class: "sy", "data-sender": "system", "data-seq": m.seq }, m.text);
    const me = m.sender === "visitor";
    const time = m.sent_at ? new Date(m.sent_at) : null;
    const author = (me ? "Jij" : m.author || counsellor() || "CLB") +
      (time && !isNaN(time) ? " · " + time.toLocaleTimeString("nl-BE", { hour: "2-digit", minute: "2-digit" }) : "");
    const el = h("div", { class: "m" + (me ? " me" : "") + (pending ? " pe" : ""), "data-sender": m.sender,
      "data-seq": m.seq, "data-client-id": m.client_id },
    h("span", { class: "a" }, author), h("span", { class: "tx" }, m.text));
    if (pending) el.append(h("span", { class: "e" }, "wordt verstuurd…"));
    return el;
  }

  function scroll() {
    list.scrollTop = list.scrollHeight;
  }

  function hideTyping() {
    clearTimeout(typingTimer);
    typing.hidden = true;
  }

  return {
    list,
    typing,
    scroll,
    hideTyping,
    has: (id) => pendingEls.has(id),

    // Unconfirmed messages always stay at the end.
    addPending(p) {
      const el = bubble({ sender: "visitor", text: p.text, client_id: p.client_id }, true);
      pendingEls.set(p.client_id, el);
      list.append(el);
      scroll();
    },

    // A new stored message; our own replaces its pending bubble.
    add(m) {
      const old = m.sender === "visitor" && pendingEls.get(m.client_id);
      if (old) {
        old.remove();
        pendingEls.delete(m.client_id);
      }
      const first = pendingEls.values().next().value;
      list.insertBefore(bubble(m), first && first.parentNode === list ? first : null);
      scroll();
      if (m.sender === "counsellor" || m.sender === "coordinator") hideTyping();
    },

    ack(id) {
      const el = pendingEls.get(id);
      if (el) {
        el.classList.remove("pe", "fa");
        el.querySelector(".e")?.remove();
      }
    },

    // Not sent; with retry(text), an "Opnieuw" button sends it again (same client_id).
    fail(id, text, retry) {
      const el = pendingEls.get(id);
      el.className = "m me fa";
      const e = el.querySelector(".e") || el.appendChild(h("span", { class: "e" }));
      e.replaceChildren(text, retry ? h("button", { type: "button", onclick: () => {
        el.className = "m me pe";
        e.replaceChildren("wordt verstuurd…");
        retry(el.querySelector(".tx").textContent);
      } }, "Opnieuw") : "");
    },

    clear() {
      pendingEls.clear();
      list.replaceChildren();
    },

    // A lost "false" must not stick: the line goes after 10 s anyway.
    showTyping(active) {
      clearTimeout(typingTimer);
      typing.textContent = (counsellor() || "De medewerker") + " typt…";
      typing.hidden = !active;
      typingTimer = setTimeout(() => (typing.hidden = true), 10000);
    },
  };
}
