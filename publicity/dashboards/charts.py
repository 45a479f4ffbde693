"""Bar and stacked-bar charts drawn on the server as SVG, readable without sight, without colour and on paper.

Each chart is an `<svg role="img">` named by its `<title>` (aria-labelledby) and described by a visible sentence
(aria-describedby), with the same figures in a data table beside it (templates/includes/dashboard_chart.html). Every
series has its colour and its own pattern (stripes, dots, cross-hatching), repeated in the legend, so that two series
differ on a black-and-white print and for a reader who does not tell the colours apart; every simple bar carries its
figure as a direct label. The colours are dark enough on white for WCAG 2.1 AA (3:1 for a graphic, 4.5:1 for text,
checked by tests), and the segments of a stacked bar are parted by a white gap, so each one borders white only.

Nothing is fetched and no style attribute is written (the content security policy forbids inline styles): the SVG
uses presentation attributes, and its width follows the page (portal.css). No script, no chart library.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# The drawing's own units; the page scales it to the width of its column.
WIDTH = 320
MARGIN = 4
ROW_HEIGHT = 38
BAR_HEIGHT = 14
LABEL_SIZE = 12.5
# Room on the right of a bar for its figure.
FIGURE_ROOM = 46
LEGEND_ROW = 19
LEGEND_SIZE = 12
# Longer labels are cut with an ellipsis in the drawing; the table beside it gives them whole.
LABEL_CHARACTERS = 44
TEXT_COLOUR = "#1b1b1b"
EMPTY_COLOUR = "#6b6b6b"


@dataclass(frozen=True)
class Style:
    """A series' look: its colour (at least 3:1 on white) and the pattern drawn over it in white."""

    colour: str
    pattern: str


# In the order series take them. Patterns: none, stripes one way, dots, cross-hatching, lines across, the other
# stripes, lines down.
STYLES = (
    Style("#1d4e89", "solid"),
    Style("#b54708", "diagonal"),
    Style("#2f6b2f", "dots"),
    Style("#6b3fa0", "cross"),
    Style("#a61b1b", "horizontal"),
    Style("#0f6e6e", "back-diagonal"),
    Style("#4a4a4a", "vertical"),
)


@dataclass(frozen=True)
class Table:
    """The data behind a chart: a header for the row labels, one per figure column, and the rows."""

    label_header: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class Chart:
    dom_id: str
    title: str
    # The visible sentence that says what the chart shows: its text alternative.
    summary: str
    svg: SafeString
    table: Table
    # What the chart leaves out, if anything ("the 20 lowest of 168; every one in the table below").
    note: str = ""


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    # The figure written beside the bar ("12", "45%").
    text: str
    style: int = 0


@dataclass(frozen=True)
class Stack:
    label: str
    values: tuple[int, ...]


@dataclass
class _Drawing:
    """The SVG's pieces, in order; the patterns its series need go in <defs>."""

    dom_id: str
    parts: list[str] = field(default_factory=list)
    patterns: set[int] = field(default_factory=set)

    def fill(self, style: int) -> str:
        """The fill of series `style`: its colour, or its pattern (defined once in <defs>)."""
        look = STYLES[style % len(STYLES)]
        if look.pattern == "solid":
            return look.colour
        self.patterns.add(style % len(STYLES))
        return f"url(#{self.dom_id}-pattern-{style % len(STYLES)})"

    def text(self, x: float, y: float, content: str, *, anchor: str = "start", size: float = LABEL_SIZE) -> None:
        self.parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="{}" fill="{}" text-anchor="{}">{}</text>',
                _number(x),
                _number(y),
                _number(size),
                TEXT_COLOUR,
                anchor,
                content,
            )
        )

    def rect(self, x: float, y: float, width: float, height: float, fill: str, *, outline: str = "") -> None:
        stroke = format_html(' stroke="{}" stroke-width="1"', outline) if outline else ""
        self.parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"{}/>',
                _number(x),
                _number(y),
                _number(width),
                _number(height),
                fill,
                stroke,
            )
        )

    def svg(self, title: str, height: float) -> SafeString:
        title_id, summary_id = f"{self.dom_id}-title", f"{self.dom_id}-summary"
        defs = "".join(_pattern(self.dom_id, style) for style in sorted(self.patterns))
        return format_html(
            '<svg class="dashboard-chart__drawing" role="img" aria-labelledby="{}" aria-describedby="{}" '
            'viewBox="0 0 {} {}" xmlns="http://www.w3.org/2000/svg" focusable="false">'
            '<title id="{}">{}</title>{}{}</svg>',
            title_id,
            summary_id,
            WIDTH,
            _number(height),
            title_id,
            title,
            mark_safe(f"<defs>{defs}</defs>" if defs else ""),  # noqa: S308  (built from constants only)
            mark_safe("".join(self.parts)),  # noqa: S308  (each part escaped by format_html)
        )


