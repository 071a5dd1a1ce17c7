// One thread's event stream over /ws/threads/{id}/ for the small live modules
// (proposals.js, polls.js): reconnects with backoff, resumes by `seq` so nothing is
// missed or repeated, and stops on a refusal (close codes 4401/4403/4404).
export function connectThread(threadId, onEvent) {
  let lastSeq = 0;
  let delay = 1000;
  const open = () => {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/threads/${threadId}/`);
    socket.addEventListener("open", () => {
      delay = 1000;
      if (lastSeq) socket.send(JSON.stringify({ type: "resume", after_seq: lastSeq }));
    });
    socket.addEventListener("message", (msg) => {
      let event;
      try { event = JSON.parse(msg.data); } catch { return; }
      if (typeof event.seq === "number") {
        if (event.seq <= lastSeq) return;
        lastSeq = event.seq;
      }
      onEvent(event);
    });
    socket.addEventListener("close", (event) => {
      if (event.code >= 4400 && event.code < 4500) return;
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 30000);
    });
  };
  open();
}
