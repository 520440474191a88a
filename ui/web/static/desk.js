// The desk's keys: "/" focuses the look-up, 1-9 press a reason, F2 reprints, Esc signs out.
// Typing in a field (the scanner's wedge types into the look-up) is left alone: there only the
// function keys and Esc act.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT");
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var functionKey = /^F\d+$/.test(event.key);
    if (typing && event.key !== "Escape" && !functionKey) { return; }
    if (event.key === "/") {
      var lookup = document.getElementById("lookup");
      if (lookup) { event.preventDefault(); lookup.focus(); }
      return;
    }
    var button = document.querySelector('[data-key="' + event.key.toLowerCase() + '"]') ||
      (event.key === "Escape" ? document.querySelector('[data-key="Escape"]') : null);
    if (button) { event.preventDefault(); button.click(); }
  });
  // after a look-up the reasons are one key away: leave the field so that digits press them
  var found = document.getElementById("found");
  if (found) {
    var first = found.querySelector(".reason-button");
    if (first) { first.focus(); }
  }
})();
// A slip asked of a kiosk: follow the request until the kiosk says printed or failed.
(function () {
  "use strict";
  var words = { waiting: "chờ kiosk in", printing: "đang in", printed: "đã in", failed: "không in được" };
  function follow(item) {
    var id = item.getAttribute("data-print-request");
    if (!id) { return; }
    var timer = setInterval(function () {
      fetch("/desk/print/" + id, { credentials: "same-origin" })
        .then(function (reply) { return reply.ok ? reply.json() : null; })
        .then(function (state) {
          if (!state) { clearInterval(timer); return; }
          item.setAttribute("data-state", state.state);
          var shown = item.querySelector(".state");
          if (shown) { shown.textContent = words[state.state] || state.state; }
          if (state.state === "printed" || state.state === "failed") { clearInterval(timer); }
        })
        .catch(function () { clearInterval(timer); });
    }, 2000);
  }
  var items = document.querySelectorAll('[data-print-request][data-state="waiting"], [data-print-request][data-state="printing"]');
  for (var i = 0; i < items.length; i += 1) { follow(items[i]); }
})();
