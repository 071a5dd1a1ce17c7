// Live turnout on a poll page: listens on /ws/threads/{thread}/ (the poll's thread or
// its proposal's) for poll.turnout_changed and poll.closed. Progressive enhancement:
// without JavaScript the page shows the turnout as of loading and the ballot works.
import { connectThread } from "./thread_socket.js";
const box = document.querySelector("[data-poll-live]");

function apply(event) {
  const data = event.data || {};
  if (Number(data.poll) !== Number(box.dataset.pollLive)) return;
  if (event.type === "poll.turnout_changed") {
    for (const el of box.querySelectorAll("[data-participations]")) el.textContent = String(data.participations);
    for (const el of box.querySelectorAll("[data-eligible]")) el.textContent = String(data.eligible);
    const meter = box.querySelector("[data-turnout-meter]");
    if (meter) { meter.max = data.eligible || 1; meter.value = data.participations; }
  }
  if (event.type === "poll.closed") {
    const note = box.querySelector("[data-closed-note]");
    if (note) note.hidden = false;
  }
}

if (box && box.dataset.thread) connectThread(Number(box.dataset.thread), apply);
