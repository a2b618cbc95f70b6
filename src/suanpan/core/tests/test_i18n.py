"""The Simplified Chinese catalog: complete, consistent with its compiled .mo, and used by the pages.

The .po is read with a small parser of our own (the catalog is plain GNU gettext; no polib needed).
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"

# printf-style placeholders as Python's % operator reads them: %(name)s, %d, %.2f, and the escaped %%.
PYTHON_FORMAT = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*(?:\d+|\*)?(?:\.\d+)?(?P<conv>[diouxXeEfFgGcrsa%])")
BRACE_FORMAT = re.compile(r"\{\{?\s*[\w.]*\s*\}?\}")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def where(self) -> str:
        return f"django.po:{self.line} {self.msgid!r}"


def parse_po(text: str) -> list[Entry]:
    """Entries of a .po file (header included, obsolete `#~` entries left out)."""
    entries: list[Entry] = []
    entry = Entry()
    seen_msgid = False
    target: tuple[str, int] | None = None  # the string a continuation line extends

    def begin(number: int) -> None:
        nonlocal entry, seen_msgid, target
        if seen_msgid:
            entries.append(entry)
        entry, seen_msgid, target = Entry(line=number), False, None

    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if entry.msgstr:
                begin(number)
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        match = re.fullmatch(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")", line)
        if match:
            keyword, index = match.group(1), int(match.group(2) or 0)
            if keyword in {"msgctxt", "msgid"} and entry.msgstr:
                begin(number)
            entry.line = entry.line or number
            seen_msgid = seen_msgid or keyword == "msgid"
            _store(entry, keyword, index, ast.literal_eval(match.group(3)), append=False)
            target = (keyword, index)
        elif line.startswith('"') and target is not None:
            _store(entry, *target, ast.literal_eval(line), append=True)
        else:
            raise AssertionError(f"django.po:{number}: cannot read {line!r}")
    begin(0)
    return entries


def _store(entry: Entry, keyword: str, index: int, value: str, *, append: bool) -> None:
    """A .po string is a double-quoted C string (read with Python's literal syntax: same escapes)."""
    if keyword == "msgstr":
        entry.msgstr[index] = entry.msgstr.get(index, "") + value if append else value
    else:
        attr = "msgid_plural" if keyword == "msgid_plural" else keyword
        setattr(entry, attr, (getattr(entry, attr) or "") + value if append else value)


@pytest.fixture(scope="module")
def catalog() -> list[Entry]:
    assert PO_FILE.exists(), f"no catalog at {PO_FILE} (LOCALE_PATHS = {settings.LOCALE_PATHS})"
    return parse_po(PO_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def messages(catalog: list[Entry]) -> list[Entry]:
    found = [e for e in catalog if e.msgid]
    assert len(found) > 100, "the catalog looks empty; run makemessages"
    return found


def header(catalog: list[Entry]) -> dict[str, str]:
    [head] = [e for e in catalog if not e.msgid and e.msgctxt is None]
    return dict(line.split(": ", 1) for line in head.msgstr[0].splitlines() if ": " in line)


def test_header_has_chinese_plural_forms_and_is_not_fuzzy(catalog: list[Entry]) -> None:
    head = header(catalog)
    assert head["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert "charset=UTF-8" in head["Content-Type"]
    assert not any("fuzzy" in e.flags for e in catalog if not e.msgid)


def test_every_entry_is_translated_and_none_is_fuzzy(messages: list[Entry]) -> None:
    fuzzy = [e.where for e in messages if "fuzzy" in e.flags]
    untranslated = [e.where for e in messages if not e.msgstr or not all(s.strip() for s in e.msgstr.values())]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    assert not untranslated, f"untranslated entries: {untranslated}"


def test_plural_entries_have_the_one_chinese_form(messages: list[Entry]) -> None:
    plural = [e for e in messages if e.msgid_plural is not None]
    assert plural
    wrong = [e.where for e in plural if set(e.msgstr) != {0}]
    assert not wrong, f"plural entries need exactly msgstr[0] (nplurals=1): {wrong}"


def placeholders(text: str, entry: Entry) -> tuple[list[str], list[str]]:
    """Named placeholders (sorted: a translation may reorder them) and positional ones (in order)."""
    named: list[str] = []
    positional: list[str] = []
    if "python-format" in entry.flags:
        for m in PYTHON_FORMAT.finditer(text):
            if m.group("name") is not None:
                named.append(f"%({m.group('name')}){m.group('conv')}")
            else:
                positional.append(m.group(0))
    named += BRACE_FORMAT.findall(text)
    return sorted(named), positional


def test_placeholders_of_every_translation_match_the_msgid(messages: list[Entry]) -> None:
    mismatched = []
    for entry in messages:
        source = entry.msgid_plural if entry.msgid_plural is not None else entry.msgid
        expected = placeholders(source, entry)
        for index, translated in entry.msgstr.items():
            got = placeholders(translated, entry)
            if got != expected:
                mismatched.append(f"{entry.where} msgstr[{index}]: {got} != {expected}")
        if "python-format" not in entry.flags:
            # Without the flag the string is never %-formatted: a translation must not add a placeholder either.
            for translated in entry.msgstr.values():
                if re.search(r"%\(\w+\)[sd]", translated):
                    mismatched.append(f"{entry.where}: placeholder in a string that is not formatted")
    assert not mismatched, "\n".join(mismatched)


def test_compiled_catalog_matches_the_po(messages: list[Entry]) -> None:
    """The .mo is committed (no gettext at run time): it must hold exactly what the .po says."""
    assert MO_FILE.exists(), "run `suanpan compilemessages`"
    with MO_FILE.open("rb") as f:
        compiled = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    stale = []
    for entry in messages:
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            if compiled.get(key) != entry.msgstr[0]:
                stale.append(entry.where)
        elif compiled.get((key, 0)) != entry.msgstr[0]:
            stale.append(entry.where)
    assert not stale, f"django.mo is out of date for {stale}; run `suanpan compilemessages`"


def test_translated_terms_follow_the_glossary() -> None:
    with translation.override("zh-hans"):
        assert translation.gettext("Customer") == "客户"
        assert translation.gettext("Supplier") == "供应商"
        assert translation.gettext("Unified social credit code") == "统一社会信用代码"
        assert translation.gettext("Export Excel") == "导出Excel"
        assert translation.ngettext("%(counter)s record", "%(counter)s records", 5) % {"counter": 5} == "共 5 条记录"
    with translation.override("en"):
        assert translation.gettext("Customer") == "Customer"


@pytest.mark.django_db
def test_pages_are_chinese_by_default_and_english_on_request(client: Client) -> None:
    zh = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "登录" in zh
    assert "Log in" not in zh

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = client.get("/login/").content.decode()
    assert "Log in" in en
    assert "登录" not in en
