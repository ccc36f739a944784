// The panel's views: start form, closed, busy, waiting, the chat footers (composer, rating, thanks)
// and "left". Each returns { nodes, focus } plus what is updated later; actions are passed in.
// h() appends strings as text nodes: text from people never becomes HTML.

// Tiny element helper: strings and numbers become text nodes, "on*" keys become listeners.
export function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids.flat()) if (k != null && k !== false) e.append(k);
  return e;
}

// Views that replace the whole body start with a heading that takes the focus.
const heading = (text) => h("h2", { tabindex: "-1" }, text);
const closeButton = (onClose) => h("button", { type: "button", class: "b", onclick: onClose }, "Sluiten");

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

// onStart(data, form) with a valid nickname; form.busy/nickError/error show how the request went.
export function startView(note, onStart) {
  const err = h("p", { id: "nick-err", class: "err", "data-testid": "nickname-error", hidden: true });
  const formErr = h("p", { class: "err", role: "alert", hidden: true });
  const nick = h("input", { id: "nick", name: "nickname", type: "text", maxlength: "24", autocomplete: "off",
    spellcheck: "false", required: true, "aria-describedby": "nick-hint", "data-testid": "nickname" });
  const role = h("select", { id: "role", name: "visitor_role", "data-testid": "visitor-role" },
    h("option", { value: "" }, "Zeg ik liever niet"),
    h("option", { value: "pupil" }, "Leerling"),
    h("option", { value: "parent" }, "Ouder"),
    h("option", { value: "other" }, "Iemand anders"));
  const btn = h("button", { type: "submit", class: "b", "data-testid": "start" }, "Start de chat");
  const form = {
    busy(on) {
      btn.disabled = on;
      btn.textContent = on ? "Even geduld…" : "Start de chat";
    },
    nickError(text) {
      err.textContent = text;
      err.hidden = false;
      nick.setAttribute("aria-invalid", "true");
      nick.setAttribute("aria-describedby", "nick-hint nick-err");
      nick.focus();
    },
    error(text) {
      formErr.textContent = text;
      formErr.hidden = false;
    },
  };
  const el = h("form", { novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    if (btn.disabled) return;
    err.hidden = formErr.hidden = true;
    nick.removeAttribute("aria-invalid");
    nick.setAttribute("aria-describedby", "nick-hint");
    const nickname = nick.value.trim();
    const n = [...nickname].length;
    if (n < 2 || n > 24) return form.nickError("Kies een nickname van 2 tot 24 tekens.");
    const data = { nickname };
    if (role.value) data.visitor_role = role.value;
    onStart(data, form);
  } },
  h("h2", null, "Chat met het CLB"),
  note && h("p", { class: "hint" }, note),
  h("p", null, "Je chat anoniem met een medewerker van het CLB. Je hoeft alleen een nickname te kiezen."),
  h("p", { class: "sos", "data-testid": "emergency" }, "Ben je in gevaar of is het dringend? Bel meteen ",
    h("a", { href: "tel:112" }, "112"), "."),
  h("label", { for: "nick" }, "Kies een nickname"),
  nick,
  h("p", { id: "nick-hint", class: "sm" }, "Gebruik niet je echte naam."),
  err,
  h("label", { for: "role" }, "Wie ben je? ", h("span", { class: "hint" }, "(niet verplicht)")),
  role,
  formErr,
  btn);
  return { nodes: [el], focus: nick };
}

export function closedView(status) {
  const week = status.week || [];
  const focus = heading("De chat is nu gesloten");
  return { focus, nodes: [h("section", { "data-testid": "closed" },
    focus,
    status.next_open_text && h("p", { class: "big", "data-testid": "next-open" }, status.next_open_text),
    week.length > 0 && [h("h3", null, "Openingsuren"),
      h("table", null, h("tbody", null, week.map((d, i) => h("tr", { class: i ? null : "td" },
        h("th", { scope: "row" }, d.day.charAt(0).toUpperCase() + d.day.slice(1) + (i ? "" : " (vandaag)")),
        h("td", null, d.hours.length ? d.hours.map((x) => x[0] + "–" + x[1]).join(", ") : "gesloten")))))],
    alternatives(status.alternatives))] };
}

export function busyView(alts, onRetry) {
  const focus = heading("Het is nu erg druk");
  return { focus, nodes: [h("section", { "data-testid": "busy" },
    focus,
    h("p", null, "Het is nu erg druk in de chat. Probeer het over een tijdje opnieuw, of neem contact op met een van deze diensten."),
    alternatives(alts),
    h("button", { type: "button", class: "b", onclick: onRetry }, "Opnieuw proberen"))] };
}

