// throughline serve: live reload and the error overlay. Served at
// /__throughline/live.js and added to every HTML page by `serve` only.
(function () {
  "use strict";
  var DIALOG_ID = "throughline-errors";

  function here() {
    var p = decodeURIComponent(location.pathname).replace(/^\/+/, "");
    if (p === "" || p.endsWith("/")) p += "index.html";
    return p;
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function style() {
    if (document.getElementById(DIALOG_ID + "-style")) return;
    var s = el("style", { id: DIALOG_ID + "-style" });
    s.textContent =
      "#" + DIALOG_ID + "{max-width:min(60rem,94vw);max-height:90vh;overflow:auto;padding:1.5rem;" +
      "border:4px solid #d4351c;background:#fff;color:#0b0c0c;font:1.1875rem/1.4 system-ui,sans-serif}" +
      "#" + DIALOG_ID + "::backdrop{background:rgba(11,12,12,.6)}" +
      "#" + DIALOG_ID + " h2{margin:0 0 1rem;font-size:1.5rem}" +
      "#" + DIALOG_ID + " h2:focus{outline:3px solid #fd0;box-shadow:0 4px #0b0c0c}" +
      "#" + DIALOG_ID + " ol{padding-left:1.5rem}" +
      "#" + DIALOG_ID + " li{margin-bottom:1.25rem}" +
      "#" + DIALOG_ID + " .where{font-weight:700;font-family:ui-monospace,monospace}" +
      "#" + DIALOG_ID + " pre{background:#f3f2f1;padding:.5rem;overflow:auto;font-size:1rem}" +
      "#" + DIALOG_ID + " .hint{border-left:5px solid #1d70b8;padding-left:.75rem}" +
      "#" + DIALOG_ID + " button{font:inherit;padding:.4rem 1rem;background:#0b0c0c;color:#fff;border:0}" +
      "#" + DIALOG_ID + " button:focus{outline:3px solid #fd0;box-shadow:0 0 0 6px #0b0c0c}";
    document.head.appendChild(s);
  }

  function showErrors(list) {
    style();
    var old = document.getElementById(DIALOG_ID);
    if (old) old.remove();
    var d = el("dialog", { id: DIALOG_ID, "aria-labelledby": DIALOG_ID + "-title" });
    var n = list.length;
    var h = el("h2", { id: DIALOG_ID + "-title", tabindex: "-1" },
      "The site could not be built: " + n + (n === 1 ? " error" : " errors"));
    d.appendChild(h);
    d.appendChild(el("p", {}, "You are seeing the last version that built. Fix the file and save: this message goes away by itself."));
    var ol = el("ol");
    list.forEach(function (e) {
      var li = el("li");
      var where = e.file || "";
      if (e.line) where += ":" + e.line + ":" + e.column;
      if (where) li.appendChild(el("p", { class: "where" }, where));
      li.appendChild(el("p", {}, e.message));
      if (e.source_line) {
        var caret = " ".repeat(Math.max(0, (e.column || 1) - 1)) + "^".repeat(Math.max(1, e.width || 1));
        li.appendChild(el("pre", { "aria-label": "Line " + e.line + " of the file" }, e.source_line + "\n" + caret));
      }
      if (e.hint) li.appendChild(el("p", { class: "hint" }, e.hint));
      ol.appendChild(li);
    });
    d.appendChild(ol);
    var close = el("button", { type: "button" }, "Close");
    close.addEventListener("click", function () { d.close(); });
    d.appendChild(close);
    document.body.appendChild(d);
    if (d.showModal) d.showModal(); else d.setAttribute("open", "");
    h.focus();
  }

  function clearErrors() {
    var d = document.getElementById(DIALOG_ID);
    if (d) { if (d.close) d.close(); d.remove(); return true; }
    return false;
  }

  function swapCss(changed) {
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    links.forEach(function (l) {
      var u = new URL(l.href, location.href);
      var p = decodeURIComponent(u.pathname).replace(/^\/+/, "");
      if (changed.indexOf(p) >= 0) {
        u.searchParams.set("throughline", Date.now());
        l.href = u.toString();
      }
    });
  }

  var source = new EventSource("/__throughline/events");
  source.addEventListener("message", function (ev) {
    var m = JSON.parse(ev.data);
    window.__throughline_last = m;
    if (m.type === "errors") {
      showErrors(m.diagnostics);
    } else if (m.type === "built") {
      var hadErrors = clearErrors();
      var changed = m.changed || [];
      var onlyCss = changed.length > 0 && changed.every(function (p) { return /\.css$/.test(p); });
      if (onlyCss) {
        swapCss(changed);
      } else if (m.all || changed.indexOf(here()) >= 0 || hadErrors) {
        location.reload();
      }
    }
  });
})();
