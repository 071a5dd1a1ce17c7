// Live turnout on a poll page: listens on /ws/threads/{thread}/ (the poll's thread or
// its proposal's) for poll.turnout_changed and poll.closed. Progressive enhancement:
// without JavaScript the page shows the turnout as of loading and the ballot works.
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

function connect(threadId) {
  let lastSeq = 0;
  let delay = 1000;
  const open = () => {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/threads/${threadId}/`);
    socket.addEventListener("open", () => {
      delay = 1000;
      if (lastSeq) socket.send(JSON.stringify({ type: "resume", after_seq: lastSeq }));
    });
    socket.addEventListener("message", (message) => {
      let event;
      try { event = JSON.parse(message.data); } catch { return; }
      if (typeof event.seq === "number") lastSeq = Math.max(lastSeq, event.seq);
      apply(event);
    });
    socket.addEventListener("close", (event) => {
      if (event.code >= 4400 && event.code < 4500) return;
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 30000);
    });
  };
  open();
}

if (box && box.dataset.thread) connect(Number(box.dataset.thread));
