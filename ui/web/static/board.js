// The waiting-room board: live by Server-Sent Events, reconnecting by itself; "mất kết nối"
// after 10 s without word from the server; each call said (twice) from the server's WAV.
"use strict";
(function () {
  const rooms = document.getElementById("rooms");
  const roomList = rooms.dataset.rooms;
  const offline = document.getElementById("offline");
  const soundButton = document.getElementById("sound");
  const LOST_MS = 10000;
  let lastHeard = Date.now();
  let shown = JSON.parse(document.getElementById("state").textContent);
  let source = null;
  const queue = [];
  let playing = false;
  const player = new Audio();

  function heard() {
    lastHeard = Date.now();
    offline.hidden = true;
    document.body.dataset.stream = "open";  // for scripts and tests: the board is live
  }

  function text(tag, cls, value) {
    const el = document.createElement(tag);
    if (cls) el.className = cls;
    el.textContent = value;
    return el;
  }

  function render(state) {
    const before = {};
    for (const r of shown.rooms) before[r.room] = r.call;
    for (const r of state.rooms) {
      const block = rooms.querySelector(`[data-block="${CSS.escape(r.room)}"]`);
      if (!block) continue;
      const called = block.querySelector(".called");
      called.dataset.called = r.called || "";
      called.replaceChildren(text("span", "num", r.called || "–"), text("span", "mark", r.priority || ""));
      block.querySelector(".name").textContent = r.name || "";
      const next = block.querySelector(".next");
      next.replaceChildren(...r.next.map((n) => {
        const li = text("li", "", n.label);
        if (n.priority) li.append(text("span", "mark", n.priority));
        if (n.name) li.append(" ", text("span", "initials", n.name));
        return li;
      }));
      if (r.call && r.call !== before[r.room]) {
        called.classList.remove("fresh");
        void called.offsetWidth;  // restart the flash
        called.classList.add("fresh");
        say(r.called, r.room);
      }
    }
    shown = state;
  }

  function say(label, room) {
    queue.push(`/voice/call.wav?label=${encodeURIComponent(label)}&room=${encodeURIComponent(room)}`);
    if (!playing) playNext();
  }

  function playNext() {
    const url = queue.shift();
    if (!url) { playing = false; return; }
    playing = true;
    player.src = url;
    player.play().catch(() => {
      // the browser wants a tap before it plays sound (docs/operations.md)
      queue.unshift(url);
      playing = false;
      soundButton.hidden = false;
    });
  }
  player.addEventListener("ended", playNext);
  player.addEventListener("error", playNext);
  soundButton.addEventListener("click", () => {
    soundButton.hidden = true;
    playNext();
  });

  function connect() {
    source = new EventSource(`/events?rooms=${encodeURIComponent(roomList)}`);
    source.addEventListener("board", (e) => { heard(); render(JSON.parse(e.data)); });
    source.addEventListener("tick", heard);
    source.addEventListener("error", () => {
      // the browser retries by itself, but not after an error status (a proxy's 502)
      if (source.readyState === EventSource.CLOSED) {
        source = null;
        setTimeout(connect, 2000);
      }
    });
  }

  setInterval(() => {
    if (Date.now() - lastHeard > LOST_MS) {
      offline.hidden = false;
      document.body.dataset.stream = "lost";
    }
    const now = new Date();
    document.getElementById("clock").textContent =
      now.toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit" });
  }, 1000);
  connect();
})();