// update(position, estimate) returns the position text when a move should be announced.
// The estimate (docs/protocol.md): 0 = a counsellor online has room, null while in line = nobody online.
export function waitingView(onLeave, alts) {
  const pos = h("p", { class: "big", "data-testid": "position" });
  const est = h("p", { "data-testid": "estimate" });
  const nobody = h("div", { "data-testid": "nobody-online", hidden: true },
    h("p", null, "Er is nu geen medewerker van het CLB online. Je mag blijven wachten, maar het kan lang duren."),
    alternatives(alts));
  const focus = heading("Even geduld");
  return {
    focus,
    pos,
    nodes: [h("section", null, focus, pos, est, nobody,
      h("p", null, "Een medewerker van het CLB neemt zo snel mogelijk op. Laat dit venster open; je mag het wel verbergen."),
      h("button", { type: "button", class: "b b2", "data-testid": "leave-queue", onclick: onLeave }, "Wachtrij verlaten"))],
    update(position, estimate) {
      const text = position == null ? "Je staat in de wachtrij." : "Je bent nummer " + position + " in de wachtrij";
      const moved = pos.textContent && pos.textContent !== text && position != null;
      pos.textContent = text;
      if (estimate == null) est.textContent = "";
      else if (estimate === 0) est.textContent = "Een medewerker is vrij: je bent zo aan de beurt.";
      else if (estimate < 60) est.textContent = "Geschatte wachttijd: minder dan een minuut";
      else {
        const m = Math.round(estimate / 60);
        est.textContent = "Geschatte wachttijd: ongeveer " + m + (m === 1 ? " minuut" : " minuten");
      }
      est.hidden = estimate == null;
      nobody.hidden = position == null || estimate != null;
      return moved ? text : null;
    },
  };
}

// The composer: onType(hasText) on input, onSend(text) with a trimmed, non-empty message.
export function chatFooter({ onType, onSend, onLeave }) {
  const line = h("p", { class: "err", role: "alert", hidden: true });
  const submit = () => {
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    onSend(text);
    input.focus();
  };
  const input = h("textarea", { rows: "2", maxlength: "2000", "aria-label": "Je bericht", placeholder: "Typ je bericht…",
    "data-testid": "message-input", oninput: () => onType(!!input.value.trim()), onkeydown: (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        submit();
      }
    } });
  return {
    focus: input,
    nodes: [
      h("form", { class: "row", onsubmit: (e) => (e.preventDefault(), submit()) }, input,
        h("button", { type: "submit", class: "b", "data-testid": "send" }, "Verstuur")),
      line,
      h("button", { type: "button", class: "lk", "data-testid": "end-chat", onclick: onLeave }, "Gesprek beëindigen"),
    ],
    error(text) {
      line.textContent = text;
      line.hidden = false;
      setTimeout(() => (line.hidden = true), 6000);
    },
  };
}

export function endedText(by, counsellor) {
  if (by === "counsellor")
    return (counsellor || "De medewerker") + " heeft het gesprek afgesloten. Bedankt dat je met ons chatte.";
  if (by === "system")
    return "Het gesprek is afgesloten omdat de verbinding een tijdje weg was. Bedankt dat je met ons chatte.";
  return "Je hebt het gesprek beëindigd. Bedankt dat je met ons chatte.";
}

// onRate(stars, trimmed comment) once stars are picked; fail(text) makes it possible to send again.
export function ratingFooter(ended, onRate, onSkip) {
  let stars = 0;
  const err = h("p", { class: "err", role: "alert", hidden: true });
  const btns = [1, 2, 3, 4, 5].map((n) => h("button", { type: "button", role: "radio", "aria-checked": "false",
    "aria-label": n + (n === 1 ? " ster" : " sterren"), "data-testid": "star-" + n, tabindex: n === 1 ? "0" : "-1",
    onclick: () => pick(n) }, h("span", { "aria-hidden": "true" }, "★")));
  // Radio group keyboard model: arrows move and select, one tab stop, Enter/Space select (button click).
  function pick(n) {
    stars = n;
    btns.forEach((b, i) => {
      b.setAttribute("aria-checked", String(i + 1 === n));
      b.tabIndex = i + 1 === n ? 0 : -1;
      b.classList.toggle("on", i < n);
    });
    btns[n - 1].focus();
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
    submitBtn.disabled = true;
    onRate(stars, comment.value.trim());
  } }, "Versturen");
  return {
    focus: btns[0],
    nodes: [
      h("p", { "data-testid": "ended" }, ended),
      h("h2", { id: "rate-h" }, "Hoe vond je dit gesprek?"),
      group,
      h("label", { for: "rc" }, "Wil je nog iets kwijt? ", h("span", { class: "hint" }, "(niet verplicht)")),
      comment, count, err,
      submitBtn,
      h("button", { type: "button", class: "b b2", "data-testid": "rating-skip", onclick: onSkip }, "Overslaan"),
    ],
    fail(text) {
      submitBtn.disabled = false;
      err.textContent = text;
      err.hidden = false;
    },
  };
}

export function thanksFooter(onClose) {
  const focus = heading("Bedankt!");
  return { focus, nodes: [h("section", { "data-testid": "thanks" }, focus,
    h("p", null, "Fijn dat je met ons chatte. Je kunt altijd terugkomen."),
    closeButton(onClose))] };
}

// This browser session was blocked for a while (a counsellor ended the chat so): kindly, the helplines.
export function blockedView(alts, onClose) {
  const focus = heading("Je kan de chat even niet gebruiken");
  return { focus, nodes: [h("section", { "data-testid": "blocked" }, focus,
    h("p", null, "Wil je toch met iemand praten? Deze diensten helpen je graag, anoniem en gratis."),
    alternatives(alts),
    onClose && closeButton(onClose))] };
}

// Ended before anyone picked up: no rating, but the other helplines.
export function leftView(by, alts, onClose) {
  const focus = heading(by === "visitor" ? "Je hebt de wachtrij verlaten" : "De chat is gestopt");
  return { focus, nodes: [h("section", { "data-testid": "left" }, focus,
    by !== "visitor" && h("p", null, "Het lukte nu niet om je te helpen in de chat. Sorry daarvoor."),
    alternatives(alts),
    closeButton(onClose))] };
}