def _number(value: float) -> str:
    """Coordinates with at most one decimal, the same whatever the locale."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _pattern(dom_id: str, style: int) -> str:
    """A pattern of white marks over the series' colour, 6 units square."""
    look = STYLES[style]
    marks = {
        "diagonal": '<path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" stroke="#fff" stroke-width="1.4"/>',
        "back-diagonal": '<path d="M-1,5 l2,2 M0,0 l6,6 M5,-1 l2,2" stroke="#fff" stroke-width="1.4"/>',
        "dots": '<circle cx="3" cy="3" r="1.3" fill="#fff"/>',
        "cross": '<path d="M0,3 h6 M3,0 v6" stroke="#fff" stroke-width="1.2"/>',
        "horizontal": '<path d="M0,3 h6" stroke="#fff" stroke-width="1.4"/>',
        "vertical": '<path d="M3,0 v6" stroke="#fff" stroke-width="1.4"/>',
    }[look.pattern]
    return (
        f'<pattern id="{escape(dom_id)}-pattern-{style}" patternUnits="userSpaceOnUse" width="6" height="6">'
        f'<rect width="6" height="6" fill="{look.colour}"/>{marks}</pattern>'
    )


def _height(y: float, *, rows: int) -> float:
    """The drawing's height once its rows are laid out down to `y` (the top of a next row)."""
    if not rows:
        return y + MARGIN
    return y - ROW_HEIGHT + LABEL_SIZE + 4 + BAR_HEIGHT + MARGIN


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1].rstrip() + "…"


def bar_chart(
    *,
    dom_id: str,
    title: str,
    summary: str,
    bars: Sequence[Bar],
    table: Table,
    maximum: float | None = None,
    note: str = "",
) -> Chart:
    """One horizontal bar per row, each with its figure written beside it; bars scale to `maximum` (the largest
    value when None)."""
    drawing = _Drawing(dom_id)
    top = max([maximum or 0, *(bar.value for bar in bars)])
    span = WIDTH - 2 * MARGIN - FIGURE_ROOM
    y = float(MARGIN)
    for bar in bars:
        drawing.text(MARGIN, y + LABEL_SIZE, _short(bar.label))
        width = span * bar.value / top if top else 0
        bar_y = y + LABEL_SIZE + 4
        if width > 0:
            drawing.rect(MARGIN, bar_y, max(width, 1.5), BAR_HEIGHT, drawing.fill(bar.style))
        else:
            drawing.rect(MARGIN, bar_y, 1.5, BAR_HEIGHT, EMPTY_COLOUR)
        drawing.text(MARGIN + max(width, 1.5) + 4, bar_y + BAR_HEIGHT - 3, bar.text)
        y += ROW_HEIGHT
    return Chart(dom_id, title, summary, drawing.svg(title, _height(y, rows=len(bars))), table, note)


def stacked_chart(
    *,
    dom_id: str,
    title: str,
    summary: str,
    series: Sequence[str],
    stacks: Sequence[Stack],
    table: Table,
    total_text: Callable[[int], str] = str,
    note: str = "",
) -> Chart:
    """One bar per row, split into its series in proportion to the row's total (written beside it); a legend
    names each series with its pattern."""
    drawing = _Drawing(dom_id)
    y = float(MARGIN)
    for index, name in enumerate(series):
        drawing.rect(MARGIN, y, 13, 13, drawing.fill(index))
        drawing.text(MARGIN + 18, y + 11, _short(name), size=LEGEND_SIZE)
        y += LEGEND_ROW
    y += 6
    span = WIDTH - 2 * MARGIN - FIGURE_ROOM
    for stack in stacks:
        drawing.text(MARGIN, y + LABEL_SIZE, _short(stack.label))
        bar_y = y + LABEL_SIZE + 4
        total = sum(stack.values)
        if total == 0:
            drawing.rect(MARGIN + 0.5, bar_y + 0.5, span - 1, BAR_HEIGHT - 1, "#fff", outline=EMPTY_COLOUR)
        x = float(MARGIN)
        for index, value in enumerate(stack.values):
            if value <= 0:
                continue
            width = span * value / total
            # A white gap parts each segment from the next: every segment borders white only.
            drawing.rect(x, bar_y, max(width - 1, 0.8), BAR_HEIGHT, drawing.fill(index))
            x += width
        drawing.text(MARGIN + span + 4, bar_y + BAR_HEIGHT - 3, total_text(total))
        y += ROW_HEIGHT
    return Chart(dom_id, title, summary, drawing.svg(title, _height(y, rows=len(stacks))), table, note)
