"""The position-keeping JSON reader: pointers, lines and columns, duplicates, and what it refuses."""

from __future__ import annotations

import json

import pytest

from flows.jsonpos import describe_decode_error, escape, load_with_positions, pointer_of

DOC = """{
  "name": "clínica 😊",
  "nodes": {
    "a/b": {"kind": "send"},
    "til~de": [1, [2, {"deep": true}]],
    "quote\\"d": null
  },
  "list": [
    [10, 20],
    [
      30
    ]
  ]
}"""


def test_the_value_is_what_json_loads_gives() -> None:
    value, _ = load_with_positions(DOC)
    assert value == json.loads(DOC)


@pytest.mark.parametrize(("pointer", "where"), [
    ("", (1, 1)),
    ("/name", (2, 11)),
    ("/nodes", (3, 12)),
    ("/nodes/a~1b", (4, 12)),
    ("/nodes/a~1b/kind", (4, 21)),
    ("/nodes/til~0de", (5, 15)),
    ("/nodes/til~0de/0", (5, 16)),
    ("/nodes/til~0de/1", (5, 19)),
    ("/nodes/til~0de/1/1/deep", (5, 32)),
    ('/nodes/quote"d', (6, 17)),
    ("/list/0/1", (9, 10)),
    ("/list/1", (10, 5)),
    ("/list/1/0", (11, 7)),
])
def test_every_value_has_its_line_and_column(pointer: str, where: tuple[int, int]) -> None:
    _, positions = load_with_positions(DOC)
    assert positions.at[pointer] == where


def test_columns_count_characters_not_bytes() -> None:
    _, positions = load_with_positions('{"é😊": "ü", "b": 1}')
    assert positions.at["/b"] == (1, 18)
    assert positions.keys["/b"] == (1, 13)


def test_keys_have_their_own_positions() -> None:
    _, positions = load_with_positions(DOC)
    assert positions.keys["/nodes/a~1b"] == (4, 5)
    assert positions.keys["/list"] == (8, 3)


def test_find_falls_back_to_the_nearest_ancestor() -> None:
    _, positions = load_with_positions(DOC)
    assert positions.find("/nodes/a~1b/missing/deeper") == (4, 12)
    assert positions.find("/nowhere") == (1, 1)


def test_duplicate_keys_are_reported_at_the_second_key() -> None:
    text = '{\n  "nodes": {\n    "x": 1,\n    "y": 2,\n    "x": 3\n  },\n  "nodes": {}\n}'
    value, positions = load_with_positions(text)
    assert value == {"nodes": {}}  # the last one wins, as in json.loads
    assert positions.duplicates == ["/nodes/x", "/nodes"]
    assert positions.at["/nodes/x#duplicate"] == (5, 5)
    assert positions.at["/nodes#duplicate"] == (7, 3)


def test_escaped_keys_follow_rfc_6901() -> None:
    assert escape("a/b~c") == "a~1b~0c"
    assert pointer_of(["nodes", "a/b", 0, "~"]) == "/nodes/a~1b/0/~0"


def test_line_col_at_line_boundaries() -> None:
    _, positions = load_with_positions('{\n"a": 1\n}\n')
    assert positions.line_col(0) == (1, 1)
    assert positions.line_col(1) == (1, 2)  # the newline belongs to line 1
    assert positions.line_col(2) == (2, 1)


def _error(text: str) -> tuple[str, str, int, int]:
    with pytest.raises(json.JSONDecodeError) as caught:
        load_with_positions(text)
    return describe_decode_error(caught.value)


@pytest.mark.parametrize(("text", "message", "where"), [
    ('{\n  "a": 1\n  "b": 2\n}', "a comma is missing here", (2, 9)),
    ('{\n  "a": 1,\n}', "a comma after the last item", (2, 9)),
    ("[1, 2,]", "a comma after the last item", (1, 6)),
    ('{\n  "a": "open\n}', "this text is not closed before the end of the line", (2, 13)),
    ('{"a": "open', "this text is never closed", (1, 7)),
    ('{"a": "x\ty"}', "a control character (U+0009) inside a text", (1, 9)),
    ('{"a" 1}', "a colon is missing after the property name", (1, 6)),
    ('{"a": }', "a value is missing here", (1, 7)),
    ("{a: 1}", "expected a property name in double quotes", (1, 2)),
    ('{"a": 1} {}', "there is more after the end of the document", (1, 10)),
    ('{"a": [1, 2]\n\n', "the document ends too early", (1, 13)),
    ("", "the file is empty", (1, 1)),
    ("  \n", "the file is empty", (1, 1)),
    ('{"a": NaN}', "NaN and Infinity are not JSON numbers", (1, 7)),
    ('{"a": -Infinity}', "NaN and Infinity are not JSON numbers", (1, 7)),
    ('{"a": "\\ud800"}', "this text has a \\u escape for half of a character pair", (1, 7)),
    ('{"\\udc00": 1}', "this text has a \\u escape for half of a character pair", (1, 2)),
    ('{"a": "\\q"}', "a backslash that starts no known escape", (1, 8)),
    ("[" * 100_000 + "]" * 100_000, "the document is nested too deeply", (1, 1)),
])
def test_decoding_errors_in_plain_words_where_the_fix_goes(text: str, message: str, where: tuple[int, int]) -> None:
    got, hint, line, column = _error(text)
    assert got == f"not valid JSON: {message}"
    assert hint
    assert (line, column) == where


def test_a_surrogate_pair_is_one_character() -> None:
    value, _ = load_with_positions('{"a": "\\ud83d\\ude00"}')
    assert value == {"a": "😀"}


def test_numbers_keep_their_type() -> None:
    value, _ = load_with_positions('[0, -1, 2.5, 1e3, 1E-2, true, false, null, ""]')
    assert value == [0, -1, 2.5, 1000.0, 0.01, True, False, None, ""]
    assert [type(v) for v in value[:5]] == [int, int, float, float, float]
