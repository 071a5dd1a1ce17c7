"""Snippets are escaped text with our own <mark> tags only."""

from deliberation.search.text import START, STOP, _from_markers, plain_snippet, words_of


def test_plain_snippet_escapes_and_marks():
    out = plain_snippet("<b>Fler</b> cykelbanor & <script>x</script>", ["cykelbanor"])
    assert out == (
        "&lt;b&gt;Fler&lt;/b&gt; <mark>cykelbanor</mark> &amp; "
        "&lt;script&gt;x&lt;/script&gt;"
    )


def test_plain_snippet_windows_long_text_around_the_first_match():
    text = "ord " * 200 + "cykelbanor" + " ord" * 200
    out = plain_snippet(text, ["cykelbanor"])
    assert out.startswith("… ")
    assert out.endswith(" …")
    assert "<mark>cykelbanor</mark>" in out
    assert len(out) < 300


def test_markers_become_marks_after_escaping():
    text = f"a <i>b</i> {START}cykel{STOP} & {START}stray"
    expected = "a &lt;i&gt;b&lt;/i&gt; <mark>cykel</mark> &amp; stray"
    assert _from_markers(text) == expected


def test_a_marker_typed_by_a_member_is_only_text():
    out = plain_snippet(f"{START}<img src=x onerror=alert(1)>{STOP}", ["img"])
    assert "<img" not in out


def test_words_leave_out_stop_words_of_both_languages():
    assert words_of("Gratis kollektivtrafik för pensionärer and the bus") == [
        "gratis",
        "kollektivtrafik",
        "pensionärer",
        "bus",
    ]


def test_markdown_marks_are_left_out_of_snippets():
    out = plain_snippet(
        "Unga ska **slippa** kostnaden. Se [rapporten](https://example.org/x).",
        ["rapporten"],
    )
    assert out == "Unga ska slippa kostnaden. Se <mark>rapporten</mark>."
