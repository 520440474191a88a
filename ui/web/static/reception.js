// The desk's "Chờ tiếp đón": the list asked for every few seconds (GET /desk/reception), a
// reception ticket scanned into the look-up opens its entry instead of a card look-up, and
// "Đã tiếp" (F4 on the opened entry) marks it answered. Nothing here renews the session.
"use strict";
(function () {
  const section = document.getElementById("reception");
  if (!section) return;
  const list = document.getElementById("waiting-list");
  const empty = document.getElementById("waiting-empty");
  const offline = document.getElementById("waiting-offline");
  const count = document.getElementById("waiting-count");
  const found = document.getElementById("waiting-found");
  const csrf = section.dataset.csrf;
  const pollMs = (Number(section.dataset.poll) || 2) * 1000;
  const TICKET = /^RT-\d{8}-\d{1,6}$/;
  let selected = null;  // the opened entry's code
  let shown = null;  // the entries drawn last (redrawn only on a change: focus stays put)

  function text(tag, cls, value) {
    const el = document.createElement(tag);
    if (cls) el.className = cls;
    el.textContent = value;
    return el;
  }

  function say(vi, en) {
    found.hidden = false;
    found.replaceChildren(text("span", "", vi + " "), text("span", "en", en || ""));
  }

  function render(entries) {
    const drawn = JSON.stringify(entries);
    if (drawn === shown) return;
    shown = drawn;
    list.replaceChildren(...entries.map((e) => {
      const li = document.createElement("li");
      li.className = "entry";
      li.dataset.entry = String(e.id);
      li.dataset.code = e.code;
      li.dataset.ticket = e.ticket === null ? "" : String(e.ticket);
      li.append(
        text("span", "ticket", e.ticket === null ? "–" : String(e.ticket)),
        text("span", "reason", e.reason),
        text("span", "meta", [e.kiosk, e.time, e.waited_min + " phút", e.hint].filter(Boolean).join(" · ")),
      );
      const button = text("button", "answer", "Đã tiếp");
      button.type = "button";
      button.dataset.answer = String(e.id);
      button.addEventListener("click", () => answer(e.id));
      li.append(button);
      if (e.code === selected) select(li);
      return li;
    }));
    empty.hidden = entries.length > 0;
    count.textContent = entries.length ? "(" + entries.length + ")" : "";
  }

  function select(li) {
    for (const other of list.querySelectorAll(".entry")) {
      other.classList.remove("selected");
      other.removeAttribute("aria-current");
      const b = other.querySelector(".answer");
      if (b) { b.removeAttribute("data-key"); b.querySelector("kbd")?.remove(); }
    }
    li.classList.add("selected");
    li.setAttribute("aria-current", "true");
    const answer = li.querySelector(".answer");
    answer.dataset.key = "f4";  // desk.js presses it on F4 (only the opened entry's)
    answer.append(" ", text("kbd", "", "F4"));
    selected = li.dataset.code;
  }

  async function poll() {
    try {
      const reply = await fetch("/desk/reception", { headers: { accept: "application/json" }, cache: "no-store" });
      if (reply.status === 401) { location.reload(); return; }  // signed out: the sign-in page
      if (!reply.ok) throw new Error(String(reply.status));
      render((await reply.json()).entries);
      offline.hidden = true;
      document.body.dataset.reception = "live";  // for scripts and tests: the list is current
    } catch (error) {
      offline.hidden = false;
    }
  }

  async function answer(id) {
    const body = new FormData();
    body.append("csrf", csrf);
    body.append("id", String(id));
    const reply = await fetch("/desk/reception/answer", { method: "POST", body, headers: { accept: "application/json" } });
    if (reply.ok) {
      const li = list.querySelector(`[data-entry="${id}"]`);
      if (li && li.dataset.code === selected) { selected = null; found.hidden = true; }
      if (li) li.remove();
    }
    poll();
  }

  async function open(code) {
    const li = list.querySelector(`[data-code="${CSS.escape(code)}"]`);
    if (li) {
      select(li);
      li.scrollIntoView({ block: "nearest" });
      say("Phiếu " + li.dataset.ticket + ": " + li.querySelector(".reason").textContent, "");
      li.querySelector(".answer").focus();
      return;
    }
    const reply = await fetch("/desk/reception/ticket?code=" + encodeURIComponent(code), { headers: { accept: "application/json" } });
    const data = await reply.json();
    if (data.entry && data.entry.answered_by) {
      say("Phiếu " + data.entry.ticket + " đã tiếp lúc " + data.entry.answered_at + " – " + data.entry.answered_by + ".", "Already answered.");
    } else if (data.entry) {
      await poll();
      const again = list.querySelector(`[data-code="${CSS.escape(code)}"]`);
      if (again) { select(again); again.querySelector(".answer").focus(); }
    } else {
      const [vi, en] = data.message || data.error || ["Không tìm thấy.", "Not found."];
      say(vi, en);
    }
  }

  // A reception ticket scanned into the look-up: its entry, not a card look-up. The scanner
  // types "RT-20261125-7" and Enter; with any input method those letters arrive unchanged.
  const form = document.getElementById("lookup-form");
  const field = document.getElementById("lookup");
  if (form && field) {
    form.addEventListener("submit", (event) => {
      const code = field.value.trim().toUpperCase();
      if (!TICKET.test(code)) return;
      event.preventDefault();
      field.value = "";
      open(code);
    });
  }
  poll();
  setInterval(poll, pollMs);
})();
