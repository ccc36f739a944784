// CLBch@t chat panel. Loaded by widget.js with import() on the first click; adds no globals.
// This entry draws the frame and moves between the views as the conversation goes on; its parts are
// imported relative to this file. Wire contract: docs/protocol.md. Text from people is never HTML.
import { CSS } from "./panel-styles.js";
import { conversation } from "./conversation.js";
import { transcript } from "./messages.js";
import { h, startView, closedView, busyView, waitingView, chatFooter, endedText, ratingFooter, thanksFooter,
  leftView, blockedView } from "./views.js";

const ERRORS = {
  too_long: "Niet verstuurd: je bericht is te lang (maximaal 2000 tekens).",
  rate_limited: "Niet verstuurd: je stuurt te snel berichten. Probeer het zo opnieuw.",
  wrong_state: "Niet verstuurd: het gesprek is niet (meer) actief.",
  unavailable: "Niet verstuurd: de chat is even niet bereikbaar. Probeer het zo opnieuw.",
};
const RETRYABLE = ["rate_limited", "unavailable"]; // not stored, but sending it again may work

// The stylesheet as a constructed sheet (allowed by any CSP), or a <style> in browsers without them.
// Returns something with remove() for the teardown.
function adopt(root, css) {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    return { remove: () => (root.adoptedStyleSheets = root.adoptedStyleSheets.filter((s) => s !== sheet)) };
  } catch {
    const style = h("style");
    style.textContent = css;
    root.append(style);
    return style;
  }
}

