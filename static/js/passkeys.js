// Passkeys (WebAuthn): adding one on the two-step page, using one at the second step of signing in.
// Loaded only on those two pages. Every sentence shown comes from the page's data-msg-* attributes (in the
// reader's language); the server's refusals come as {"error": ...}, already translated. Where the browser can't
// make or use passkeys, the passkey controls stay hidden and the page's sentence about it stays shown.
(function () {
  "use strict";

  if (!window.PublicKeyCredential || !navigator.credentials) {
    return;
  }

  function toBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((base64url.length + 3) % 4);
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withBytes(descriptors) {
    return (descriptors || []).map(function (descriptor) {
      var copy = Object.assign({}, descriptor);
      copy.id = toBytes(descriptor.id);
      return copy;
    });
  }

  // POST JSON with the CSRF token; resolves with the JSON answer, rejects with the server's sentence (if any).
  function post(box, url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", redirect: "manual",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": box.dataset.csrf},
      body: JSON.stringify(body || {})
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        throw new Error("not JSON");  // an error page (a lapsed page, a limit): the generic sentence
      }
      return response.json().then(function (answer) {
        if (!response.ok) {
          var refusal = new Error("refused");
          refusal.serverMessage = answer && typeof answer.error === "string" ? answer.error : "";
          throw refusal;
        }
        return answer;
      });
    });
  }

  function setUp(box, start) {
    var status = box.querySelector("[data-passkey-status]");
    var busy = false;
    var fallback = box.parentNode.querySelector("[data-passkey-fallback]");
    if (fallback) {
      fallback.hidden = true;
    }
    box.hidden = false;

    function say(message) {
      status.textContent = message;
    }

    function failed(error) {
      busy = false;
      // Never the browser's own error text: it is in English, whatever the page's language.
      if (error && error.serverMessage) {
        say(error.serverMessage);
      } else if (error && (error.name === "NotAllowedError" || error.name === "AbortError")) {
        say(box.dataset.msgCancelled);
      } else if (error && error.name === "InvalidStateError" && box.dataset.msgAlready) {
        say(box.dataset.msgAlready);
      } else {
        say(box.dataset.msgFailed);
      }
    }

    return function (event) {
      if (event) {
        event.preventDefault();
      }
      if (busy) {
        return;
      }
      busy = true;
      say(box.dataset.msgWorking);
      start(box).then(function (answer) {
        window.location.assign(answer.redirect);
      }, failed);
    };
  }

  function register(box) {
    var name = box.querySelector("input[name=name]").value.trim();
    return post(box, box.dataset.optionsUrl).then(function (options) {
      options.challenge = toBytes(options.challenge);
      options.user.id = toBytes(options.user.id);
      options.excludeCredentials = withBytes(options.excludeCredentials);
      return navigator.credentials.create({publicKey: options});
    }).then(function (credential) {
      var response = credential.response;
      return post(box, box.dataset.registerUrl, {
        name: name,
        credential: {
          id: credential.id, rawId: toBase64url(credential.rawId), type: credential.type,
          authenticatorAttachment: credential.authenticatorAttachment || undefined,
          response: {
            clientDataJSON: toBase64url(response.clientDataJSON),
            attestationObject: toBase64url(response.attestationObject),
            transports: response.getTransports ? response.getTransports() : []
          }
        }
      });
    });
  }

  function signIn(box) {
    return post(box, box.dataset.optionsUrl).then(function (options) {
      options.challenge = toBytes(options.challenge);
      options.allowCredentials = withBytes(options.allowCredentials);
      return navigator.credentials.get({publicKey: options});
    }).then(function (credential) {
      var response = credential.response;
      return post(box, box.dataset.verifyUrl, {
        credential: {
          id: credential.id, rawId: toBase64url(credential.rawId), type: credential.type,
          authenticatorAttachment: credential.authenticatorAttachment || undefined,
          response: {
            clientDataJSON: toBase64url(response.clientDataJSON),
            authenticatorData: toBase64url(response.authenticatorData),
            signature: toBase64url(response.signature),
            userHandle: response.userHandle ? toBase64url(response.userHandle) : null
          }
        }
      });
    });
  }

  var registering = document.querySelector("[data-passkey-register]");
  if (registering) {
    registering.addEventListener("submit", setUp(registering, register));
  }
  var signingIn = document.querySelector("[data-passkey-sign-in]");
  if (signingIn) {
    signingIn.querySelector("[data-passkey-start]").addEventListener("click", setUp(signingIn, signIn));
  }
})();
