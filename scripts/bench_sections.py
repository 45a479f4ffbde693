"""What the benchmark scripts share: each owns one section of docs/BENCHMARKS.md between its own markers."""

from pathlib import Path


def write_section(path: Path, section: str, start: str, end: str) -> None:
    """Replace the section between `start` and `end` (`section` carries both markers), or add it at the end;
    the other benchmarks' sections stay as they are."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        tail = rest.split(end, 1)[1].lstrip("\n")
        text = head + section + ("\n" + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")
