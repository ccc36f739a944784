// CLBch@t chat panel. Loaded by widget.js with import() on the first click; adds no globals.
// Wire contract: docs/protocol.md. All text from people is rendered with textContent, never as HTML.

const CSS = `
*{box-sizing:border-box}
[hidden]{display:none!important}
.p{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:380px;height:min(620px,calc(100vh - 40px));
 display:flex;flex-direction:column;overflow:hidden;background:#fff;color:#1a1a1a;border-radius:12px;
 box-shadow:0 8px 30px rgba(0,0,0,.35);font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
 text-align:left;letter-spacing:normal;word-spacing:normal}
.p.fp{top:0;left:0;right:0;bottom:0;width:auto;height:auto;border-radius:0;box-shadow:none}
.fp .bd:not(.ch),.fp .ms,.fp .ft,.fp .ty{padding-left:max(16px,calc(50% - 360px));padding-right:max(16px,calc(50% - 360px))}
@media (max-width:480px){.p{top:0;left:0;right:0;bottom:0;width:auto;height:auto;border-radius:0}}
:focus-visible{outline:3px solid #0b0c0c;outline-offset:2px;box-shadow:0 0 0 2px #ffbf47}
.hd{display:flex;align-items:center;gap:8px;padding:8px 8px 8px 16px;background:#005f73;color:#fff}
.hd .t{flex:1;min-width:0;font-weight:700;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.hd .t span{display:block;font-size:14px;font-weight:400;white-space:normal;overflow-wrap:anywhere}
button{font:inherit;color:inherit;cursor:pointer}
.qx{border:2px solid #0b0c0c;border-radius:8px;background:#ffbf47;color:#0b0c0c;font-weight:700;padding:6px 12px;min-height:40px}
.x{border:0;border-radius:8px;background:none;color:#fff;font-size:26px;line-height:1;width:40px;height:40px}
.cn{margin:0;padding:6px 16px;background:#fff4ce;font-size:14px}
.bd{flex:1;min-height:0;overflow:auto;padding:16px}
.ch{display:flex;flex-direction:column;padding:0}
.ms{flex:1;min-height:0;overflow:auto;display:flex;flex-direction:column;gap:6px;padding:12px 16px}
.ft{border-top:1px solid #d5dadd;padding:10px 16px 12px}
h2{font-size:20px;margin:0 0 10px}h3{font-size:16px;margin:16px 0 6px}p{margin:0 0 10px}
label{display:block;font-weight:600;margin:12px 0 4px}
input,select,textarea{display:block;width:100%;font:inherit;color:#1a1a1a;background:#fff;
 border:2px solid #5a6470;border-radius:6px;padding:8px;margin:0}
textarea{resize:none}
[aria-invalid=true]{border-color:#b00020}
.hint,.sm{font-size:14px;color:#4a535c}.sm{margin:4px 0 0}
.err{color:#b00020;font-weight:600;margin:6px 0 0}
.b{border:2px solid #005f73;border-radius:8px;background:#005f73;color:#fff;font-weight:600;padding:8px 16px;min-height:44px;margin:14px 8px 0 0}
.b:hover{background:#004b5b}
.b2{background:#fff;color:#005f73}.b2:hover{background:#e6f0f2}
.lk{border:0;background:none;color:#005f73;text-decoration:underline;padding:8px 0;min-height:40px}
table{border-collapse:collapse;width:100%;font-size:15px}th,td{text-align:left;padding:4px 8px 4px 0;border-bottom:1px solid #e3e7e9}
th{font-weight:400}tr.td th,tr.td td{font-weight:700}
ul{margin:0;padding:0;list-style:none}li{margin:0 0 8px}
a{color:#005f73;font-weight:600}
.big{font-size:20px;font-weight:700}
.m{max-width:85%;align-self:flex-start;padding:8px 12px;border-radius:14px 14px 14px 4px;background:#eef1f3;
 white-space:pre-wrap;overflow-wrap:anywhere}
.m.me{align-self:flex-end;border-radius:14px 14px 4px 14px;background:#005f73;color:#fff}
.m .a{display:block;font-size:12px;opacity:.85;margin-bottom:2px;white-space:normal}
.m.pe{opacity:.7}.m.fa{background:#fde7ea;color:#1a1a1a;outline:2px solid #b00020}
.m .e{display:block;font-size:13px;font-weight:600;margin-top:4px;white-space:normal}
.m .e button{border:0;background:none;text-decoration:underline;padding:0 0 0 6px;font-weight:600}
.ty{margin:0;padding:0 16px 4px;font-size:14px;font-style:italic;color:#4a535c}
.row{display:flex;gap:8px;align-items:flex-end}.row textarea{flex:1;max-height:120px}.row .b{margin:0}
.st{display:flex;gap:2px}
.st button{border:0;background:none;font-size:34px;line-height:1;color:#8a939b;min-width:44px;min-height:44px;padding:0}
.st button.on{color:#b26a00}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;

// Tiny element helper: strings and numbers become text nodes, "on*" keys become listeners.
function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids.flat()) if (k != null && k !== false) e.append(k);
  return e;
}

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID(); // secure contexts only
  const [a, b, c] = crypto.getRandomValues(new Uint32Array(3));
  return "c-" + Date.now().toString(36) + a.toString(36) + b.toString(36) + c.toString(36);
}

function estimateText(s) {
  if (s == null) return "";
  if (s < 60) return "Geschatte wachttijd: minder dan een minuut";
  const m = Math.round(s / 60);
  return "Geschatte wachttijd: ongeveer " + m + (m === 1 ? " minuut" : " minuten");
}

function positionText(p) {
  return p == null ? "Je staat in de wachtrij." : "Je bent nummer " + p + " in de wachtrij";
}

// Other helplines: name, phone as tel: link, website (http(s) only).
function alternatives(list) {
  return h("div", { "data-testid": "alternatives" },
    h("h3", null, "Je kunt ook terecht bij"),
    h("ul", null, (list || []).map((a) => h("li", null,
      h("strong", null, a.name), " ",
      a.contact && h("a", { href: "tel:" + String(a.contact).replace(/[^\d+]/g, "") }, "bel " + a.contact),
      a.url && /^https?:\/\//i.test(a.url) &&
        [" · ", h("a", { href: a.url, target: "_blank", rel: "noopener noreferrer",
          "aria-label": "Website van " + a.name + " (nieuw venster)" }, "website")],
    ))));
}

export function mount(root, ctx) {
  const KEY = ctx.key;
  let status = ctx.status;
  let store = load(); // {v, token, conversation_id, last_seq, pending: [{client_id, text}]} or null
  const resumeSeq = store ? store.last_seq || 0 : 0; // replayed history is not "new"
  let view = null; // start | closed | busy | waiting | chat | rate | thanks | left
  let visible = false;
  let ws = null, dead = false, retry = 0, retryTimer, pingTimer, typingTimer, idleTimer;
  let lastSeq = 0; // in memory: after a reload we ask for everything again (the DOM is gone)
  let state = null, counsellor = null, everActive = false;
  let typingOn = false, typingSentAt = 0, pendingRate = null;
  const pendingEls = new Map(); // client_id -> bubble of a message not yet echoed

  // ---- storage: sessionStorage only, and only once a chat has started ----
  function load() {
    try {
      const s = JSON.parse(sessionStorage.getItem(KEY) || "null");
      return s && s.token ? s : null;
    } catch {
      return null;
    }
  }
  function save() {
    try {
      if (store) sessionStorage.setItem(KEY, JSON.stringify(store));
    } catch {} // storage full or blocked: the chat still works in memory
  }
  function forget() {
    store = null;
    try {
      sessionStorage.removeItem(KEY);
    } catch {}
  }

  // ---- the frame: dialog, header with quick exit, connection line, body, status region ----
  const style = h("style");
  style.textContent = CSS;
  const title = h("div", { class: "t" }, "CLBch@t");
  const conn = h("p", { class: "cn", role: "status", "data-testid": "connection", hidden: true }, "Verbinding herstellen…");
  const body = h("div", { class: "bd" });
  const sr = h("div", { class: "sr", role: "status", "aria-live": "polite", "data-testid": "announce" });
  const panel = h("div", {
    class: "p" + (ctx.fullpage ? " fp" : ""), role: "dialog", "aria-label": "Chat met het CLB",
    lang: "nl-BE", hidden: true, onkeydown: (e) => {
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
  root.append(style, panel);

  // Message list and typing line live for the whole mount, so the transcript survives view changes.
  const msgs = h("div", { class: "ms", role: "log", "aria-live": "polite", "aria-label": "Berichten",
    tabindex: "0", "data-testid": "messages" });
  const typing = h("p", { class: "ty", "data-testid": "typing", hidden: true });
  let focusEl = null;

  function say(text) {
    sr.textContent = "";
    setTimeout(() => (sr.textContent = text), 50); // re-announce identical text too
  }

  function render(name, nodes, focus, cls) {
    view = name;
    body.className = "bd" + (cls ? " " + cls : "");
    body.replaceChildren(...nodes);
    focusEl = focus;
    if (visible && focus) focus.focus();
  }

  // ---- views ----
  function showStart(note) {
    const err = h("p", { id: "nick-err", class: "err", "data-testid": "nickname-error", hidden: true });
    const formErr = h("p", { class: "err", role: "alert", hidden: true });
    const nick = h("input", { id: "nick", name: "nickname", type: "text", maxlength: "24", autocomplete: "off",
      spellcheck: "false", required: true, "aria-describedby": "nick-hint", "data-testid": "nickname" });
    const role = h("select", { id: "role", name: "visitor_role", "data-testid": "visitor-role" },
      h("option", { value: "" }, "Zeg ik liever niet"),
      h("option", { value: "pupil" }, "Leerling"),
      h("option", { value: "parent" }, "Ouder"),
      h("option", { value: "other" }, "Iets anders"));
    const btn = h("button", { type: "submit", class: "b", "data-testid": "start" }, "Start de chat");
    const nickError = (text) => {
      err.textContent = text;
      err.hidden = false;
      nick.setAttribute("aria-invalid", "true");
      nick.setAttribute("aria-describedby", "nick-hint nick-err");
      nick.focus();
    };
    const form = h("form", { novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      if (btn.disabled) return;
      err.hidden = formErr.hidden = true;
      nick.removeAttribute("aria-invalid");
      nick.setAttribute("aria-describedby", "nick-hint");
      const nickname = nick.value.trim();
      const n = [...nickname].length;
      if (n < 2 || n > 24) return nickError("Kies een nickname van 2 tot 24 tekens.");
      const data = { nickname };
      if (role.value) data.visitor_role = role.value;
      if (ctx.ref && /^[a-z0-9-]{1,40}$/.test(ctx.ref)) data.ref = ctx.ref;
      btn.disabled = true;
      btn.textContent = "Even geduld…";
      let r, j;
      try {
        r = await fetch(ctx.origin + "/api/sites/" + encodeURIComponent(ctx.site) + "/conversations", {
          method: "POST", credentials: "omit", headers: { "Content-Type": "application/json" },
          body: JSON.stringify(data),
        });
        j = await r.json().catch(() => ({}));
      } catch {
        r = null;
      }
      btn.disabled = false;
      btn.textContent = "Start de chat";
      const e2 = (j && j.error) || {};
      if (r && r.status === 201 && j.token) {
        store = { v: 1, token: j.token, conversation_id: j.conversation_id, last_seq: 0, pending: [] };
        save(); // the first write to the visitor's browser, now that a chat has started
        showWaiting(null, null);
        connect();
      } else if (r && r.status === 422 && e2.fields && e2.fields.nickname) {
        nickError([].concat(e2.fields.nickname).join(" "));
      } else if (r && r.status === 409 && e2.code === "closed") {
        showClosed();
        ctx.refresh();
      } else if (r && r.status === 409 && e2.code === "queue_full") {
        showBusy(e2.alternatives);
      } else {
        formErr.textContent = r
          ? e2.message || "Er ging iets mis. Probeer het straks opnieuw."
          : "Er is geen verbinding met de chat. Controleer je internet en probeer opnieuw.";
        formErr.hidden = false;
      }
    } },
    h("h2", null, "Chat met het CLB"),
    note && h("p", { class: "hint" }, note),
    h("p", null, "Je chat anoniem met een medewerker van het CLB. Je hoeft alleen een nickname te kiezen."),
    h("label", { for: "nick" }, "Kies een nickname"),
    nick,
    h("p", { id: "nick-hint", class: "sm" }, "Gebruik niet je echte naam."),
    err,
    h("label", { for: "role" }, "Wie ben je? ", h("span", { class: "hint" }, "(niet verplicht)")),
    role,
    formErr,
    btn);
    render("start", [form], nick);
  }

  function showClosed() {
    const week = status.week || [];
    const heading = h("h2", { tabindex: "-1" }, "De chat is nu gesloten");
    render("closed", [h("section", { "data-testid": "closed" },
      heading,
      status.next_open_text && h("p", { class: "big", "data-testid": "next-open" }, status.next_open_text),
      week.length > 0 && [h("h3", null, "Openingsuren"),
        h("table", null, h("tbody", null, week.map((d, i) => h("tr", { class: i ? null : "td" },
          h("th", { scope: "row" }, d.day.charAt(0).toUpperCase() + d.day.slice(1) + (i ? "" : " (vandaag)")),
          h("td", null, d.hours.length ? d.hours.map((x) => x[0] + "–" + x[1]).join(", ") : "gesloten")))))],
      alternatives(status.alternatives))], heading);
  }

  function showBusy(alts) {
    const heading = h("h2", { tabindex: "-1" }, "Het is nu erg druk");
    render("busy", [h("section", { "data-testid": "busy" },
      heading,
      h("p", null, "Het is nu erg druk in de chat. Probeer het over een tijdje opnieuw, of neem contact op met een van deze diensten."),
      alternatives(alts || status.alternatives),
      h("button", { type: "button", class: "b", onclick: () => showStart() }, "Opnieuw proberen"))], heading);
  }

  let posEl, estEl;
  function showWaiting(position, estimate) {
    if (view !== "waiting") {
      posEl = h("p", { class: "big", "data-testid": "position" });
      estEl = h("p", { "data-testid": "estimate" });
      const heading = h("h2", { tabindex: "-1" }, "Even geduld");
      render("waiting", [h("section", null, heading, posEl, estEl,
        h("p", null, "Een medewerker van het CLB neemt zo snel mogelijk op. Laat dit venster open; je mag het wel verbergen."),
        h("button", { type: "button", class: "b b2", "data-testid": "leave-queue", onclick: leave }, "Wachtrij verlaten"))],
      heading);
    }
    const text = positionText(position);
    if (posEl.textContent && posEl.textContent !== text && position != null) say(text); // announce moves
    posEl.textContent = text;
    estEl.textContent = estimateText(estimate);
    estEl.hidden = estimate == null;
  }

  // Chat layout: messages + typing line + a footer that is the composer, the rating or the thanks.
  let nameEl, foot, input, line;
  function chatLayout(name, footNodes, focus) {
    if (!["chat", "rate", "thanks"].includes(view)) {
      foot = h("div", { class: "ft" });
      render(name, [msgs, typing, foot], null, "ch");
    }
    view = name;
    foot.replaceChildren(...footNodes);
    msgs.scrollTop = msgs.scrollHeight;
    focusEl = focus;
    if (visible && focus) focus.focus();
  }

  function setCounsellor(name) {
    counsellor = name || counsellor;
    title.replaceChildren("CLBch@t");
    if (counsellor) {
      nameEl = h("strong", { "data-testid": "counsellor-name" }, counsellor);
      title.append(h("span", null, "Je praat met ", nameEl));
    }
  }

  function showChat() {
    if (view === "chat") return;
    line = h("p", { class: "err", role: "alert", hidden: true });
    input = h("textarea", { rows: "2", maxlength: "2000", "aria-label": "Je bericht", placeholder: "Typ je bericht…",
      "data-testid": "message-input", oninput: onInput, onkeydown: (e) => {
        if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
          e.preventDefault();
          submit();
        }
      } });
    chatLayout("chat", [
      h("form", { class: "row", onsubmit: (e) => (e.preventDefault(), submit()) }, input,
        h("button", { type: "submit", class: "b", "data-testid": "send" }, "Verstuur")),
      line,
      h("button", { type: "button", class: "lk", "data-testid": "end-chat", onclick: leave }, "Gesprek beëindigen"),
    ], input);
  }

  function endedText(by) {
    if (by === "counsellor")
      return (counsellor || "De medewerker") + " heeft het gesprek afgesloten. Bedankt dat je met ons chatte.";
    if (by === "system")
      return "Het gesprek is afgesloten omdat de verbinding een tijdje weg was. Bedankt dat je met ons chatte.";
    return "Je hebt het gesprek beëindigd. Bedankt dat je met ons chatte.";
  }

  function showRating(by) {
    if (view === "rate") return;
    let stars = 0;
    const err = h("p", { class: "err", role: "alert", hidden: true });
    const btns = [1, 2, 3, 4, 5].map((n) => h("button", { type: "button", role: "radio", "aria-checked": "false",
      "aria-label": n + (n === 1 ? " ster" : " sterren"), "data-testid": "star-" + n, tabindex: n === 1 ? "0" : "-1",
      onclick: () => pick(n) }, h("span", { "aria-hidden": "true" }, "★")));
    // Radio group keyboard model: arrows move and select, one tab stop, Enter/Space select (button click).
    function pick(n, focus = true) {
      stars = n;
      btns.forEach((b, i) => {
        b.setAttribute("aria-checked", String(i + 1 === n));
        b.tabIndex = i + 1 === n ? 0 : -1;
        b.classList.toggle("on", i < n);
      });
      if (focus) btns[n - 1].focus();
      err.hidden = true;
    }
    const group = h("div", { class: "st", role: "radiogroup", "aria-labelledby": "rate-h", onkeydown: (e) => {
      const d = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 }[e.key];
      if (e.key === "Home" || e.key === "End") {
        e.preventDefault();
        pick(e.key === "Home" ? 1 : 5);
      } else if (d) {
        e.preventDefault();
        pick(((Math.max(stars, 1) - 1 + d + 5) % 5) + 1);
      }
    } }, btns);
    const count = h("p", { id: "rc-count", class: "sm" }, "0/500");
    const comment = h("textarea", { id: "rc", rows: "2", maxlength: "500", "data-testid": "rating-comment",
      "aria-describedby": "rc-count", oninput: () => (count.textContent = comment.value.length + "/500") });
    const submitBtn = h("button", { type: "button", class: "b", "data-testid": "rating-submit", onclick: () => {
      if (!stars) {
        err.textContent = "Kies eerst hoeveel sterren je geeft.";
        err.hidden = false;
        return btns[0].focus();
      }
      pendingRate = { type: "rate", stars };
      if (comment.value.trim()) pendingRate.comment = comment.value.trim();
      submitBtn.disabled = true;
      if (!send(pendingRate)) say("Je beoordeling wordt verstuurd zodra de verbinding terug is.");
    } }, "Versturen");
    showRating.fail = (text) => {
      submitBtn.disabled = false;
      pendingRate = null;
      err.textContent = text;
      err.hidden = false;
    };
    chatLayout("rate", [
      h("p", { "data-testid": "ended" }, endedText(by)),
      h("h2", { id: "rate-h" }, "Hoe vond je dit gesprek?"),
      group,
      h("label", { for: "rc" }, "Wil je nog iets kwijt? ", h("span", { class: "hint" }, "(niet verplicht)")),
      comment, count, err,
      submitBtn,
      h("button", { type: "button", class: "b b2", "data-testid": "rating-skip", onclick: done }, "Overslaan"),
    ], btns[0]);
  }

  function showThanks() {
    if (view === "thanks") return;
    const heading = h("h2", { tabindex: "-1" }, "Bedankt!");
    chatLayout("thanks", [h("section", { "data-testid": "thanks" }, heading,
      h("p", null, "Fijn dat je met ons chatte. Je kunt altijd terugkomen."),
      h("button", { type: "button", class: "b", onclick: done }, "Sluiten"))], heading);
  }

  // Ended before anyone picked up: no rating, but the other helplines.
  function showLeft(by) {
    const heading = h("h2", { tabindex: "-1" }, by === "visitor" ? "Je hebt de wachtrij verlaten" : "De chat is gestopt");
    render("left", [h("section", { "data-testid": "left" }, heading,
      by !== "visitor" && h("p", null, "Het lukte nu niet om je te helpen in de chat. Sorry daarvoor."),
      alternatives(status.alternatives),
      h("button", { type: "button", class: "b", onclick: done }, "Sluiten"))], heading);
  }

  // ---- messages ----
  function bubble(m, pending) {
    const me = m.sender === "visitor";
    const time = m.sent_at ? new Date(m.sent_at) : null;
    const author = (me ? "Jij" : m.author || counsellor || "CLB") +
      (time && !isNaN(time) ? " · " + time.toLocaleTimeString("nl-BE", { hour: "2-digit", minute: "2-digit" }) : "");
    const el = h("div", { class: "m" + (me ? " me" : "") + (pending ? " pe" : ""), "data-sender": m.sender,
      "data-seq": m.seq, "data-client-id": m.client_id },
    h("span", { class: "a" }, author), h("span", { class: "tx" }, m.text));
    if (pending) el.append(h("span", { class: "e" }, "wordt verstuurd…"));
    return el;
  }

  function addPending(p) {
    const el = bubble({ sender: "visitor", text: p.text, client_id: p.client_id }, true);
    pendingEls.set(p.client_id, el);
    msgs.append(el); // unconfirmed messages always stay at the end
    msgs.scrollTop = msgs.scrollHeight;
  }

  function onMessage(m) {
    if (!(m.seq > lastSeq)) return; // seen on an earlier connection
    lastSeq = m.seq;
    if (store && m.seq > (store.last_seq || 0)) store.last_seq = m.seq;
    const old = m.sender === "visitor" && pendingEls.get(m.client_id);
    if (old) {
      old.remove();
      pendingEls.delete(m.client_id);
    }
    if (store && m.sender === "visitor") store.pending = store.pending.filter((p) => p.client_id !== m.client_id);
    save();
    const first = pendingEls.values().next().value;
    msgs.insertBefore(bubble(m), first && first.parentNode === msgs ? first : null);
    msgs.scrollTop = msgs.scrollHeight;
    if (m.sender === "counsellor") {
      typing.hidden = true;
      everActive = true;
      if (view === "left") onState(state); // replay shows this chat did have a counsellor
      if (!visible && m.seq > resumeSeq) ctx.unread();
    }
  }

  function failBubble(id, text, canRetry) {
    const el = pendingEls.get(id);
    if (!el) return false;
    el.className = "m me fa";
    const e = el.querySelector(".e") || el.appendChild(h("span", { class: "e" }));
    e.replaceChildren(text, canRetry && h("button", { type: "button", onclick: () => {
      el.className = "m me pe";
      e.replaceChildren("wordt verstuurd…");
      send({ type: "message", client_id: id, text: el.querySelector(".tx").textContent });
    } }, "Opnieuw"));
    say(text);
    return true;
  }

  function submit() {
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    stopTyping();
    const p = { client_id: uuid(), text };
    store.pending.push(p);
    save(); // kept until the server acknowledges it
    addPending(p);
    send({ type: "message", ...p }); // if offline, sent again after reconnecting
    input.focus();
  }

  // Typing indicator out: "true" at most every 2 s while typing, "false" after 3 s idle or on send.
  function onInput() {
    const now = Date.now();
    if (input.value.trim() && (!typingOn || now - typingSentAt > 2000)) {
      typingOn = true;
      typingSentAt = now;
      send({ type: "typing", active: true });
    }
    clearTimeout(idleTimer);
    idleTimer = setTimeout(stopTyping, 3000);
  }
  function stopTyping() {
    clearTimeout(idleTimer);
    if (typingOn) {
      typingOn = false;
      send({ type: "typing", active: false });
    }
  }

  // ---- server events ----
  function onState(s) {
    state = s;
    if (store) {
      store.conversation_id = s.conversation_id;
      save();
    }
    if (s.counsellor) setCounsellor(s.counsellor);
    if (s.status === "waiting") return showWaiting(s.position, s.estimate_seconds);
    if (s.status === "active") {
      if (view !== "chat") say((counsellor || "Een medewerker") + " is er. Je kunt nu chatten.");
      everActive = true;
      return showChat();
    }
    // ended
    typing.hidden = true;
    clearTimeout(idleTimer);
    typingOn = false;
    if (s.rated) {
      showThanks();
      forget(); // nothing left to resume
      hangUp();
    } else if (everActive || s.counsellor) {
      if (view !== "rate") say(endedText(s.ended_by));
      showRating(s.ended_by);
    } else {
      showLeft(s.ended_by);
    }
    if (!visible) ctx.unread();
  }

  function onFrame(m) {
    switch (m.type) {
      case "state":
        return onState(m);
      case "queue":
        return view === "waiting" && showWaiting(m.position, m.estimate_seconds);
      case "message":
        return onMessage(m);
      case "ack": {
        if (store) {
          store.pending = store.pending.filter((p) => p.client_id !== m.client_id);
          save();
        }
        const el = pendingEls.get(m.client_id);
        if (el) {
          el.classList.remove("pe", "fa");
          el.querySelector(".e")?.remove();
        }
        return;
      }
      case "typing":
        clearTimeout(typingTimer);
        typing.textContent = (counsellor || "De medewerker") + " typt…";
        typing.hidden = !m.active || view !== "chat";
        typingTimer = setTimeout(() => (typing.hidden = true), 10000); // a lost "false" must not stick
        return;
      case "error":
        return onError(m);
    }
  }

  const ERRORS = {
    too_long: "Niet verstuurd: je bericht is te lang (maximaal 2000 tekens).",
    rate_limited: "Niet verstuurd: je stuurt te snel berichten. Probeer het zo opnieuw.",
    wrong_state: "Niet verstuurd: het gesprek is niet (meer) actief.",
  };
  function onError(m) {
    const text = ERRORS[m.code] || m.message || "Er ging iets mis.";
    if (m.client_id && pendingEls.has(m.client_id)) {
      if (m.code !== "rate_limited" && store) {
        // Not stored and never will be: stop resending it.
        store.pending = store.pending.filter((p) => p.client_id !== m.client_id);
        save();
      }
      failBubble(m.client_id, text, m.code === "rate_limited");
    } else if (m.code === "unknown_token") {
      // The conversation is gone (e.g. removed after a long time away): start over.
      hangUp();
      forget();
      pendingEls.clear();
      msgs.replaceChildren();
      if (status.open) showStart("Je vorige gesprek is afgelopen.");
      else showClosed();
    } else if (view === "rate" && pendingRate) {
      if (m.code === "wrong_state") showThanks(); // already rated
      else showRating.fail(m.code === "rate_limited" ? "Even geduld en probeer opnieuw." : text);
    } else if (m.code !== "rate_limited" && view === "chat" && line) {
      // rate_limited without client_id is a dropped typing frame: harmless, stay quiet.
      line.textContent = text;
      line.hidden = false;
      setTimeout(() => (line.hidden = true), 6000);
    }
  }

  // ---- WebSocket with reconnect ----
  function send(obj) {
    if (ws && ws.readyState === 1) {
      ws.send(JSON.stringify(obj));
      return true;
    }
    return false;
  }

  function connect() {
    if (dead || !store) return;
    clearTimeout(retryTimer);
    let s;
    try {
      s = new WebSocket(ctx.origin.replace(/^http/, "ws") + "/ws/visitor");
    } catch {
      return reconnectLater();
    }
    ws = s;
    s.onopen = () => {
      retry = 0;
      conn.hidden = true;
      s.send(JSON.stringify({ type: "hello", token: store.token, after_seq: lastSeq }));
      // Unacked messages go again with their original client_id; the server stores each once.
      for (const p of store.pending) s.send(JSON.stringify({ type: "message", client_id: p.client_id, text: p.text }));
      if (pendingRate) s.send(JSON.stringify(pendingRate));
      heartbeat();
    };
    s.onmessage = (e) => {
      if (s !== ws) return;
      heartbeat();
      let m;
      try {
        m = JSON.parse(e.data);
      } catch {
        return;
      }
      onFrame(m);
    };
    s.onclose = () => {
      if (s !== ws) return;
      ws = null;
      clearTimeout(pingTimer);
      if (!dead && store) {
        conn.hidden = false;
        reconnectLater();
      }
    };
  }

  function reconnectLater() {
    // 0.5 s, 1 s, 2 s, ... at most 10 s, with jitter so a server restart is not hit by everyone at once.
    const delay = Math.min(10000, 500 * 2 ** retry++) * (0.75 + Math.random() * 0.5);
    retryTimer = setTimeout(connect, Math.min(10000, delay));
  }

  // A ping after 25 s of silence; no answer within 10 s means a dead connection: drop it and reconnect.
  function heartbeat() {
    clearTimeout(pingTimer);
    pingTimer = setTimeout(() => {
      send({ type: "ping" });
      pingTimer = setTimeout(() => ws && ws.close(), 10000);
    }, 25000);
  }

  function online() {
    if (!ws && !dead && store) {
      retry = 0;
      connect();
    }
  }
  addEventListener("online", online);

  function hangUp() {
    dead = true;
    clearTimeout(retryTimer);
    clearTimeout(pingTimer);
    clearTimeout(idleTimer);
    clearTimeout(typingTimer);
    conn.hidden = true;
    removeEventListener("online", online);
    const s = ws;
    ws = null;
    if (s) s.close();
  }

  // Leave the queue or end the chat.
  function leave() {
    if (send({ type: "leave", reason: "left" })) return;
    // No connection right now: say goodbye over a fresh socket and end it here.
    if (store) farewell(store.token, "left");
    onState({ ...(state || {}), status: "ended", ended_by: "visitor", rated: false });
  }

  function farewell(token, reason) {
    try {
      const s = new WebSocket(ctx.origin.replace(/^http/, "ws") + "/ws/visitor");
      s.onopen = () => {
        s.send(JSON.stringify({ type: "hello", token, after_seq: lastSeq }));
        s.send(JSON.stringify({ type: "leave", reason }));
        s.close();
      };
    } catch {}
  }

  // "Snel weg": off the screen first, then tell the server (best effort, no waiting), forget everything.
  function quickExit() {
    panel.remove();
    style.remove();
    visible = false;
    const token = store && store.token;
    const ended = state && state.status === "ended";
    if (token && !ended && !send({ type: "leave", reason: "quick_exit" })) farewell(token, "quick_exit");
    hangUp();
    forget();
    ctx.gone(false);
  }

  // The chat is over and the visitor closes it: remove the panel, clear storage.
  function done() {
    panel.remove();
    style.remove();
    visible = false;
    hangUp();
    forget();
    ctx.gone(true);
  }

  // ---- the panel's face to the loader ----
  function open() {
    if (!panel.isConnected) return;
    visible = true;
    panel.hidden = false;
    ctx.shown(true);
    (focusEl && focusEl.isConnected ? focusEl : panel.querySelector("button")).focus();
  }

  function close(focusLauncher) {
    if (!visible) return;
    visible = false;
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
  if (store) {
    (store.pending || []).forEach(addPending);
    store.pending = store.pending || [];
    showWaiting(null, null);
    posEl.textContent = "Je chat wordt hersteld…";
    connect();
  } else if (status.open) showStart();
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
