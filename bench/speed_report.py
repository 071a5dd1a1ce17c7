"""The table of bench/bench_speed.py: each row's figures next to hello, its target and
whether it met it. Not a benchmark itself (make bench runs bench/bench_*.py)."""

from __future__ import annotations


def _get_row(t, m) -> tuple[str, bool]:
    s = m[t.key]
    queries = m[f"{t.key}:queries"]
    ok = s.median / s.hello <= t.ratio
    figure = (
        f"median {s.median:6.1f} ms  p90 {s.p90:6.1f}  hello {s.hello:4.2f} ms  "
        f"{s.median / s.hello:5.1f}× hello  {queries:2d} queries"
    )
    target = f"≤ {t.ratio:g}× hello"
    if t.queries is not None:
        ok = ok and queries <= t.queries
        target += f", ≤ {t.queries} queries"
    return f"{figure}   [{target}]", ok


def _size_row(t, m) -> tuple[str, bool]:
    big, small = m["thread"], m["thread-small"]
    ratio = big.median / small.median
    figure = (
        f"2,000: {big.median:.1f} ms, 20: {small.median:.1f} ms (p90 {small.p90:.1f}, "
        f"{m['thread-small:queries']} queries) = {ratio:4.2f}"
    )
    return f"{figure}   [≤ {t.ratio:g}]", ratio <= t.ratio


def _post_row(t, m) -> tuple[str, bool]:
    p = m["post"]
    before, after = p["hello_before"]["rate"], p["hello_after"]["rate"]
    hello = (before + after) / 2
    posts = p["posts"]
    ratio = posts["rate"] / hello
    errors = {
        **posts["errors"],
        **{f"hello {k}": v for k, v in p["hello_before"]["errors"].items()},
        **{f"hello {k}": v for k, v in p["hello_after"]["errors"].items()},
    }
    whole = posts["created"] == p["stored"] and not errors
    figure = (
        f"{posts['rate']:6.1f}/s  hello {before:.0f}/s before, {after:.0f}/s after  "
        f"= {ratio:5.3f}× hello  {m['post:queries']} queries  "
        f"{posts['created']} created, {p['stored']} stored"
        + (f", errors {errors}" if errors else "")
    )
    return f"{figure}   [≥ {t.ratio:g}× hello, all stored once]", whole and (
        ratio >= t.ratio
    )


def print_table(targets, measured: dict, args) -> bool:
    print(f"\nbench_speed ({args.runs} requests per GET row, POST {args.seconds:g} s):")
    missed = []
    for t in targets:
        if t.key not in args.rows:
            continue
        shape = {"thread-size": _size_row, "post": _post_row}.get(t.key, _get_row)
        figure, ok = shape(t, measured)
        print(f"  {t.label:52s} {figure}  {'OK' if ok else 'MISSED'}")
        if not ok:
            missed.append(t.key)
    if missed:
        print(f"bench_speed: {len(missed)} row(s) missed: {', '.join(missed)}")
        return False
    print("bench_speed: every row within target")
    return True
