"""The shape every figure of the annual report takes: a table of cells, each with its raw value, how to
show it, and how many chats it is computed from (for the "< 5" rule of the printable version).

Tables are plain data, built by one function each (report_*.py), so the page, a CSV or an XLSX export can
all reuse them: `cell.value` is the raw number, `show(cell)` the Dutch text, `show(cell, printable=True)`
the text for a published copy.
"""

from dataclasses import dataclass, field

SMALL = 5  # a figure from fewer chats than this is shown as "< 5" in the printable version


@dataclass(frozen=True)
class Cell:
    """One figure. `n`: how many chats it is computed from (the chats counted for a count or a share, the
    chats averaged for a mean or a percentile); `base`: a share's denominator. None: not about chats (a
    label, a number of opening days)."""

    value: float | int | str | None
    kind: str = "count"  # text, count, share, number, seconds, minutes, hours, stars, age, change, points
    n: int | None = None
    base: int | None = None

    @property
    def small(self) -> bool:
        """Computed from 1 to 4 chats (a share: counting 1-4 chats, or out of 1-4). Nothing (0) is shown
        as it is: it tells nothing about anyone."""
        return any(count is not None and 0 < count < SMALL for count in (self.n, self.base))


@dataclass(frozen=True)
class Table:
    key: str  # stable name, for exports and tests
    title: str
    explanation: str  # one line, Dutch: how the figure is computed
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    screen_only: bool = False  # for the coordinators, never in the printed report (e.g. per counsellor)

    def column(self, name: str) -> list[Cell]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]

    def row(self, label: str) -> list[Cell]:
        """The row whose first cell is `label`."""
        for row in self.rows:
            if row[0].value == label:
                return row
        raise KeyError(label)

    def values(self) -> list[list]:
        return [[cell.value for cell in row] for row in self.rows]


def text(value: str | None) -> Cell:
    return Cell(value, "text")


def count(value: int) -> Cell:
    return Cell(value, "count", n=value)


def share(part: int, whole: int) -> Cell:
    """part / whole as a fraction (0-1); None when there is nothing to divide by."""
    return Cell(part / whole if whole else None, "share", n=part, base=whole)


def ratio(part: int, whole: int) -> Cell:
    """A share of something other than chats (e.g. counsellors): no "< 5" rule."""
    return Cell(part / whole if whole else None, "share")


def measure(value: float | None, kind: str, n: int) -> Cell:
    """A mean, median or percentile of `n` chats (kind: seconds, minutes, stars, age, number)."""
    return Cell(value if n else None, kind, n=n)


def change(current: Cell, previous: Cell | None) -> Cell:
    """The relative change from `previous` to `current` (0.09 is +9 %); None without a previous figure.
    It is as small as the smaller of the two figures (a change between small figures gives them away)."""
    if previous is None or current.value is None or not previous.value:
        return Cell(None, "change")
    return Cell(current.value / previous.value - 1, "change", n=_smallest(current, previous))


def points(current: Cell, previous: Cell | None) -> Cell:
    """The difference of two shares in percentage points (as a fraction: 0.064 is +6,4 points)."""
    if previous is None or current.value is None or previous.value is None:
        return Cell(None, "points")
    return Cell(current.value - previous.value, "points", n=_smallest(current, previous))


def _smallest(*cells: Cell) -> int | None:
    counts = [n for cell in cells for n in (cell.n, cell.base) if n is not None and n > 0]
    return min(counts) if counts else None


def show(cell: Cell, printable: bool = False) -> str:
    """The cell in Dutch notation; in the printable version a figure from 1-4 chats reads "< 5"."""
    if cell.kind == "text":
        return "" if cell.value is None else str(cell.value)
    if cell.value is None:
        return "—"
    if printable and cell.small:
        return f"< {SMALL}"
    value = cell.value
    match cell.kind:
        case "count":
            return f"{value:,}".replace(",", ".")
        case "share":
            return f"{_decimal(value * 100, 1)} %"
        case "seconds":
            return f"{_decimal(value, 1)} s"
        case "minutes":
            return f"{_decimal(value, 1)} min"
        case "hours":
            return f"{_decimal(value, 1)} u"
        case "stars" | "age":
            return _decimal(value, 2)
        case "change":
            return f"{'+' if value >= 0 else '−'}{_decimal(abs(value) * 100, 1)} %"
        case "points":
            return f"{'+' if value >= 0 else '−'}{_decimal(abs(value) * 100, 1)} ptn"
        case _:
            return _decimal(value, 1)


def _decimal(value: float, places: int) -> str:
    """1234.5 -> '1.234,5' (Dutch: a comma for decimals, a dot between thousands)."""
    return f"{value:,.{places}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
