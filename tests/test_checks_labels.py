"""The shared number-by-label reader: a table row takes its column's name, a "label: text" line is no header."""

from grader.checks.common import labelled_numbers


def _words_of(output: str, value: float) -> set[str]:
    return set(next(n.words for n in labelled_numbers(output) if n.value == value))


def test_table_row_takes_its_column_name() -> None:
    output = "input output reasoning\n87 44 18\n"
    assert "output" in _words_of(output, 44) and "reasoning" not in _words_of(output, 44)
    assert "reasoning" in _words_of(output, 18)


def test_a_label_and_text_line_is_no_header() -> None:
    output = "Output items: reasoning, message\nTokens: input=87, output=44, reasoning=18\n"
    assert _words_of(output, 44) == {"output"}
    assert _words_of(output, 87) == {"tokens", "input"}
