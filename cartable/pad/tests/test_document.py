from cartable.pad import document


def test_runs_of_accented_text_keep_their_marks():
    pm = {
        "type": "doc",
        "content": [
            {
                "type": "paragraph",
                "content": [
                    {"type": "text", "text": "Élève", "marks": [{"type": "bold"}]},
                    {"type": "text", "text": " très sage"},
                ],
            }
        ],
    }
    doc = document.load(b"")
    document.replace_content(doc, pm)
    assert document.to_prosemirror(doc) == pm


def test_extend_text_continues_the_last_line_as_etherpad_appends():
    cases = [
        ("abc", "hello", "abchello\n"),
        ("abc", "hello\n", "abchello\n\n"),
        ("abc", "\nfoo", "abc\nfoo\n"),
        ("", "foo", "foo\n"),
        ("Écrit", " là\nensuite", "Écrit là\nensuite\n"),
        ("abc", "", "abc\n"),
    ]
    for start, added, expected in cases:
        doc = document.load(b"")
        if start:
            document.replace_content(doc, document.text_to_pm(start))
        document.extend_text(doc, added)
        assert document.to_text(doc) == expected, (start, added)
