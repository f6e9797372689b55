/* Spool's small progressive enhancements. Every page works without this file; it only makes things nicer:
 *  - spoilers reveal on click (without JS, focusing them reveals them through CSS),
 *  - a live character count in the composer (the server stays authoritative),
 *  - "Hide selection as spoiler" wraps the selected text in ||…||, the syntax the server understands,
 *  - one alt-text field per chosen image, with a preview.
 * No inline scripts anywhere: the Content-Security-Policy allows only script-src 'self'.
 */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  /* --- Spoilers ------------------------------------------------------------------------------------- */
  function prepareSpoilers(root) {
    root.querySelectorAll(".spoiler:not([data-ready])").forEach(function (el) {
      el.setAttribute("data-ready", "");
      if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "0");
      el.setAttribute("role", "button");
      el.setAttribute("aria-label", "Spoiler, activate to reveal");
      el.setAttribute("aria-expanded", "false");
    });
  }

  function reveal(el) {
    el.classList.add("revealed");
    el.removeAttribute("role");
    el.removeAttribute("aria-label");
    el.setAttribute("aria-expanded", "true");
  }

  document.addEventListener("click", function (event) {
    var spoiler = event.target.closest && event.target.closest(".spoiler:not(.revealed)");
    if (spoiler) {
      event.preventDefault();
      reveal(spoiler);
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" && event.key !== " ") return;
    var el = document.activeElement;
    if (el && el.classList && el.classList.contains("spoiler") && !el.classList.contains("revealed")) {
      event.preventDefault();
      reveal(el);
    }
  });

  /* --- Character count (mirrors spool.core.text.post_length) ----------------------------------------- */
  var EMOJI_PART = /[\p{Extended_Pictographic}\p{Emoji_Component}\u200d\ufe0f\u20e3]/u;

  function utf8Length(codePoint) {
    if (codePoint < 0x80) return 1;
    if (codePoint < 0x800) return 2;
    if (codePoint < 0x10000) return 3;
    return 4;
  }

  function postLength(text) {
    var total = 0;
    for (var ch of text.replace(/\|\|/g, "")) {
      var cp = ch.codePointAt(0);
      total += cp > 0x7f && EMOJI_PART.test(ch) ? utf8Length(cp) : 1;
    }
    return total;
  }

  function updateCount(textarea) {
    var out = document.getElementById(textarea.getAttribute("data-count-output") || textarea.id + "_count");
    if (!out) return;
    var limit = parseInt(textarea.getAttribute("data-count-limit"), 10);
    var used = postLength(textarea.value);
    out.textContent = used + " / " + limit;
    out.classList.toggle("over", used > limit);
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-count-limit]")) updateCount(event.target);
  });

  /* --- Spoiler marking ------------------------------------------------------------------------------ */
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-mark-spoiler]");
    if (!button) return;
    event.preventDefault();
    var textarea = document.getElementById(button.getAttribute("data-mark-spoiler"));
    if (!textarea) return;
    var start = textarea.selectionStart, end = textarea.selectionEnd;
    if (start === end) {
      textarea.focus();
      return;
    }
    var value = textarea.value;
    textarea.value = value.slice(0, start) + "||" + value.slice(start, end) + "||" + value.slice(end);
    textarea.setSelectionRange(end + 4, end + 4);
    textarea.focus();
    updateCount(textarea);
  });

  /* --- One alt-text field per chosen image ------------------------------------------------------------ */
  function renderAltFields(input) {
    var list = document.getElementById(input.getAttribute("data-alt-list"));
    if (!list) return;
    list.textContent = "";
    Array.prototype.forEach.call(input.files || [], function (file, index) {
      var item = document.createElement("div");
      item.className = "alt-item";
      var img = document.createElement("img");
      img.alt = "";
      var reader = new FileReader();
      reader.onload = function () { img.src = reader.result; };
      reader.readAsDataURL(file);
      var field = document.createElement("div");
      field.className = "field";
      var id = input.id + "-alt-" + index;
      var label = document.createElement("label");
      label.setAttribute("for", id);
      label.textContent = "Alt text for " + file.name;
      var text = document.createElement("input");
      text.type = "text";
      text.name = "alt_text";
      text.id = id;
      text.maxLength = 1000;
      field.appendChild(label);
      field.appendChild(text);
      item.appendChild(img);
      item.appendChild(field);
      list.appendChild(item);
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[type=file][data-alt-list]")) renderAltFields(event.target);
  });

  /* --- Refusals of htmx actions (a vote twice, a rate limit …) are shown, not swallowed --------------- */
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var text = "Something went wrong. Please try again.";
    if (xhr && xhr.responseText && xhr.status < 500) {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var found = doc.querySelector(".form-error, .private-note strong");
      if (found && found.textContent.trim()) text = found.textContent.trim();
    }
    var main = document.getElementById("main");
    if (!main) return;
    var box = main.querySelector(".flash");
    if (!box) {
      box = document.createElement("ul");
      box.className = "flash";
      box.setAttribute("role", "status");
      main.insertBefore(box, main.firstChild);
    }
    var item = document.createElement("li");
    item.className = "flash-error";
    item.textContent = text;
    box.appendChild(item);
  });

  function init(root) {
    prepareSpoilers(root);
    root.querySelectorAll("textarea[data-count-limit]").forEach(updateCount);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target); });
  // htmx swaps the element itself for outerHTML swaps; its parent holds the new content.
  document.addEventListener("htmx:afterSettle", function (event) { init(event.target.parentNode || document); });
})();
