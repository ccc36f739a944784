/* CLBch@t loader: the closed chat button.
 * Embed: <script src="https://HOST/widget.js" data-site="SLUG" async></script>
 * Optional: data-ref="partner" (sent with the chat request), data-mode="fullpage" (hosted page).
 * This file draws only the launcher; the panel (panel.js) is imported on the first click.
 * Global: window.CLBChat only. Storage: nothing is written here (the panel writes sessionStorage
 * once a chat starts; we only read it to resume a chat after a page reload). */
(function () {
  "use strict";
  if (window.CLBChat) return; // embedded twice: keep the first

  // Captured synchronously: currentScript is only set while this file runs (async included).
  var me = document.currentScript || document.querySelector('script[src*="widget.js"][data-site]');
  if (!me || !me.src) return;
  var VERSION = "1.0.0";
  // The server writes the version of the panel's files here (their URLs never change meaning, so
  // browsers keep them for good); "dev" when this file is served some other way.
  var BUILD = "dev";
  var origin = new URL(me.src, location.href).origin; // the only place we ever talk to
  var site = me.getAttribute("data-site") || "";
  var ref = me.getAttribute("data-ref");
  var fullpage = me.getAttribute("data-mode") === "fullpage";
  var KEY = "clbchat:" + site;

  // Given to the shadow root as a constructed stylesheet, not a <style>: a host page whose CSP has
  // no 'unsafe-inline' for styles would block the latter (docs/widget.md, "Content Security Policy").
  var CSS =
    ":host{all:initial!important}" +
    // A popover in the top layer (above any z-index, fixed to the viewport even in a transformed
    // body); all:initial also undoes the browser's own popover box (inset, margin, border, colours).
    ".l{all:initial;position:fixed;right:20px;bottom:20px;z-index:2147483000;display:flex;" +
    "align-items:center;gap:8px;box-sizing:border-box;min-height:48px;max-width:calc(100vw - 40px);" +
    "padding:12px 20px;border:0;border-radius:999px;background:#005f73;color:#fff;cursor:pointer;" +
    "font:600 16px/1.2 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;" +
    "box-shadow:0 4px 14px rgba(0,0,0,.3)}" +
    ".l:hover{background:#004b5b}" +
    ".l:focus-visible{outline:3px solid #ffbf47;outline-offset:3px}" +
    ".l svg{width:22px;height:22px;fill:currentColor;flex:none}" +
    ".l.c{background:#5a6470}.l.c:hover{background:#47505a}" +
    ".l small{font:inherit;font-weight:400;opacity:.9}" +
    ".l small:before{content:'\\00B7';margin-right:6px}" +
    ".l .n{position:absolute;top:-2px;right:-2px;width:14px;height:14px;border-radius:50%;" +
    "background:#e4002b;border:2px solid #fff}" +
    // Small screens: a round icon button in the corner, so the page's text stays readable.
    "@media (max-width:480px){.l{right:12px;bottom:12px;width:52px;height:52px;min-height:0;padding:0;" +
    "justify-content:center}.l .tx,.l small{position:absolute;width:1px;height:1px;overflow:hidden;" +
    "clip:rect(0 0 0 0);white-space:nowrap}.l svg{width:26px;height:26px}}" +
    "@media print{.l{display:none}}";

  var host, root, launcher, status, panel, loading, wantOpen, timer, unread, started;

  function stored() {
    // Reading is not writing: a token here means a chat is going on in this tab.
    try {
      var s = JSON.parse(sessionStorage.getItem(KEY) || "null");
      return s && s.token ? s : null;
    } catch (e) {
      return null;
    }
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function ensureHost() {
    if (host) return;
    host = el("div");
    host.id = "clbchat-root";
    root = host.attachShadow({ mode: "open" });
    adopt(root, CSS);
    document.body.appendChild(host);
  }

  // Constructed stylesheets are not subject to the page's style-src; a <style> only where the
  // browser has none (and then the page needs 'unsafe-inline' or no CSP for styles).
  function adopt(r, css) {
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      r.adoptedStyleSheets = r.adoptedStyleSheets.concat(sheet);
    } catch (e) {
      var style = el("style");
      style.textContent = css;
      r.appendChild(style);
    }
  }

  // The top layer: above everything on the page, whatever its z-index or transform.
  function toTop(e) {
    if (!e.showPopover) return; // older browsers: the fixed position and high z-index must do
    e.popover = "manual";
    try {
      e.showPopover();
    } catch (err) {} // not connected yet or already shown
  }

  // The speech-bubble icon, built node by node: no innerHTML, so a page that enforces Trusted Types
  // (require-trusted-types-for 'script') has nothing to refuse.
  function icon() {
    var NS = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(NS, "svg");
    var path = document.createElementNS(NS, "path");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
    svg.appendChild(path);
    return svg;
  }

  // Draw (or remove) the launcher for the current status. The panel hides it while it is open.
  function drawLauncher() {
    ensureHost();
    var chatting = !!stored();
    var show = status && !(panel && panel.visible) &&
      (status.open || chatting || !status.site.hide_when_closed);
    if (!show) {
      if (launcher) launcher.remove();
      launcher = null;
      return;
    }
    if (!launcher) {
      launcher = el("button", "l");
      launcher.type = "button";
      launcher.setAttribute("data-testid", "launcher");
      launcher.setAttribute("aria-haspopup", "dialog");
      launcher.addEventListener("click", open);
      root.appendChild(launcher);
      toTop(launcher);
    }
    var closed = !status.open && !chatting;
    launcher.className = closed ? "l c" : "l";
    launcher.textContent = "";
    launcher.appendChild(icon());
    launcher.appendChild(el("span", "tx", chatting ? "Terug naar je chat" : "Chat met het CLB"));
    if (closed) launcher.appendChild(el("small", "", "Gesloten"));
    if (unread) {
      launcher.appendChild(el("span", "n"));
      launcher.setAttribute("aria-label", "Terug naar je chat, nieuw bericht");
    } else {
      launcher.removeAttribute("aria-label");
    }
  }

  function fetchStatus(revalidate) {
    clearTimeout(timer);
    return fetch(origin + "/api/sites/" + encodeURIComponent(site) + "/status", {
      credentials: "omit",
      // A scheduled re-fetch revalidates (ETag, cheap 304) so a skewed clock cannot serve stale hours.
      cache: revalidate ? "no-cache" : "default",
    })
      .then(function (r) {
        if (r.status === 403 || r.status === 404) {
          // Wrong origin or slug: a configuration error for the site owner, nothing for the visitor.
          console.warn("CLBch@t: site '" + site + "' is not available here (" + r.status + ")");
          throw 0;
        }
        if (!r.ok) throw new Error("status " + r.status);
        return r.json();
      })
      .then(function (s) {
        status = s;
        drawLauncher();
        if (panel) panel.update(s);
        // Flip the button when the chat opens or closes; re-armed after every fetch.
        var wait = s.next_change ? Date.parse(s.next_change) - Date.now() + 1000 : 6 * 3600e3;
        timer = setTimeout(fetchStatus, Math.max(1000, Math.min(wait, 6 * 3600e3)), true);
        // First answer only: open for CLBChat.open(), the hosted page, or a chat to resume.
        if (!started) {
          started = true;
          if (wantOpen || fullpage || stored()) open();
        }
      })
      .catch(function (e) {
        if (e !== 0) timer = setTimeout(fetchStatus, 60e3, true); // offline: try again later
      });
  }

  function open() {
    if (!status) {
      wantOpen = true; // CLBChat.open() before the status arrived
      return;
    }
    if (panel) {
      panel.open();
      return;
    }
    if (loading) return;
    loading = true;
    ensureHost();
    import(origin + (BUILD === "dev" ? "/widget/panel.js" : "/widget/v/" + BUILD + "/panel.js"))
      .then(function (m) {
        panel = m.mount(root, {
          origin: origin,
          site: site,
          ref: ref,
          key: KEY,
          fullpage: fullpage,
          status: status,
          refresh: function () {
            return fetchStatus(true);
          },
          // The panel was minimised or shown: toggle the launcher, return focus to it.
          shown: function (visible, focusLauncher) {
            if (visible) unread = false;
            drawLauncher();
            if (!visible && focusLauncher && launcher) launcher.focus();
          },
          unread: function () {
            unread = true;
            drawLauncher();
          },
          // Quick exit or the chat is over: forget the panel; a new click mounts a fresh one.
          gone: function (focusLauncher) {
            panel = null;
            unread = false;
            drawLauncher();
            if (focusLauncher && launcher) launcher.focus();
          },
        });
        panel.open();
      })
      .catch(function (e) {
        console.warn("CLBch@t: could not load the chat panel", e);
      })
      .then(function () {
        loading = false;
      });
  }

  function close() {
    if (panel) panel.close(true);
  }

  // The school's own links and buttons: <a href="#" data-clbchat-open>Chat met het CLB</a>
  document.addEventListener("click", function (e) {
    var t = e.target && e.target.closest && e.target.closest("[data-clbchat-open]");
    if (t) {
      e.preventDefault();
      open();
    }
  });

  window.CLBChat = { version: VERSION, open: open, close: close };

  function start() {
    ensureHost();
    fetchStatus(false);
  }
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
