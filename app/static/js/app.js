/* Progressive enhancement only: every page works without this file.
   It registers the service worker, keeps check-ins answered offline in the outbox
   and sends them when the connection is back, offers install, and manages reminders. */
(function () {
  "use strict";
  var status = document.getElementById("app-status");

  function say(html) {
    if (!status) return;
    status.innerHTML = html;
    status.hidden = false;
  }

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function when(iso) {
    try {
      return new Date(iso).toLocaleString(undefined, { weekday: "long", hour: "2-digit", minute: "2-digit" });
    } catch (e) { return iso; }
  }

  function uuid() {
    if (self.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  /* ---- service worker ---- */
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
      if (document.body.dataset.signedIn === "yes" && navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage({ type: "cache-checkin" });
      }
    }).catch(function () { /* the app still works online */ });
  }

  /* ---- the menu folds into "Menu" on a narrow screen ---- */
  var menu = document.getElementById("menu");
  var narrow = window.matchMedia && matchMedia("(max-width: 39.99rem)");
  if (menu && narrow) {
    menu.classList.add("folds");
    var fit = function () { menu.open = !narrow.matches; };
    fit();
    if (narrow.addEventListener) narrow.addEventListener("change", fit);
  }

  /* A link to a part of a folded section (Settings) opens the section. */
  function unfold(el) {
    for (; el; el = el.parentElement) if (el.tagName === "DETAILS") el.open = true;
  }
  function openTarget() {
    var target = location.hash.length > 1 && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) { unfold(target); target.scrollIntoView(); }
  }
  openTarget();
  window.addEventListener("hashchange", openTarget);

  /* A section's form sent back with a mistake: its first error in view, with the focus. */
  var wrong = document.querySelector("main .card [aria-invalid=true], main .card .notice.error");
  if (wrong) {
    unfold(wrong);
    if (!wrong.matches("input, select, textarea")) wrong.setAttribute("tabindex", "-1");
    wrong.scrollIntoView({ block: "center" });
    wrong.focus({ preventScroll: true });
  }

  /* ---- copy and share buttons (recovery codes, the shared-sheet link) ----
     data-copy names what to copy: a field's value, or each list item on a line.
     data-copy-status names a role="status" element that tells the result; without
     one the button's own text does. data-copied / data-copy-failed word the result. */
  function textOf(source) {
    if (source.tagName === "INPUT" || source.tagName === "TEXTAREA") return source.value.trim();
    var items = source.querySelectorAll("li");
    if (!items.length) return source.textContent.trim();
    return Array.prototype.map.call(items, function (li) { return li.textContent.trim(); }).join("\n");
  }

  function selectAll(field) {
    if (!field.select) return;
    field.focus();
    field.select();
    try { field.setSelectionRange(0, field.value.length); } catch (e) { /* not a text field */ }
  }

  function tell(button, statusId, text) {
    var box = statusId && document.getElementById(statusId);
    if (!box) { button.textContent = text; return; }
    /* Emptied first, so the same words said twice are announced twice. */
    box.textContent = "";
    setTimeout(function () { box.textContent = text; }, 50);
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (button) {
    var source = document.getElementById(button.dataset.copy);
    if (!source || !navigator.clipboard || !navigator.clipboard.writeText) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var failed = function () {
        tell(button, button.dataset.copyStatus,
          button.dataset.copyFailed || "Copy did not work: please write them down");
        selectAll(source);
      };
      var done;
      try { done = navigator.clipboard.writeText(textOf(source)); } catch (e) { failed(); return; }
      done.then(function () {
        tell(button, button.dataset.copyStatus, button.dataset.copied || "Copied");
      }, failed);
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("[data-share]"), function (button) {
    var source = document.getElementById(button.dataset.share);
    if (!source || typeof navigator.share !== "function") return;
    var data = function () { return { title: button.dataset.shareTitle || document.title, url: textOf(source) }; };
    if (navigator.canShare && !navigator.canShare(data())) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.share(data()).catch(function (err) {
        if (err && err.name === "AbortError") return; /* the person closed the share sheet */
        tell(button, button.dataset.shareStatus, button.dataset.shareFailed || "Sharing did not work here.");
      });
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("[data-select-all]"), function (field) {
    /* One tap selects the whole link, ready to copy by hand. */
    field.addEventListener("focus", function () { selectAll(field); });
    field.addEventListener("click", function () { selectAll(field); });
  });

  /* ---- outbox ---- */
  var pending = null; /* client_id of the check-in this page just saved */
  var pendingEntry = null;

  /* The result of this page's check-in when another flush (the service worker's) sent it:
     sending it again is safe, the server answers a repeat with the stored result. */
  function findPending(r) {
    if (!pendingEntry || r.offline || r.needsLogin) return;
    var entry = pendingEntry;
    Outbox.all().then(function (left) {
      if (left.some(function (e) { return e.client_id === entry.client_id; })) return null;
      return Outbox.resend(entry);
    }).then(function (again) {
      var sent = again && again.sent[0];
      if (sent) location.assign("/checkins/" + encodeURIComponent(sent.result.id));
    }).catch(function () {});
  }

  function report(r) {
    var mine = pending && r.sent.filter(function (s) { return s.entry.client_id === pending; })[0];
    if (mine) { location.assign("/checkins/" + encodeURIComponent(mine.result.id)); return; }
    findPending(r);
    var parts = [];
    if (r.sent.length) {
      parts.push("<p>Sent from this phone: " + r.sent.map(function (s) {
        return '<a href="/checkins/' + encodeURIComponent(s.result.id) + '">your check-in of ' +
          when(s.entry.taken_at) + "</a>";
      }).join(", ") + ".</p>");
    }
    r.refused.forEach(function (f) {
      parts.push("<p>A check-in saved on this phone could not be stored: " +
        esc(f.detail) + "</p>");
    });
    if (r.needsLogin) {
      parts.push('<p>A check-in is saved on this phone. <a href="/login?next=/checkin">Sign in</a> and it will be sent.</p>');
    }
    if (parts.length) say(parts.join(""));
  }

  function flush() {
    if (!self.Outbox) return Promise.resolve();
    return Outbox.flush().then(report);
  }

  window.addEventListener("online", flush);
  if (document.body.dataset.signedIn === "yes") flush();

  /* A risk answer saved with no connection: the crisis lines and the short safety plan
     that came with the cached form, at once, above "saved on this phone". */
  function showCrisis() {
    var tpl = document.getElementById("offline-crisis");
    var main = document.querySelector("main");
    if (!tpl || !main || document.getElementById("crisis")) return;
    main.insertBefore(tpl.content.cloneNode(true), main.firstChild);
    var box = document.getElementById("crisis");
    if (status && box) box.parentNode.insertBefore(status, box.nextSibling); /* help first */
    var heading = document.getElementById("crisis-title");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
  }

  /* client_ids this phone has sent or queued: a form served again from the offline cache
     carries an id that was used already, and gets a fresh one. */
  var USED = "used-client-ids";
  function usedIds() {
    try { return JSON.parse(localStorage.getItem(USED) || "[]"); } catch (e) { return []; }
  }
  function markUsed(id) {
    try {
      var ids = usedIds().filter(function (x) { return x !== id; });
      ids.push(id);
      localStorage.setItem(USED, JSON.stringify(ids.slice(-20)));
    } catch (e) { /* private mode: the server still refuses a changed repeat */ }
  }

  var form = document.querySelector("form.checkin");
  var formId = form && form.querySelector("input[name=client_id]");
  if (formId && usedIds().indexOf(formId.value) >= 0) formId.value = uuid();
  if (form && self.Outbox && self.indexedDB) {
    form.addEventListener("submit", function (event) {
      var groups = form.querySelectorAll("fieldset.question");
      var answers = {}, missing = [];
      Array.prototype.forEach.call(groups, function (group) {
        var first = group.querySelector("input[type=radio]");
        if (!first) return;
        var chosen = group.querySelector("input[type=radio]:checked");
        var value = chosen ? parseInt(chosen.value, 10) : NaN;
        if (!isNaN(value)) answers[first.name] = value; /* "No session this week": no answer */
        else if (!chosen && first.required) missing.push(group);
      });
      if (missing.length && navigator.onLine) return; /* the server explains what's missing */
      event.preventDefault();
      if (missing.length) {
        say("<p>Please answer every question before sending (" + missing.length + " left).</p>");
        missing[0].scrollIntoView();
        var radio = missing[0].querySelector("input");
        if (radio) radio.focus();
        return;
      }
      var note = form.querySelector("textarea[name=note]");
      var idField = form.querySelector("input[name=client_id]");
      /* The form's own client_id: a resend, a double tap or Back stores one check-in. */
      var entry = { client_id: idField && idField.value ? idField.value : uuid(),
                    taken_at: new Date().toISOString(), answers: answers,
                    note: note && note.value.trim() ? note.value.trim() : null };
      var risky = Array.prototype.some.call(form.querySelectorAll("fieldset[data-risk-above]"), function (g) {
        var chosen = g.querySelector("input[type=radio]:checked");
        return chosen && parseInt(chosen.value, 10) > parseInt(g.dataset.riskAbove, 10);
      });
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      markUsed(entry.client_id);
      Outbox.add(entry).then(function () {
        pending = entry.client_id;
        pendingEntry = entry;
        if (navigator.serviceWorker && navigator.serviceWorker.ready && self.SyncManager) {
          navigator.serviceWorker.ready.then(function (reg) { return reg.sync.register("outbox"); })
            .catch(function () {});
        }
        return Outbox.flush();
      }).then(function (r) {
        var sent = r.sent.some(function (s) { return s.entry.client_id === pending; });
        if (!sent) {
          var refused = r.refused.filter(function (f) { return f.entry.client_id === pending; })[0];
          if (refused) {
            /* Let the server show the problem next to the answers, with the answers kept. */
            Outbox.remove(pending).then(function () { form.submit(); });
            return;
          }
          form.reset();
          if (idField) idField.value = uuid(); /* the next check-in from this page is new */
          if (button) button.disabled = false;
          if (risky) showCrisis();
          say(r.needsLogin
            ? '<p><strong>Saved on this phone.</strong> Your sign-in has expired: <a href="/login?next=/checkin">sign in</a> and it will be sent.</p>'
            : r.offline
              ? "<p><strong>Saved on this phone.</strong> You seem to be offline. It will be sent when you are back online, and your result will show here.</p>"
              : "<p><strong>Saved on this phone.</strong> The server is busy right now. It will be sent the next time you open the app, and your result will show here.</p>");
          window.scrollTo(0, 0);
        }
        report(r);
      }, function () {
        /* IndexedDB unavailable: send the ordinary form instead. */
        form.submit();
      });
    });
  }

  /* ---- sign out: nothing of this account stays on the phone ---- */
  Array.prototype.forEach.call(document.querySelectorAll("form[action='/logout']"), function (f) {
    f.addEventListener("submit", function () {
      if (self.Outbox) Outbox.clear().catch(function () {});
      if (navigator.serviceWorker && navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage({ type: "signed-out" });
      }
    });
  });

  /* ---- install ---- */
  var install = document.getElementById("install-app"), deferred = null;
  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault();
    deferred = event;
    if (install) install.hidden = false;
  });
  if (install) {
    install.addEventListener("click", function () {
      if (!deferred) return;
      deferred.prompt();
      deferred.userChoice.then(function () { install.hidden = true; deferred = null; });
    });
  }
  if (window.matchMedia && window.matchMedia("(display-mode: standalone)").matches) {
    Array.prototype.forEach.call(document.querySelectorAll(".install-help"), function (el) { el.hidden = true; });
  }

  /* ---- time zone for reminders ---- */
  var tz = document.querySelector("input[name=timezone]");
  if (tz && !tz.value && self.Intl) tz.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";

  /* ---- push reminders ---- */
  var pushOn = document.getElementById("push-on"), pushOff = document.getElementById("push-off");
  var pushState = document.getElementById("push-state");
  function b64(s) {
    var pad = "=".repeat((4 - (s.length % 4)) % 4);
    var raw = atob((s + pad).replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
  }
  function json(method, url, body) {
    return fetch(url, { method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  }
  if (pushOn && "PushManager" in window && navigator.serviceWorker) {
    navigator.serviceWorker.ready.then(function (reg) {
      return reg.pushManager.getSubscription().then(function (sub) {
        pushOn.hidden = !!sub; pushOff.hidden = !sub;
        if (pushState) pushState.textContent = sub ? "Reminders are on for this phone." : "";
        pushOn.addEventListener("click", function () {
          fetch("/api/push/key", { credentials: "same-origin" }).then(function (r) { return r.json(); })
            .then(function (k) {
              return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64(k.public_key) });
            }).then(function (s) { return json("POST", "/api/push/subscriptions", s.toJSON()); })
            .then(function (r) {
              // Refused (e.g. this browser's reminders belong to another account): say why.
              if (!r.ok) return r.json().then(function (e) { throw { detail: e.detail }; });
              pushOn.hidden = true; pushOff.hidden = false;
              if (pushState) pushState.textContent = "Reminders are on for this phone.";
            }).catch(function (e) {
              if (pushState) pushState.textContent = (e && typeof e.detail === "string") ? e.detail :
                "This browser did not allow notifications. You can still use the calendar file.";
            });
        });
        pushOff.addEventListener("click", function () {
          reg.pushManager.getSubscription().then(function (s) {
            if (!s) return null;
            return json("DELETE", "/api/push/subscriptions", { endpoint: s.endpoint })
              .then(function () { return s.unsubscribe(); });
          }).then(function () {
            pushOn.hidden = false; pushOff.hidden = true;
            if (pushState) pushState.textContent = "Reminders are off for this phone.";
          });
        });
      });
    });
  }
})();