export function mount(root, ctx) {
  let status = ctx.status;
  let view = null; // start | closed | busy | waiting | requeued | chat | rate | thanks | left | blocked
  let visible = false;
  let state = null, counsellor = null, everActive = false;
  let focusEl = null, foot, waiting, chat, rating; // views updated after they are drawn
  const session = conversation(ctx, { frame: onFrame, offline: (down) => (conn.hidden = !down) });
  const log = transcript(() => counsellor);

  // ---- the frame: dialog, header with quick exit, connection line, body, status region ----
  const style = adopt(root, CSS);
  const title = h("div", { class: "t" }, "CLBch@t");
  const conn = h("p", { class: "cn", role: "status", "data-testid": "connection", hidden: true }, "Verbinding herstellen…");
  const body = h("div", { class: "bd" });
  const sr = h("div", { class: "sr", role: "status", "aria-live": "polite", "data-testid": "announce" });
  const panel = h("div", {
    class: "p" + (ctx.fullpage ? " fp" : ""), role: "dialog", "aria-label": "Chat met het CLB",
    lang: "nl-BE", hidden: true, popover: "manual", onkeydown: (e) => {
      if (e.key === "Escape" && !ctx.fullpage) {
        e.preventDefault();
        close(true);
      }
    },
  },
  h("div", { class: "hd" }, title,
    h("button", { type: "button", class: "qx", "data-testid": "quick-exit", onclick: quickExit,
      "aria-label": "Snel weg: sluit de chat meteen en wis hem van dit scherm" }, "Snel weg"),
    !ctx.fullpage && h("button", { type: "button", class: "x", "data-testid": "minimise",
      "aria-label": "Chat verbergen", onclick: () => close(true) }, "×")),
  conn, body, sr);
  root.append(panel);

  function say(text) {
    sr.textContent = "";
    setTimeout(() => (sr.textContent = text), 50); // re-announce identical text too
  }

  // Remembered for open(); moved to at once if the panel is showing.
  function focusOn(el) {
    focusEl = el;
    if (visible && el) el.focus();
  }

  function render(name, v, cls) {
    view = name;
    body.className = "bd" + (cls ? " " + cls : "");
    body.replaceChildren(...v.nodes);
    focusOn(v.focus);
  }

  // Chat layout: messages + typing line + a footer that is the composer, the rating or the thanks.
  function chatLayout(name, v) {
    if (!["chat", "rate", "thanks", "requeued"].includes(view)) {
      foot = h("div", { class: "ft" });
      render(name, { nodes: [log.list, log.typing, foot], focus: null }, "ch");
    }
    view = name;
    foot.replaceChildren(...v.nodes);
    log.scroll();
    focusOn(v.focus);
  }

  // ---- views ----
  function showStart(note) {
    render("start", startView(note, start));
  }

  async function start(data, form) {
    if (ctx.ref && /^[a-z0-9-]{1,40}$/.test(ctx.ref)) data.ref = ctx.ref;
    form.busy(true);
    const r = await session.request(data);
    form.busy(false);
    const j = r ? r.body : null;
    const e2 = (j && j.error) || {};
    if (r && r.status === 201 && j.token) {
      session.start(j);
      showWaiting(null, null);
    } else if (r && r.status === 422 && e2.fields && e2.fields.nickname) {
      form.nickError([].concat(e2.fields.nickname).join(" "));
    } else if (r && r.status === 409 && e2.code === "closed") {
      showClosed();
      ctx.refresh();
    } else if (r && r.status === 409 && e2.code === "queue_full") {
      showBusy(e2.alternatives);
    } else if (r && r.status === 403 && e2.code === "blocked") {
      showBlocked(e2.alternatives);
    } else {
      form.error(r
        ? e2.message || "Er ging iets mis. Probeer het straks opnieuw."
        : "Er is geen verbinding met de chat. Controleer je internet en probeer opnieuw.");
    }
  }

  function showClosed() {
    render("closed", closedView(status));
  }

  function showBusy(alts) {
    render("busy", busyView(alts || status.alternatives, () => showStart()));
  }

  // In the queue; or back in it because the counsellor was gone, with the thread kept in view.
  function showWaiting(position, estimate) {
    const name = everActive ? "requeued" : "waiting";
    if (view !== name) {
      waiting = waitingView(leave, status.alternatives);
      if (everActive) chatLayout(name, waiting);
      else render(name, waiting);
    }
    const moved = waiting.update(position, estimate);
    if (moved) say(moved); // announce moves
  }

  function showChat() {
    if (view === "chat") return;
    chat = chatFooter({
      onType: session.typed,
      onSend: (text) => log.addPending(session.message(text)),
      onLeave: leave,
    });
    chatLayout("chat", chat);
  }

  function showRating(by) {
    if (view === "rate") return;
    rating = ratingFooter(endedText(by, counsellor), (stars, comment) => {
      if (!session.rate(stars, comment)) say("Je beoordeling wordt verstuurd zodra de verbinding terug is.");
    }, done);
    chatLayout("rate", rating);
  }

  function showThanks() {
    if (view !== "thanks") chatLayout("thanks", thanksFooter(done));
  }

  function showBlocked(alts, onClose) {
    render("blocked", blockedView(alts || status.alternatives, onClose));
  }

  function showLeft(by) {
    render("left", leftView(by, status.alternatives, done));
  }

  // ---- server events ----
  function onState(s) {
    state = s;
    session.note(s.conversation_id);
    if (s.counsellor) counsellor = s.counsellor;
    // "Je praat met ..." only while someone is there: not in the queue, not once the chat is over.
    if (s.status === "active" && counsellor) {
      title.replaceChildren("CLBch@t",
        h("span", null, "Je praat met ", h("strong", { "data-testid": "counsellor-name" }, counsellor)));
    } else if (s.status === "ended" && counsellor) {
      title.replaceChildren("CLBch@t", h("span", null, "Gesprek met ", counsellor, " afgelopen"));
    } else title.replaceChildren("CLBch@t");
    if (s.status === "waiting") return showWaiting(s.position, s.estimate_seconds);
    if (s.status === "active") {
      if (view !== "chat") say((counsellor || "Een medewerker") + " is er. Je kunt nu chatten.");
      everActive = true;
      return showChat();
    }
    // ended
    log.hideTyping();
    session.ended();
    if (view === "blocked") {
      hangUp();
    } else if (s.rated) {
      showThanks();
      session.forget(); // nothing left to resume
      hangUp();
    } else if (everActive || s.counsellor) {
      if (view !== "rate") say(endedText(s.ended_by, counsellor));
      showRating(s.ended_by);
    } else {
      showLeft(s.ended_by);
    }
    if (!visible) ctx.unread();
  }

  function onMessage(m) {
    log.add(m);
    if (m.sender === "counsellor" || m.sender === "coordinator") { // staff: a coordinator may join the chat
      everActive = true;
      // A replay shows this chat did have a counsellor: an end with a rating, or a wait with the thread.
      if (view === "left" || view === "waiting") onState(state);
      if (!visible && m.seq > session.resumeSeq) ctx.unread();
    }
  }

  function onFrame(m) {
    switch (m.type) {
      case "state":
        return onState(m);
      case "queue":
        return (view === "waiting" || view === "requeued") && showWaiting(m.position, m.estimate_seconds);
      case "message":
        return onMessage(m);
      case "ack":
        return log.ack(m.client_id);
      case "typing":
        return log.showTyping(m.active && view === "chat");
      case "error":
        return onError(m);
      case "blocked": // the counsellor ended the chat with a block: no rating, the helplines
        hangUp();
        log.hideTyping();
        return showBlocked(null, done);
    }
  }

  function onError(m) {
    const text = ERRORS[m.code] || m.message || "Er ging iets mis.";
    const id = m.client_id;
    if (id && log.has(id)) {
      const canRetry = RETRYABLE.includes(m.code);
      if (!canRetry) session.drop(id); // not stored and never will be: stop resending it
      log.fail(id, text, canRetry && ((t) => session.resend(id, t)));
      say(text);
    } else if (m.code === "unknown_token") {
      // The conversation is gone (e.g. removed after a long time away): start over.
      hangUp();
      session.forget();
      log.clear();
      if (status.open) showStart("Je vorige gesprek is afgelopen.");
      else showClosed();
    } else if (view === "rate" && session.rating) {
      if (m.code === "wrong_state") showThanks(); // already rated
      else {
        session.unrate();
        rating.fail(RETRYABLE.includes(m.code) ? "Even geduld en probeer opnieuw." : text);
      }
    } else if (m.code !== "rate_limited" && view === "chat") {
      // rate_limited without client_id is a dropped typing frame: harmless, stay quiet.
      chat.error(text);
    }
  }

  function hangUp() {
    session.hangUp();
    log.hideTyping();
  }

  // Leave the queue or end the chat; without a connection it ends here at once.
  function leave() {
    if (!session.leave("left")) onState({ ...(state || {}), status: "ended", ended_by: "visitor", rated: false });
  }

  // "Snel weg": off the screen first, then tell the server (best effort, no waiting), forget everything.
  function quickExit() {
    teardown(false, session.active && !(state && state.status === "ended"));
  }

  // The chat is over and the visitor closes it: remove the panel, clear storage.
  function done() {
    teardown(true, false);
  }

  function teardown(focusLauncher, sayLeave) {
    panel.remove();
    style.remove();
    visible = false;
    if (sayLeave) session.leave("quick_exit");
    hangUp();
    session.forget();
    ctx.gone(focusLauncher);
  }

  // ---- the panel's face to the loader ----
  function open() {
    if (!panel.isConnected) return;
    visible = true;
    panel.hidden = false;
    // The top layer: above any z-index on the page, in view even when the page's body is transformed.
    if (panel.showPopover && !panel.matches(":popover-open")) panel.showPopover();
    ctx.shown(true);
    (focusEl && focusEl.isConnected ? focusEl : panel.querySelector("button")).focus();
  }

  function close(focusLauncher) {
    if (!visible) return;
    visible = false;
    if (panel.hidePopover && panel.matches(":popover-open")) panel.hidePopover();
    panel.hidden = true;
    ctx.shown(false, focusLauncher);
  }

  function update(s) {
    status = s;
    // Opening or closing time passed while the start form or the closed notice is on screen.
    if ((view === "start" || view === "busy") && !s.open) showClosed();
    else if (view === "closed") s.open ? showStart() : showClosed();
  }

  // First view: resume a chat from this tab, the start form, or the closed notice.
  if (session.active) {
    session.pending.forEach(log.addPending);
    showWaiting(null, null);
    waiting.pos.textContent = "Je chat wordt hersteld…";
    session.connect();
  } else if (session.blocked) showBlocked();
  else if (status.open) showStart();
  else showClosed();

  return {
    open,
    close,
    update,
    get visible() {
      return visible;
    },
  };
}
