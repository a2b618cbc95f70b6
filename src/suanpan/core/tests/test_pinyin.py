from suanpan.core.pinyin import search_text


def test_search_text_holds_initials_full_pinyin_and_text():
    text = search_text("北京科技有限公司", "C00001")
    assert "bjkj" in text
    assert "beijingkeji" in text
    assert "北京科技" in text
    assert "c00001" in text


def test_latin_text_is_lower_cased_without_pinyin():
    assert search_text("ACME Ltd", None, "") == "acme ltd"
