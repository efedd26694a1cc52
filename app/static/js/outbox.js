/* The outbox: check-ins answered on this phone and not yet stored on the server.
   Shared by the pages (window.Outbox) and the service worker (self.Outbox).
   Each entry keeps only what the API needs: client_id, taken_at, answers, note. */
(function (scope) {
  "use strict";
  var DB = "therapy-checkin", STORE = "outbox";

  function open() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () {
        req.result.createObjectStore(STORE, { keyPath: "client_id" });
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var req = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(req ? req.result : undefined); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  var flushing = null;

  var Outbox = {
    add: function (entry) { return run("readwrite", function (s) { return s.put(entry); }); },
    all: function () { return run("readonly", function (s) { return s.getAll(); }); },
    remove: function (id) { return run("readwrite", function (s) { return s.delete(id); }); },
    clear: function () { return run("readwrite", function (s) { return s.clear(); }); },

    /* Send what is waiting, oldest first. Resolves to
       {sent: [{entry, result}], needsLogin: bool, refused: [{entry, detail}], offline: bool}.
       The server is idempotent by client_id, so a send repeated from another tab or
       from the service worker stores nothing twice. */
    flush: function () {
      if (flushing) return flushing;
      var report = { sent: [], needsLogin: false, refused: [], offline: false };
      flushing = Outbox.all().then(function (entries) {
        entries.sort(function (a, b) { return a.taken_at < b.taken_at ? -1 : 1; });
        var chain = Promise.resolve(false);
        entries.forEach(function (entry) {
          chain = chain.then(function (stop) {
            if (stop || entry.refused) return stop;
            return send(entry, report);
          });
        });
        return chain;
      }).then(function () { return report; }, function () { return report; })
        .then(function (r) { flushing = null; return r; });
      return flushing;
    }
  };

  /* Send one entry now (again): the server stores a client_id once and answers a repeat
     with the stored result. */
  Outbox.resend = function (entry) {
    var report = { sent: [], needsLogin: false, refused: [], offline: false };
    return send(entry, report).then(function () { return report; });
  };

  function send(entry, report) {
    var body = { client_id: entry.client_id, taken_at: entry.taken_at,
                 answers: entry.answers, note: entry.note || null };
    return fetch("/api/checkins", {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (response) {
      if (response.status === 200 || response.status === 201) {
        return response.json().then(function (result) {
          report.sent.push({ entry: entry, result: result });
          return Outbox.remove(entry.client_id).then(function () { return false; });
        });
      }
      if (response.status === 401) { report.needsLogin = true; return true; }
      if (response.status >= 400 && response.status < 500 && response.status !== 429) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          entry.refused = true;
          entry.detail = typeof data.detail === "string" ? data.detail : "The server could not accept it.";
          report.refused.push({ entry: entry, detail: entry.detail });
          return Outbox.add(entry).then(function () { return false; });
        });
      }
      return true; /* server trouble or rate limit: try again later */
    }, function () { report.offline = true; return true; });
  }

  scope.Outbox = Outbox;
})(typeof self !== "undefined" ? self : window);
