// Progressive enhancement for the HTML-only screens (see server.mjs), inlined before </body>.
// Every form already works without it; this adds what React did on those screens. Markup hooks:
//   button[data-pending-label]  shows that label (and every submit button of the form is
//                               disabled) once its form is submitted, so nobody posts twice;
//   select[data-autosubmit]     submits its form when changed (the language menu);
//   [data-left][data-wait-label] a button disabled for data-left ms, showing the wait label with
//                               {seconds}, then data-label (the resend cool-down);
//   [data-session-left]         hidden until data-left-ms falls under 2 minutes, then shows its
//                               [data-template] text with {time} (the session-timeout warning).
// Remaining times are sent as durations, not instants, so a phone's wrong clock does not matter.
// Lines are trimmed and // comment lines dropped when inlined: no multi-line strings here.
(function () {
  if (document.querySelector('script[src^="/_next/"]')) return; // React runs this page
  var start = performance.now();
  var left = function (el, attr) { return Number(el.getAttribute(attr)) - (performance.now() - start); };
  var pending = function (form, on) {
    form.querySelectorAll("button").forEach(function (b) {
      if (b.type !== "submit") return;
      b.disabled = on;
      var label = b.getAttribute("data-pending-label");
      if (!label) return;
      if (on) { b.setAttribute("data-label-idle", b.textContent); b.textContent = label; }
      else if (b.hasAttribute("data-label-idle")) b.textContent = b.getAttribute("data-label-idle");
    });
    if (on) form.setAttribute("aria-busy", "true"); else form.removeAttribute("aria-busy");
  };
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.getAttribute("aria-busy") === "true") { e.preventDefault(); return; }
    // After the browser has built the form data: a disabled button would drop its own value.
    setTimeout(function () { pending(form, true); }, 0);
  });
  // Back from the next page (bfcache): the form is usable again.
  addEventListener("pageshow", function (e) {
    if (e.persisted) document.querySelectorAll("form[aria-busy]").forEach(function (f) { pending(f, false); });
  });
  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t.matches && t.matches("select[data-autosubmit]") && t.form) t.form.requestSubmit();
  });
  var tick = function () {
    document.querySelectorAll("[data-left][data-wait-label]").forEach(function (b) {
      if (b.closest("form[aria-busy]")) return;
      var s = Math.max(0, Math.ceil(left(b, "data-left") / 1000));
      b.disabled = s > 0;
      b.textContent = s > 0 ? b.getAttribute("data-wait-label").replace("{seconds}", String(s)) : b.getAttribute("data-label");
    });
    document.querySelectorAll("[data-session-left]").forEach(function (box) {
      var ms = left(box, "data-session-left");
      var show = ms > 0 && ms <= 120000;
      box.hidden = !show;
      if (!show) return;
      var text = box.querySelector("[data-template]");
      var m = Math.floor(ms / 60000), s = Math.floor((ms % 60000) / 1000);
      var value = text.getAttribute("data-template").replace("{time}", m + ":" + (s < 10 ? "0" : "") + s);
      if (text.textContent !== value) text.textContent = value;
    });
  };
  tick();
  setInterval(tick, 1000);
  // Screen-reader and keyboard users start at the heading, unless a field takes focus itself.
  if (!document.querySelector("[autofocus]")) {
    var h = document.getElementById("screen-title");
    if (h && document.activeElement === document.body) h.focus({ preventScroll: true });
  }
})();
