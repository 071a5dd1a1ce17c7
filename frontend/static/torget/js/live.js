// The live thread: connects to /ws/threads/{id}/, inserts new comments, updates
// edits, hidden/deleted comments, reaction counts, presence and a proposal's support
// figures; after a dropped connection it reconnects with backoff and sends
// {"type": "resume", "after_seq": N} so it receives exactly what it missed.
// Progressive enhancement only: without JavaScript the thread reads and posts.
// Comments are inserted as server-rendered, sanitised HTML fragments (the same
// template as the page), never built from raw text. See docs/realtime.md.

const FRAGMENT = (threadId, commentId) => `/threads/${threadId}/comments/${commentId}/fragment/`;
const SESSIONS = (threadId) => `/threads/${Number(threadId)}/sessions/fragment/`;

function parseHTML(html) {
  const template = document.createElement("template");
  template.innerHTML = html; // server-rendered by Django, text escaped, Markdown sanitised
  return template.content;
}

class LiveThread {
  constructor(root) {
    this.root = root;
    this.threadId = root.dataset.threadId;
    this.lastSeq = Number(root.dataset.lastSeq || 0);
    this.isLastPage = root.dataset.pageLast === "1";
    this.conversation = root.dataset.view !== "arguments";
    this.delay = 1000;
    this.stopped = false;
    this.queue = Promise.resolve(); // apply events strictly in order
    this.connect();
    // Reactions without a page reload: the same form, sent with fetch; the new counts
    // arrive over the socket (reaction.changed) like everyone else's.
    root.addEventListener("submit", (ev) => {
      const form = ev.target;
      if (!(form instanceof HTMLFormElement) || !form.classList.contains("reactions")) return;
      const button = ev.submitter;
      if (!button || !this.socket || this.socket.readyState !== WebSocket.OPEN) return;
      ev.preventDefault();
      const body = new FormData(form);
      body.set("kind", button.value);
      fetch(form.action, { method: "POST", body, credentials: "same-origin", redirect: "manual" })
        .then(() => {
          const mine = button.getAttribute("aria-pressed") !== "true";
          button.setAttribute("aria-pressed", String(mine));
          button.classList.toggle("is-mine", mine);
        })
        .catch(() => form.submit());
    });
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && (!this.socket || this.socket.readyState > 1)) this.reconnectNow();
    });
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/threads/${this.threadId}/`);
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.delay = 1000;
      this.root.dataset.live = "connected";
      socket.send(JSON.stringify({ type: "resume", after_seq: this.lastSeq }));
      // keep idle connections open through proxies (nginx closes them after 60 s)
      clearInterval(this.pinger);
      this.pinger = setInterval(() => {
        if (socket.readyState === WebSocket.OPEN) socket.send('{"type":"ping"}');
      }, 25000);
    });
    socket.addEventListener("message", (msg) => {
      let event;
      try {
        event = JSON.parse(msg.data);
      } catch {
        return;
      }
      if (typeof event.seq === "number") {
        if (event.seq <= this.lastSeq) return; // already applied
        this.lastSeq = event.seq;
      }
      this.queue = this.queue.then(() => this.apply(event)).catch(() => {});
    });
    socket.addEventListener("close", (ev) => {
      clearInterval(this.pinger);
      this.root.dataset.live = "disconnected";
      if (this.stopped || [4401, 4403, 4404].includes(ev.code)) return;
      const wait = this.delay + Math.random() * 500;
      this.delay = Math.min(this.delay * 2, 30000);
      this.timer = setTimeout(() => this.connect(), wait);
    });
  }

  reconnectNow() {
    clearTimeout(this.timer);
    this.delay = 1000;
    this.connect();
  }

  announce(text) {
    const status = this.root.querySelector("[data-live-status]");
    if (status) status.textContent = text;
  }

  async fragment(commentId) {
    // `next`: the page the thread is embedded in, so the comment's edit link returns there
    const next = this.root.dataset.next ? `?next=${encodeURIComponent(this.root.dataset.next)}` : "";
    const resp = await fetch(FRAGMENT(this.threadId, commentId) + next, {
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    });
    if (!resp.ok) return null;
    return parseHTML(await resp.text());
  }

  async apply(event) {
    const data = event.data || {};
    switch (event.type) {
      case "comment.created":
        this.setCount(data.comment_count);
        return this.insert(data);
      case "comment.edited":
      case "comment.hidden":
      case "comment.restored":
      case "comment.deleted":
        return this.replace(data, data.id || event.id);
      case "reaction.changed":
        for (const el of this.root.querySelectorAll(`[data-reaction-count^="${Number(event.id)}:"]`)) {
          const kind = el.dataset.reactionCount.split(":")[1];
          el.textContent = String((data.reactions || {})[kind] || 0);
        }
        return;
      case "presence.changed": {
        const box = this.root.querySelector("[data-presence]");
        const count = this.root.querySelector("[data-presence-count]");
        if (box && count && typeof data.count === "number") {
          count.textContent = String(data.count);
          box.hidden = false;
        }
        return;
      }
      case "session.scheduled":
      case "session.started":
      case "session.closed":
        return this.refreshSessions();
      case "proposal.support_changed":
      case "proposal.state_changed":
        for (const el of document.querySelectorAll("[data-support-count]")) {
          if (data.support_count !== undefined) el.textContent = String(data.support_count);
        }
        for (const el of document.querySelectorAll("[data-support-needed]")) {
          if (data.support_needed !== undefined) el.textContent = String(data.support_needed);
        }
        return;
      default:
        return;
    }
  }

  // "N comments" wherever the page shows this thread's count (the thread head, a
  // proposal's side box), in the page's language (labels rendered by the server).
  setCount(count) {
    if (typeof count !== "number") return;
    for (const el of document.querySelectorAll(`[data-comment-count="${Number(this.threadId)}"]`)) {
      const label = count === 1 ? el.dataset.countOne : el.dataset.countOther;
      if (label) el.textContent = label.replace("__N__", String(count));
    }
  }

  // A session was scheduled, started or closed: swap in the server-rendered sessions
  // block (banner, agenda, minutes) for this viewer. If that fails, say "reload".
  async refreshSessions() {
    const current = this.root.querySelector("[data-thread-sessions]");
    let fresh = null;
    try {
      const resp = await fetch(SESSIONS(this.threadId), {
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
      });
      if (resp.ok) fresh = parseHTML(await resp.text()).querySelector("[data-thread-sessions]");
    } catch {
      fresh = null;
    }
    if (!current || !fresh) {
      const note = this.root.querySelector("[data-session-changed]");
      if (note) note.hidden = false;
      return;
    }
    current.replaceWith(fresh);
    const live = fresh.dataset.sessionLive === "1";
    this.root.classList.toggle("thread-live-session", live);
    this.announce(live ? this.root.dataset.msgSessionLive || "" : this.root.dataset.msgSessionChanged || "");
  }

  // Build a comment from the page's <template> (rendered by the server for this
  // viewer) and the event: the author's name goes in as text, the body is the
  // server-sanitised body_html. Viewers who may see more than the event carries
  // (the author, moderators) fetch the server-rendered fragment instead.
  privilegedFor(data) {
    const viewer = this.root.dataset.viewer;
    return this.root.dataset.privileged === "1" ||
      (viewer && data.author && String(data.author.id) === viewer);
  }

  build(data) {
    const template = this.root.querySelector("template[data-comment-template]");
    if (!template) return null;
    const id = String(Number(data.id));
    const content = parseHTML(template.innerHTML.replaceAll("__CID__", id));
    const article = content.querySelector("article");
    if (!article) return null;
    const stance = STANCES.includes(data.stance) ? data.stance : "neutral";
    article.classList.remove("comment-neutral");
    article.classList.add(`comment-${stance}`);
    const badge = article.querySelector("[data-stance-badge]");
    if (badge) {
      badge.className = `stance-badge stance-badge-${stance}`;
      badge.textContent = this.root.dataset[`label${stance[0].toUpperCase()}${stance.slice(1)}`] || stance;
    }
    const author = article.querySelector("[data-author]");
    if (author && data.author) {
      // as the server renders it (member_link): the name, as text, linking to the profile
      const name = data.author.name || data.author.username || "";
      const id = Number(data.author.id);
      if (Number.isSafeInteger(id) && id > 0) {
        const link = document.createElement("a");
        link.className = "member-link";
        link.href = `/members/${id}/`;
        link.textContent = name;
        author.replaceChildren(link);
      } else {
        author.textContent = name;
      }
    }
    const time = article.querySelector("time");
    if (time && data.created) {
      // the server's text: the site's time zone and format, as the page's own times
      time.dateTime = data.created;
      time.textContent = data.created_text || data.created;
    }
    if (data.edited && !data.deleted && time) {
      const link = document.createElement("a");
      link.className = "muted small";
      link.href = `/comments/${id}/history/`;
      link.textContent = this.root.dataset.labelEdited || "edited";
      time.parentElement.after(link);
    }
    const body = article.querySelector(".comment-body");
    if (data.deleted || data.hidden) {
      const note = document.createElement("p");
      note.className = "comment-placeholder muted";
      note.textContent = data.deleted
        ? this.root.dataset.labelDeleted
        : `${this.root.dataset.labelHidden} ${data.reason ? `${this.root.dataset.labelReason} ${data.reason}` : ""}`;
      if (body) body.replaceWith(note);
      article.classList.add(data.deleted ? "is-deleted" : "is-hidden");
      article.querySelector(".comment-actions")?.remove();
      article.querySelector(".reply")?.remove();
    } else if (body) {
      body.innerHTML = data.body_html || ""; // sanitised on the server (nh3)
    }
    for (const el of article.querySelectorAll("[data-reaction-count]")) {
      const kind = el.dataset.reactionCount.split(":")[1];
      el.textContent = String((data.reactions || {})[kind] || 0);
    }
    return article;
  }

  async render(data) {
    if (this.privilegedFor(data)) {
      const content = await this.fragment(data.id);
      return content ? content.querySelector("article") : null;
    }
    return this.build(data);
  }

  async insert(data) {
    if (!this.conversation || document.getElementById(`c-${data.id}`)) return;
    const parentList = data.parent
      ? this.root.querySelector(`[data-replies="${Number(data.parent)}"]`)
      : this.isLastPage
        ? this.root.querySelector("[data-comment-list]")
        : null;
    if (!parentList) {
      if (!data.parent) {
        const note = this.root.querySelector("[data-new-elsewhere]");
        if (note) note.hidden = false;
      }
      return;
    }
    const article = await this.render(data);
    if (!article || document.getElementById(`c-${data.id}`)) return;
    const item = document.createElement("li");
    item.className = "comment-item";
    item.dataset.commentItem = String(data.id);
    item.append(article);
    const replies = document.createElement("ol");
    replies.className = "comment-list replies";
    replies.dataset.replies = String(data.id);
    item.append(replies);
    const empty = parentList.querySelector(":scope > [data-empty]");
    if (empty) empty.remove();
    parentList.append(item);
    article.classList.add("is-new");
    const who = data.author && data.author.name ? data.author.name : "";
    this.announce(`${this.root.dataset.msgNew || "New comment"}: ${who}`);
  }

  async replace(data, commentId) {
    const current = document.getElementById(`c-${Number(commentId)}`);
    if (!current) return;
    const article = data && data.author ? await this.render(data) : null;
    const fresh = article || (await this.fragment(commentId))?.querySelector("article");
    if (fresh) current.replaceWith(fresh);
  }
}

const STANCES = ["for", "against", "question", "neutral"];

if ("WebSocket" in window) {
  for (const root of document.querySelectorAll("[data-thread-live]")) {
    if (!root.dataset.liveStarted) {
      root.dataset.liveStarted = "1";
      new LiveThread(root);
    }
  }
}
