"""The one truncation helper (issue #12, item 5): never inside an entity or a tag, always «…»."""

from __future__ import annotations

import re

import pytest

from services.html_cut import CAPTION_LIMIT, MESSAGE_LIMIT, cut_html, cut_plain


def test_short_text_is_untouched() -> None:
    assert cut_html("<b>Готово</b> &amp; сдано", 100) == "<b>Готово</b> &amp; сдано"


@pytest.mark.parametrize("limit", range(5, 40))
def test_cut_never_splits_an_entity_and_closes_tags(limit: int) -> None:
    text = "<b>Трубы &amp; <i>краны</i></b> &lt;заменены&gt; — акт №5 &#8470; подписан"
    cut = cut_html(text, limit)
    assert len(cut) <= limit and cut.endswith(("…", "…</b>", "…</i></b>", "…</i>"))
    assert not re.search(r"&[#0-9A-Za-z]*…", cut)  # no entity cut open before the mark
    assert cut.count("<b>") == cut.count("</b>") and cut.count("<i>") == cut.count("</i>")


def test_plain_text_is_escaped_before_the_cut() -> None:
    cut = cut_plain("A & B < C " * 500, CAPTION_LIMIT)
    assert len(cut) <= CAPTION_LIMIT and cut.endswith("…") and "<" not in cut
    assert cut_plain(None, 10) == "—"
    assert len(cut_plain("x" * 10_000, MESSAGE_LIMIT)) == MESSAGE_LIMIT
