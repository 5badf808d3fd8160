/* The page's glue around rasa-webchat: mounts the widget on #chat, renders the bot's `custom`
 * payloads (triage alerts), and adds the labels and keyboard handling the widget lacks. */
(function () {
  "use strict";
  var config = window.NECK_CONFIG || {};
  // Both come from the server's one definition (scripts/web_server.py serves config.js from core/triage.py).
  var number = config.emergencyNumber || "";
  var crisisLine = config.crisisLine || "call your local emergency number";
  var h = window.React.createElement;

  document.querySelectorAll(".emergency-number").forEach(function (el) { el.textContent = number ? " (" + number + ")" : ""; });

  function telLinks(numbers) {
    var parts = numbers.split("/").map(function (n) { return n.trim(); }).filter(Boolean);
    var out = [];
    parts.forEach(function (n, i) {
      if (i > 0) out.push(" / ");
      out.push(h("a", { key: n, href: "tel:" + n.replace(/[^0-9+]/g, ""), className: "triage-tel" }, n));
    });
    return out;
  }

  var TRIAGE = {
    emergency: {
      role: "alert",
      title: "Emergency",
      body: function () {
        return ["Call your local emergency number (", telLinks(number), ") now. Do not wait, and do not drive yourself."];
      },
    },
    urgent: { role: "status", title: "See a doctor today", body: function () {
      return ["Please see a doctor today (within 24 hours). If it gets worse quickly, call ", telLinks(number), "."];
    } },
    see_doctor: { role: "status", title: "Book an appointment", body: function () {
      return ["Please book an appointment with a doctor or physiotherapist."];
    } },
  };

  /* rasa-webchat calls this for every message that is not text, buttons, image or carousel: here the
   * `{"custom": {...}}` messages of connectors/webchat.py. Only triage levels are shown. */
  var CRISIS = {
    role: "alert",
    title: "You don't have to face this alone",
    body: function () {
      return ["If you are in danger now, call ", telLinks(number), ". Talk to someone any time: " + crisisLine + "."];
    },
  };

  function CustomPayload(props) {
    var custom = props && props.custom;
    if (custom && custom.crisis) {
      return h("div", { className: "triage triage-emergency triage-crisis", role: CRISIS.role, "data-triage": "crisis" },
        h("p", { className: "triage-title" }, CRISIS.title),
        h("p", { className: "triage-body" }, CRISIS.body()));
    }
    var level = custom && custom.triage;
    var spec = TRIAGE[level];
    if (!spec) return null;
    return h("div", { className: "triage triage-" + level, role: spec.role, "data-triage": level },
      h("p", { className: "triage-title" }, spec.title),
      h("p", { className: "triage-body" }, spec.body()));
  }

  window.WebChat.default({
    socketUrl: config.socketUrl,
    socketPath: "/socket.io/",
    embedded: true,
    initPayload: "/greet",
    title: "Neck spasm assistant",
    subtitle: "General information, not a diagnosis",
    inputTextFieldHint: "Ask about neck spasms or describe your symptoms",
    connectingText: "Connecting to the assistant…",
    hideWhenNotConnected: false,
    showCloseButton: false,
    params: { storage: "session" },
    customComponent: CustomPayload,
    customMessageDelay: function () { return 300; },
  }, document.getElementById("chat"));

  /* Accessibility: the widget's input has only a placeholder, its send button has no name, its quick
   * replies are <div>s and the message list is not announced. Fix them as they appear. */
  function enhance(root) {
    root.querySelectorAll("textarea.rw-new-message:not([aria-label])").forEach(function (el) {
      el.setAttribute("aria-label", "Your message to the assistant");
    });
    root.querySelectorAll("button.rw-send:not([aria-label])").forEach(function (el) {
      el.setAttribute("aria-label", "Send");
    });
    root.querySelectorAll(".rw-messages-container:not([role])").forEach(function (el) {
      el.setAttribute("role", "log");
      el.setAttribute("aria-live", "polite");
      el.setAttribute("aria-label", "Conversation");
      el.setAttribute("tabindex", "0");
    });
    root.querySelectorAll("div.rw-reply:not([role])").forEach(function (el) {
      el.setAttribute("role", "button");
      el.setAttribute("tabindex", "0");
    });
  }
  document.addEventListener("keydown", function (event) {
    var el = event.target;
    if (el && el.classList && el.classList.contains("rw-reply") && el.tagName === "DIV" &&
        (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      el.click();
      var input = document.querySelector("textarea.rw-new-message");
      if (input) input.focus();
    }
  });
  var chat = document.getElementById("chat");
  new MutationObserver(function () { enhance(chat); }).observe(chat, { childList: true, subtree: true });
  enhance(chat);
})();
