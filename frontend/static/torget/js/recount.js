// Recount a closed poll's public bulletin in the browser (docs/voting.md, "Recount"):
// fetch the poll, the published result and every bulletin page; count yes/no/abstain
// per question and the Schulze method for rankings (the same rules and tie-break as
// voting/schulze.py), then compare with the published result. Read-only.
const box = document.querySelector("[data-recount]");

async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

async function bulletin(pollId) {
  const rows = [];
  let url = `/api/v1/polls/${pollId}/bulletin/?page_size=100`;
  while (url) {
    const page = await getJSON(url);
    rows.push(...page.results);
    url = page.next;
  }
  return rows;
}

function schulze(options, ballots, statusQuo) {
  // options: ids in ballot order; ballots: [{ranking: [...], weight}]
  const n = options.length;
  const index = new Map(options.map((o, i) => [o, i]));
  const d = Array.from({ length: n }, () => new Array(n).fill(0));
  for (const { ranking, weight } of ballots) {
    const place = new Array(n).fill(n);
    ranking.forEach((o, k) => { if (index.has(o)) place[index.get(o)] = k; });
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) if (place[a] < place[b]) d[a][b] += weight;
  }
  const p = d.map((row, a) => row.map((v, b) => (a !== b && v > d[b][a] ? v : 0)));
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j)
    for (let k = 0; k < n; k++) if (i !== k && j !== k) p[j][k] = Math.max(p[j][k], Math.min(p[j][i], p[i][k]));
  const left = new Set(options.map((_o, i) => i));
  const order = [];
  while (left.size) {
    const level = [...left].filter((a) => ![...left].some((b) => b !== a && p[b][a] > p[a][b]));
    const take = level.length ? level : [...left];
    take.sort((a, b) => (options[b] === statusQuo) - (options[a] === statusQuo) || a - b);
    for (const a of take) { order.push(options[a]); left.delete(a); }
  }
  const pairwise = {};
  options.forEach((a, i) => { pairwise[a] = {}; options.forEach((b, j) => { if (i !== j) pairwise[a][b] = d[i][j]; }); });
  return { ranking: order, pairwise };
}

function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

function recount(poll, result, rows) {
  const problems = [];
  for (const q of poll.questions) {
    const published = result.questions.find((r) => r.question === q.id);
    const answers = rows.map((row) => ({ a: row.answers.find((x) => x.question === q.id), w: row.weight || 1 }));
    if (q.kind === "ranked") {
      const options = q.options.map((o) => o.id);
      const sq = (q.options.find((o) => o.status_quo) || {}).id;
      const mine = schulze(options, answers.filter((x) => x.a).map((x) => ({ ranking: x.a.ranking, weight: x.w })), sq);
      const theirs = {};
      for (const [a, row] of Object.entries(published.pairwise)) {
        theirs[a] = {};
        for (const [b, v] of Object.entries(row)) if (a !== b) theirs[a][b] = v;
      }
      const norm = (m) => Object.fromEntries(Object.keys(m).sort().map((a) => [a, Object.fromEntries(Object.keys(m[a]).sort().map((b) => [b, m[a][b]]))]));
      if (!same(norm(mine.pairwise), norm(theirs))) problems.push(`${q.text}: pairwise`);
      if (!same(mine.ranking, published.ranking.map(Number))) problems.push(`${q.text}: ranking`);
    } else {
      const counts = { yes: 0, no: 0, abstain: 0 };
      for (const x of answers) if (x.a && x.a.choice in counts) counts[x.a.choice] += x.w;
      if (!same(counts, { yes: published.counts.yes, no: published.counts.no, abstain: published.counts.abstain })) problems.push(`${q.text}: ${JSON.stringify(counts)}`);
    }
  }
  if (rows.length !== result.ballots) problems.push(`${rows.length} ≠ ${result.ballots}`);
  return problems;
}

async function sha256hex(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

if (box) {
  const status = box.querySelector("[data-recount-status]");
  const details = box.querySelector("[data-recount-details]");
  const pollId = Number(box.dataset.recount);
  let rows = [];
  status.textContent = box.dataset.msgWorking;
  Promise.all([getJSON(`/api/v1/polls/${pollId}/`), getJSON(`/api/v1/polls/${pollId}/result/`), bulletin(pollId)])
    .then(([poll, result, bulletinRows]) => {
      rows = bulletinRows;
      const problems = recount(poll, result, rows);
      box.dataset.recountOutcome = problems.length ? "mismatch" : "match";
      status.textContent = problems.length ? box.dataset.msgMismatch : box.dataset.msgMatch;
      const li = document.createElement("li");
      li.textContent = `${box.dataset.msgBallots} ${rows.length}`;
      details.append(li);
      for (const p of problems) { const item = document.createElement("li"); item.textContent = p; details.append(item); }
    })
    .catch(() => { box.dataset.recountOutcome = "failed"; status.textContent = box.dataset.msgFailed; });
  const form = box.querySelector("[data-receipt-form]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const out = box.querySelector("[data-receipt-status]");
    const hash = await sha256hex(form.querySelector("input").value.trim());
    const row = rows.find((r) => r.receipt_hash === hash);
    out.textContent = row ? `${box.dataset.msgReceipt} ${JSON.stringify(row.answers)}` : box.dataset.msgNoreceipt;
  });
}
