// The passkey button of HTML-only passkey challenge screens (see server.mjs), inlined after
// @simplewebauthn/browser's UMD bundle. It does what components/WebAuthnButton.tsx does with
// React: ask /api/webauthn/<factor> for options, run the ceremony, send the result, then go where
// the server says. A cancel is a calm note and the same button again, never an error page.
// Markup hook: [data-webauthn="authenticate"|"register"][data-endpoint][data-labels] around the
// button. Lines are trimmed and // comment lines dropped when inlined: no multi-line strings here.
(function () {
  if (document.querySelector('script[src^="/_next/"]')) return; // React runs this page
  var W = window.SimpleWebAuthnBrowser;
  document.querySelectorAll("[data-webauthn]").forEach(function (box) {
    var labels = JSON.parse(box.getAttribute("data-labels"));
    var button = box.querySelector("button");
    if (!W || !W.browserSupportsWebAuthn()) {
      var p = document.createElement("p");
      p.setAttribute("role", "status");
      p.className = "text-muted";
      p.textContent = labels.unsupported;
      box.replaceWith(p);
      return;
    }
    var note = null;
    var say = function (text, alert) {
      if (!note) {
        note = document.createElement("div");
        note.setAttribute("data-testid", "webauthn-note");
        note.className = "rounded-brand border border-line bg-page px-4 py-3 text-sm text-fg";
        box.insertBefore(note, box.firstChild);
      }
      note.setAttribute("role", alert ? "alert" : "status");
      note.textContent = text;
    };
    var call = function (body) {
      return fetch(box.getAttribute("data-endpoint"), { method: "POST", credentials: "same-origin", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      });
    };
    var go = function (step) {
      location.assign(step.next);
      return true;
    };
    var idle = button.textContent;
    button.disabled = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      button.textContent = labels.working;
      if (note) { note.remove(); note = null; }
      call({ step: "options" })
        .then(function (step) {
          if (step.next) return go(step);
          if (!step.options) throw new Error(step.error || "no options");
          var ceremony = box.getAttribute("data-webauthn") === "register" ? W.startRegistration : W.startAuthentication;
          return ceremony({ optionsJSON: step.options }).then(function (response) {
            var remember = document.getElementById("remember");
            return call({ step: "finish", response: JSON.stringify(response), remember: !!(remember && remember.checked) });
          }).then(function (done) {
            if (done.next) return go(done);
            say(done.error || labels.failed, true);
          });
        })
        .catch(function (e) {
          var calm = e && (e.name === "NotAllowedError" || e.name === "AbortError");
          say(calm ? labels.cancelled : labels.failed, !calm);
        })
        .then(function (navigating) {
          if (navigating === true) return;
          button.disabled = false;
          button.textContent = idle;
        });
    });
  });
})();
