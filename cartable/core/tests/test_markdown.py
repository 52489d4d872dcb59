from cartable.core import markdown


def test_markdown_renders_tables_and_strikethrough():
    html = markdown.render("| a | b |\n|---|---|\n| 1 | ~~2~~ |\n")
    assert "<table>" in html and "<s>2</s>" in html


def test_raw_html_and_script_links_never_come_through():
    html = markdown.render("<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x>")
    assert "<script" not in html and "<img" not in html and "href" not in html
    assert "&lt;script&gt;" in html  # shown as text


def test_a_caller_allows_fewer_tags():
    assert "<h2>" not in markdown.render("## Titre", tags=frozenset({"p"}))
