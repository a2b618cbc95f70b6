"""Search text with pinyin, so that typing `bjkj` finds 北京科技 and `beijing` finds 北京."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def search_text(*parts: str | None) -> str:
    """Lower-case text, full pinyin and pinyin initials of every part, space-separated."""
    words: list[str] = []
    for part in parts:
        if not part:
            continue
        words.append(part.lower())
        if any("\u4e00" <= ch <= "\u9fff" for ch in part):
            words.append("".join(lazy_pinyin(part)).lower())
            words.append("".join(lazy_pinyin(part, style=Style.FIRST_LETTER)).lower())
    return " ".join(words)[:1000]
