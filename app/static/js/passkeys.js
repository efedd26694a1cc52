/* Passkeys, as progressive enhancement: the buttons stay hidden unless this browser can
   use passkeys. Adding one (settings) and signing in with one (sign-in page, or any
   button with data-passkey-signin) go through the JSON API; binary fields travel as
   base64url text. */
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials || !window.fetch) return;

  function toBuffer(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
    return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); }).buffer;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer), raw = "";
    for (var i = 0; i < bytes.length; i++) raw += String.fromCharCode(bytes[i]);
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body || {})
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        return { status: r.status, data: data };
      });
    });
  }

  function descriptors(list) {
    return (list || []).map(function (d) {
      return { type: d.type, id: toBuffer(d.id), transports: d.transports };
    });
  }

  function creationOptions(o) {
    var copy = Object.assign({}, o);
    copy.challenge = toBuffer(o.challenge);
    copy.user = Object.assign({}, o.user, { id: toBuffer(o.user.id) });
    copy.excludeCredentials = descriptors(o.excludeCredentials);
    return copy;
  }

  function requestOptions(o) {
    var copy = Object.assign({}, o);
    copy.challenge = toBuffer(o.challenge);
    copy.allowCredentials = descriptors(o.allowCredentials);
    return copy;
  }

  function credentialJSON(cred) {
    var r = cred.response, response = { clientDataJSON: toText(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toText(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = toText(r.authenticatorData);
      response.signature = toText(r.signature);
      response.userHandle = r.userHandle ? toText(r.userHandle) : null;
    }
    return {
      id: cred.id, rawId: toText(cred.rawId), type: cred.type, response: response,
      authenticatorAttachment: cred.authenticatorAttachment || null,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {}
    };
  }

  /* What the browser said, in words: cancelling is normal, not an error. */
  function browserProblem(error, otherWay) {
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "AbortError") {
      return "The passkey request was cancelled or timed out. You can try again" +
        (otherWay ? ", or " + otherWay + "." : ".");
    }
    if (name === "InvalidStateError") {
      return "This phone or key already has a passkey for your account.";
    }
    if (name === "SecurityError") {
      return "Passkeys can't be used at this address. Open the app by its name, not a number address.";
    }
    return "This browser couldn't use a passkey just now. Please try again.";
  }

  function detail(result, fallback) {
    var d = result.data && result.data.detail;
    return typeof d === "string" ? d : fallback;
  }

  function localPath(path) {
    return typeof path === "string" && path.charAt(0) === "/" && path.charAt(1) !== "/" &&
      path.indexOf("\\") === -1 ? path : "/";
  }

  function busy(button, status, on, text) {
    button.disabled = on;
    button.setAttribute("aria-busy", on ? "true" : "false");
    if (status) status.textContent = text || "";
  }

  /* ---- sign in (or confirm it's you) with a passkey ---- */
  function setUpSignIn(button) {
    var box = document.getElementById(button.getAttribute("data-box") || "") || button;
    var status = document.getElementById(button.getAttribute("data-status") || "");
    box.hidden = false;
    button.addEventListener("click", function () {
      busy(button, status, true, "Waiting for your passkey…");
      post("/api/auth/passkey/options").then(function (result) {
        if (result.status !== 200) throw new Error(detail(result, "Please try again."));
        return navigator.credentials.get({ publicKey: requestOptions(result.data) })
          .catch(function (error) { throw new Error(browserProblem(error, "use your passphrase")); });
      }).then(function (cred) {
        return post("/api/auth/passkey", { credential: credentialJSON(cred) });
      }).then(function (result) {
        if (result.status !== 200) throw new Error(detail(result, "That passkey wasn't accepted."));
        busy(button, status, true, "Signed in. Opening the app…");
        location.assign(localPath(button.getAttribute("data-next")));
      }).catch(function (error) {
        busy(button, status, false, error.message);
      });
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-passkey-signin]"), setUpSignIn);

  /* ---- add a passkey, in settings ---- */
  function leaving(result) {
    if (result.status === 401) {
      location.assign("/login?next=" + encodeURIComponent("/settings#passkeys-title"));
      return true;
    }
    if (result.status === 403) {
      /* Signed in more than 15 minutes ago: confirm the passphrase, then come back. */
      location.assign("/reauth?next=" + encodeURIComponent("/settings#passkeys-title"));
      return true;
    }
    return false;
  }

  var add = document.getElementById("passkey-add");
  if (add) {
    var addBox = document.getElementById("passkey-add-box");
    var unsupported = document.getElementById("passkey-add-unsupported");
    var addStatus = document.getElementById("passkey-add-status");
    var nameField = document.getElementById("f-passkey-name");
    if (addBox) addBox.hidden = false;
    if (unsupported) unsupported.hidden = true;
    add.addEventListener("click", function () {
      busy(add, addStatus, true, "Follow the steps your phone shows…");
      post("/api/passkeys/register/options").then(function (result) {
        if (leaving(result)) return null;
        if (result.status !== 200) throw new Error(detail(result, "Please try again."));
        return navigator.credentials.create({ publicKey: creationOptions(result.data) })
          .catch(function (error) { throw new Error(browserProblem(error)); })
          .then(function (cred) {
            var name = nameField && nameField.value.trim() ? nameField.value.trim() : null;
            return post("/api/passkeys/register", { credential: credentialJSON(cred), name: name });
          }).then(function (saved) {
            if (leaving(saved)) return;
            if (saved.status !== 201) throw new Error(detail(saved, "The passkey wasn't added."));
            location.assign("/settings?passkey=added#passkeys-title");
          });
      }).catch(function (error) {
        busy(add, addStatus, false, error.message);
      });
    });
  }
})();
