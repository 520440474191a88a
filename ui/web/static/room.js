// The room page follows the queue: when the board's events say the room's clinic changed,
// the page reloads (unless a button is being pressed).
"use strict";
(function () {
  const page = document.querySelector(".room-page");
  if (!page) return;
  let first = true;
  let busy = false;
  document.addEventListener("submit", () => { busy = true; });
  const source = new EventSource(`/events?rooms=${encodeURIComponent(page.dataset.room)}`);
  source.addEventListener("board", () => {
    if (first) { first = false; return; }
    if (!busy) location.reload();
  });
})();
