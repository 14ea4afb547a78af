/* Progressive enhancement for the portal's forms; every page works without it.
 *
 * 1. Follow-up fields: an element with data-reveal-when="has_pets=yes" (written from the form's definitions by
 *    templates/macros/forms.html) is hidden, and so out of the tab order, while its form's answer `has_pets` is not
 *    one of the listed values ("yes", or "y" for a checked box). It stays shown when it holds an error to fix.
 * 2. Autosave: a form with data-autosave="<url>" posts its fields (CSRF token included) to that url a moment after
 *    typing stops, and with sendBeacon when the page is hidden or left. Its status element (role=status) says
 *    "Saved" or "Not saved" in the page's language, from its data-saved / data-failed attributes, or the server's
 *    own translated message when it refuses the draft (409 can't change now, 413 too much, 429 too often). The
 *    form's hidden section_marker goes with each draft: the server ignores a draft from before the last save.
 */
(function () {
  "use strict";

  var AUTOSAVE_DELAY_MS = 1000;
  var SUBMIT_WAIT_MS = 3000;
  var RETRY_AFTER_LIMIT_MS = 20000;

  function revealFollowUps(root) {
    root.querySelectorAll("[data-reveal-when]").forEach(function (follower) {
      var form = follower.closest("form");
      var rule = follower.getAttribute("data-reveal-when");
      var split = rule.indexOf("=");
      if (!form || split < 1) {
        return;
      }
      var name = rule.slice(0, split);
      var shownFor = rule.slice(split + 1).split("|");
      function answered() {
        return Array.prototype.some.call(form.elements, function (control) {
          if (control.name !== name) {
            return false;
          }
          if (control.type === "radio" || control.type === "checkbox") {
            return control.checked && shownFor.indexOf(control.value) !== -1;
          }
          return shownFor.indexOf(control.value) !== -1;
        });
      }
      function update() {
        follower.hidden = !answered() && !follower.querySelector(".is-invalid");
      }
      form.addEventListener("change", function (event) {
        if (event.target && event.target.name === name) {
          update();
        }
      });
      update();
    });
  }

  function autosave(form) {
    var url = form.getAttribute("data-autosave");
    var status = form.querySelector("[role=status][data-saved]");
    var timer = null;
    var inFlight = null;
    var dirty = false;
    var submitting = false;

    function say(saved, message) {
      if (!status) {
        return;
      }
      status.textContent = message || status.getAttribute(saved ? "data-saved" : "data-failed");
      status.classList.toggle("text-success", saved);
      status.classList.toggle("text-danger", !saved);
    }

    function refusal(response) {
      // The server's own words, in the page's language: the section can't change now (409), too much to keep
      // (413), too many saves in a short time (429). Anything else (a redirect to sign in, a proxy's page) is not.
      if ([409, 413, 429].indexOf(response.status) < 0 ||
          (response.headers.get("Content-Type") || "").indexOf("application/json") !== 0) {
        return Promise.resolve("");
      }
      return response.json().then(function (body) {
        return (body && typeof body.message === "string") ? body.message : "";
      }, function () {
        return "";
      });
    }

    function save() {
      timer = null;
      if (!dirty || submitting) {
        return;
      }
      if (inFlight) {  // one request at a time, in order: the next one starts when this one ends
        inFlight.then(schedule);
        return;
      }
      dirty = false;
      inFlight = fetch(url, {method: "POST", body: new FormData(form), credentials: "same-origin",
                             redirect: "manual", headers: {"Accept": "application/json"}})
        .then(function (response) {
          // 204 only: an ended session answers with a redirect to sign in, which is not a save.
          if (response.status === 204) {
            say(true);
            return;
          }
          // A section that can't change now stays so: no use sending again. Otherwise the next typing (or, after
          // too many saves, a moment later) sends again.
          dirty = response.status !== 409;
          if (response.status === 429) {
            window.setTimeout(schedule, RETRY_AFTER_LIMIT_MS);
          }
          return refusal(response).then(function (message) {
            say(false, message);
          });
        }, function () {
          dirty = true;
          say(false);
        })
        .then(function () {
          inFlight = null;
        });
    }

    function schedule() {
      if (submitting) {
        return;
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(save, AUTOSAVE_DELAY_MS);
    }

    function typed() {
      dirty = true;
      schedule();
    }

    function saveOnLeaving() {
      if (!dirty || submitting || !navigator.sendBeacon) {
        return;
      }
      window.clearTimeout(timer);
      if (navigator.sendBeacon(url, new FormData(form))) {
        dirty = false;
      }
    }

    form.addEventListener("input", typed);
    form.addEventListener("change", typed);
    form.addEventListener("submit", function (event) {
      // The form's own save wins: no draft may land after it. Wait for a draft already on its way, then send.
      submitting = true;
      window.clearTimeout(timer);
      if (inFlight) {
        event.preventDefault();
        var send = function () {
          HTMLFormElement.prototype.submit.call(form);
        };
        Promise.race([inFlight, new Promise(function (done) { window.setTimeout(done, SUBMIT_WAIT_MS); })])
          .then(send, send);
      }
    });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) {  // back from the browser's cache: the page is live again
        submitting = false;
      }
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        saveOnLeaving();
      }
    });
    window.addEventListener("pagehide", saveOnLeaving);
    window.addEventListener("online", function () {
      if (dirty) {
        schedule();
      }
    });
  }

  function start() {
    revealFollowUps(document);
    document.querySelectorAll("form[data-autosave]").forEach(autosave);
    // 3. A "Print" button (recovery codes): hidden without scripts, where the browser's own Print is there.
    document.querySelectorAll("button[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    // 4. A form sent once (a sign-in code works once: a double tap must not send it twice).
    document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.getAttribute("data-sent")) { event.preventDefault(); return; }
        form.setAttribute("data-sent", "1");
      });
    });
    // 5. Menu groups (<details class="nav-group">): one open at a time; a click elsewhere or Escape closes them.
    var groups = document.querySelectorAll("details.nav-group");
    groups.forEach(function (group) {
      group.addEventListener("toggle", function () {
        if (!group.open) { return; }
        groups.forEach(function (other) { if (other !== group) { other.open = false; } });
      });
    });
    document.addEventListener("click", function (event) {
      groups.forEach(function (group) { if (!group.contains(event.target)) { group.open = false; } });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      groups.forEach(function (group) {
        if (group.open) { group.open = false; group.querySelector("summary").focus(); }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
