"""Reading rendered pages in tests."""


def missing_from(text: str, *expected: str) -> list[str]:
    """The pieces of `expected` that `text` does not contain, in order: `assert missing_from(page, ...) == []` checks
    every piece and names all those absent at once."""
    return [piece for piece in expected if piece not in text]
