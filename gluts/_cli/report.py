"""``--report``: one self-contained HTML file a user can attach to an email or a ticket.

The file holds the command's results table, its plots as inline SVG, a summary of the data
and the command line, gluts version and date that produced it. It loads nothing (no
script, stylesheet, font or image from elsewhere) and needs no JavaScript. Every text is
escaped with :func:`html.escape`; the SVG comes from matplotlib, with its XML prologue and
metadata dropped and its ids made unique within the page. Only the standard library and
matplotlib are used; the file is written with the command's other outputs, atomically.
"""

from __future__ import annotations

import io
import re
import shlex
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html import escape
from pathlib import Path

__all__ = ["Report", "Table", "command_line", "inline_svg", "render", "write_report"]


@dataclass(frozen=True)
class Table:
    """A table of text cells.

    Attributes
    ----------
    caption : str
        What the table shows.
    header : list of str
        Column names.
    rows : list of list of str
        The cells.
    numeric : list of bool
        Whether each column holds numbers (aligned right); none when empty.
    note : str or None
        A line under the table (e.g. how many rows were left out).
    """

    caption: str
    header: list[str]
    rows: list[list[str]]
    numeric: list[bool] = field(default_factory=list)
    note: str | None = None


@dataclass(frozen=True)
class Report:
    """What a report shows, in order: summary, notes, tables, figures.

    Attributes
    ----------
    title : str
        The page's title and first heading.
    summary : list of (str, str)
        The data summary, as label and value.
    tables : list of Table
        The results.
    figures : list of (str, matplotlib.figure.Figure)
        Caption and figure of each plot.
    notes : list of str
        Sentences shown above the tables (a verdict, a comparison with known anomalies).
    """

    title: str
    summary: list[tuple[str, str]]
    tables: list[Table]
    figures: list[tuple[str, object]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222;
       padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }
caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25em 0.7em; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th[scope=row] { font-weight: normal; color: #555; }
figure { margin: 1em 0; } figure svg { max-width: 100%; height: auto; }
figcaption { font-weight: bold; padding: 0.3em 0; }
code { background: #f4f4f4; padding: 0.1em 0.3em; word-break: break-all; }
footer { margin-top: 3em; color: #666; font-size: 0.85em; }
"""


def render(report: Report, *, command: str, version: str, created: str) -> str:
    """Lay out a report as an HTML page.

    Parameters
    ----------
    report : Report
        What to show.
    command : str
        The command line that produced it.
    version : str
        The gluts version.
    created : str
        When it was made.

    Returns
    -------
    str
        A complete HTML document; all text escaped, figures inline.
    """
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{escape(report.title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(report.title)}</h1>",
        f"<p>Command: <code>{escape(command)}</code></p>",
        "<h2>Data</h2>",
        _key_values(report.summary),
    ]
    if report.notes or report.tables:
        parts.append("<h2>Results</h2>")
    parts += [f"<p>{escape(note)}</p>" for note in report.notes]
    parts += [_table(t) for t in report.tables]
    if report.figures:
        parts.append("<h2>Plots</h2>")
    for k, (caption, figure) in enumerate(report.figures, start=1):
        parts += [
            "<figure>",
            f"<figcaption>{escape(caption)}</figcaption>",
            inline_svg(figure, prefix=f"f{k}-"),
            "</figure>",
        ]
    parts += [
        f"<footer>Made by gluts {escape(version)} on {escape(created)}.</footer>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(parts)


def write_report(path: str | Path, report: Report) -> None:
    """Render ``report`` with this process's command line, version and date, and write it.

    Parameters
    ----------
    path : str or pathlib.Path
        The ``.html`` file; written atomically, with the command's other outputs.
    report : Report
        What to show.
    """
    import gluts
    from gluts._cli.writing import write_text

    created = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    text = render(report, command=command_line(), version=gluts.__version__, created=created)
    write_text(text, path)


def command_line(argv: list[str] | None = None) -> str:
    """The command line as a user would type it again: ``gluts`` and the arguments, quoted.

    Parameters
    ----------
    argv : list of str or None, default=None
        The arguments with the program first; ``sys.argv`` when None.

    Returns
    -------
    str
        ``gluts backtest data.csv --report 'my report.html'``; ``python -m gluts ...`` when
        run as a module.
    """
    argv = list(sys.argv if argv is None else argv)
    program = Path(argv[0]).name if argv else "gluts"
    prefix = ["python", "-m", "gluts"] if program == "__main__.py" else ["gluts"]
    return shlex.join([*prefix, *argv[1:]])


_PROLOGUE = re.compile(r"<\?xml.*?\?>|<!DOCTYPE[^>]*>|<metadata>.*?</metadata>", re.S)
_IDS = re.compile(r'\bid="([^"]+)"|(href=")#([^"]+)"|url\(#([^)]+)\)')


def inline_svg(figure, prefix: str = "") -> str:
    """A matplotlib figure as an ``<svg>`` element to paste into an HTML page.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        The figure (text is drawn as paths, so no font is needed).
    prefix : str, default=""
        Put before every id (and every reference to one), so that several figures in one
        page keep distinct ids.

    Returns
    -------
    str
        The ``<svg>`` element, without XML prologue, doctype or metadata; ``xlink:href``
        becomes SVG 2's ``href``, so the only URL left is the SVG namespace.
    """
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = _PROLOGUE.sub("", buffer.getvalue())
    text = text.replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "")
    text = text.replace("xlink:href=", "href=")

    def rename(match: re.Match) -> str:
        if match.group(1) is not None:
            return f'id="{prefix}{match.group(1)}"'
        if match.group(2) is not None:
            return f'href="#{prefix}{match.group(3)}"'
        return f"url(#{prefix}{match.group(4)})"

    return _IDS.sub(rename, text).strip()


def _key_values(pairs: list[tuple[str, str]]) -> str:
    rows = "".join(
        f'<tr><th scope="row">{escape(k)}</th><td>{escape(v)}</td></tr>' for k, v in pairs
    )
    return f"<table>{rows}</table>"


def _table(table: Table) -> str:
    numeric = table.numeric or [False] * len(table.header)
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in table.header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{escape(c)}</td>' if right else f"<td>{escape(c)}</td>"
            for c, right in zip(row, numeric)
        )
        + "</tr>"
        for row in table.rows
    )
    note = f"<p>{escape(table.note)}</p>" if table.note else ""
    return (
        f"<table><caption>{escape(table.caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{note}"
    )
