/* Live Messages: one WebSocket (/ws/messages, signed in by the session cookie) keeps the open conversation
 * and the inbox up to date. The pages work without this file (every action is a form); with it:
 *  - new messages, edits, unsends and reactions appear in place (the server renders each as the
 *    _message.html partial, fetched by ID, so markup and permissions stay on the server),
 *  - "Seen by" and "… is typing" update live, and typing is signalled (at most every 2 s),
 *  - the composer sends without a page load,
 *  - every change comes numbered (seq, the person's change sequence); after a dropped connection it
 *    reconnects with ?since=<last number seen> and the server replays what it missed (new messages, edits,
 *    unsends, reactions, receipts) exactly once; partials are keyed by message ID, so nothing shows twice.
 *    When the server no longer keeps everything since that number ("resync"), the page reloads.
 * No inline scripts: the Content-Security-Policy allows only script-src 'self'.
 */
(function () {
  "use strict";

  var list = document.getElementById("dm-messages");
  var inbox = document.querySelector("[data-dm-inbox]");
  if (!list && !inbox) return;

  var conversationId = list ? list.getAttribute("data-conversation") : null;
  var me = list ? list.getAttribute("data-me") : null;
  var lastSeen = list ? list.getAttribute("data-last-id") || "0" : "0";
  var since = (list || inbox).getAttribute("data-since") || "";
  var typingTimer = null;
  var backoff = 500;

  function bigger(a, b) {
    // IDs are 64-bit: compare as decimal strings (no JS number precision loss).
    if (a.length !== b.length) return a.length > b.length ? a : b;
    return a > b ? a : b;
  }

  function fetchHtml(url) {
    return fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } }).then(function (r) {
      return r.ok ? r.text() : "";
    });
  }

  function insertHtml(html) {
    var holder = document.createElement("ol");
    holder.innerHTML = html;
    Array.prototype.slice.call(holder.children).forEach(function (item) {
      var existing = document.getElementById(item.id);
      if (existing) existing.replaceWith(item);
      else list.appendChild(item);
      if (window.htmx) window.htmx.process(item);
      lastSeen = bigger(lastSeen, item.getAttribute("data-id") || "0");
    });
    list.setAttribute("data-last-id", lastSeen);
  }

  function fetchNew() {
    return fetchHtml("/messages/" + conversationId + "/after/" + lastSeen).then(function (html) {
      if (html.trim()) {
        insertHtml(html);
        markRead();
      }
    });
  }

  function refreshMessage(id) {
    if (!document.getElementById("m" + id)) return;
    fetchHtml("/messages/m/" + id).then(function (html) {
      if (html.trim()) insertHtml(html);
      else document.getElementById("m" + id).remove();
    });
  }

  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function markRead() {
    if (document.hidden) return;
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrf());
    body.append("message_id", lastSeen);
    fetch("/messages/" + conversationId + "/read", {
      method: "POST", body: body, credentials: "same-origin", headers: { "HX-Request": "true" }
    });
  }

  function refreshInbox() {
    var params = "?folder=" + encodeURIComponent(inbox.getAttribute("data-dm-inbox"));
    if (inbox.getAttribute("data-unread")) params += "&unread=1";
    fetchHtml("/messages" + params).then(function (html) {
      if (html) inbox.innerHTML = html;
    });
  }

  function showTyping(frame) {
    var el = document.getElementById("dm-typing");
    if (!el || frame.conversation_id !== conversationId) return;
    el.textContent = "Typing…";
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { el.textContent = ""; }, 4000);
  }

  function handle(frame) {
    if (frame.type === "resync") {
      location.reload();
      return;
    }
    if (typeof frame.seq === "number") since = String(frame.seq);
    if (inbox && (frame.type === "message.new" || frame.type === "conversation.changed" || frame.type === "read")) {
      refreshInbox();
      return;
    }
    if (!list) return;
    var message = frame.message;
    if (frame.type === "message.new" && message && message.conversation_id === conversationId) {
      var typing = document.getElementById("dm-typing");
      if (typing) typing.textContent = "";
      fetchNew();
    } else if (frame.type === "message.updated" && message && message.conversation_id === conversationId) {
      refreshMessage(message.id);
    } else if (frame.type === "read" && frame.conversation_id === conversationId) {
      var seen = document.getElementById("dm-seen");
      if (seen && frame.account_id !== me && bigger(frame.message_id, lastSeen) === frame.message_id) {
        seen.textContent = "Seen";
      }
    } else if (frame.type === "typing") {
      showTyping(frame);
    } else if (frame.type === "caught_up" && conversationId) {
      fetchNew();
    }
  }

  var socket = null;
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/messages" + (since ? "?since=" + since : ""));
    socket.onopen = function () { backoff = 500; document.documentElement.setAttribute("data-dm-live", "1"); };
    var pinger = setInterval(function () {
      if (socket.readyState === 1) socket.send(JSON.stringify({ type: "ping" }));
    }, 60000);
    socket.onmessage = function (event) {
      try { handle(JSON.parse(event.data)); } catch (e) { /* a frame we do not understand */ }
    };
    socket.onclose = function () {
      clearInterval(pinger);
      document.documentElement.removeAttribute("data-dm-live");
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 15000);
    };
  }
  connect();

  var composer = document.getElementById("dm-composer");
  if (composer) {
    var textarea = composer.querySelector("textarea");
    var lastTyping = 0;
    textarea.addEventListener("input", function () {
      var now = Date.now();
      if (socket && socket.readyState === 1 && now - lastTyping > 2000) {
        lastTyping = now;
        socket.send(JSON.stringify({ type: "typing", conversation_id: conversationId }));
      }
    });
    textarea.addEventListener("keydown", function (event) {
      // Enter sends, Shift+Enter makes a new line.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        composer.requestSubmit();
      }
    });
    composer.addEventListener("submit", function (event) {
      event.preventDefault();
      post(new FormData(composer), 0);
    });
  }

  function post(body, attempt) {
    // A 503 means the server was too busy and saved nothing: send again after Retry-After (a few times).
    fetch(composer.action, {
      method: "POST", body: body, credentials: "same-origin", headers: { "HX-Request": "true" }
    }).then(function (response) {
      if (response.status === 503 && attempt < 3) {
        var wait = parseInt(response.headers.get("Retry-After") || "1", 10) || 1;
        setTimeout(function () { post(body, attempt + 1); }, wait * 1000);
        return;
      }
      if (response.status === 204) {
        composer.reset();
        var error = document.getElementById("dm-error");
        if (error) error.textContent = "";
        fetchNew();
      } else {
        response.text().then(function (html) {
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var error = document.getElementById("dm-error");
          if (error) error.textContent = holder.textContent.trim() || "The message could not be sent.";
        });
      }
    });
  }
})();
