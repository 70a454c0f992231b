"""The HTML of ``--report``: escaped text, distinct ids across figures, the command line."""

from __future__ import annotations

from matplotlib.figure import Figure

from gluts._cli.report import Report, Table, command_line, render

from .test_report import _Page


def _figure(title: str) -> Figure:
    fig = Figure(figsize=(3, 2))
    ax = fig.subplots()
    ax.plot([0, 1, 2], [1, 0, 1], marker="o")
    ax.set_title(title)
    return fig


def test_two_figures_keep_distinct_ids_and_every_text_is_escaped():
    evil = "<img src=x onerror=alert(1)> & </table>"
    report = Report(
        title=f"Backtest of {evil}",
        summary=[("File", evil)],
        tables=[Table(evil, ["#", evil], [["1", evil]], [True, False], note=evil)],
        figures=[(evil, _figure("same")), ("second", _figure("same"))],
        notes=[evil],
    )
    html = render(report, command=f"gluts backtest '{evil}'", version="9.9.9", created="now")
    page = _Page()
    page.feed(html)
    page.close()
    assert page.errors == [] and page.open == []
    assert "<img" not in html and page.tags["table"] == html.count("</table>") == 2
    assert html.count("&lt;img src=x onerror=alert(1)&gt; &amp; &lt;/table&gt;") == 10
    assert page.tags["svg"] == 2 and page.tags["table"] == 2
    assert len(page.ids) == len(set(page.ids)) > 10  # same figure twice, ids still distinct
    assert all(h.startswith("#") and h[1:] in page.ids for h in page.hrefs)
    assert "<?xml" not in html and "<!DOCTYPE svg" not in html and "<metadata>" not in html


def test_command_line_is_what_a_user_types_again():
    argv = ["/venv/bin/gluts", "forecast", "my data.csv", "--report", "r.html"]
    assert command_line(argv) == "gluts forecast 'my data.csv' --report r.html"
    assert command_line(["/x/gluts/__main__.py", "detect", "a;b"]) == "python -m gluts detect 'a;b'"


def test_detect_by_row_report_says_rows_are_steps(runner, tmp_path):
    import pandas as pd

    from gluts.cli import app

    from .conftest import long_frame

    frame = long_frame(n_series=1, length=400)
    frame = pd.concat([frame, frame.iloc[[100]]]).sort_values("ds", kind="stable")
    data = tmp_path / "jitter.csv"
    frame.to_csv(data, index=False)
    report = tmp_path / "r.html"
    args = ["detect", str(data), "--model", "mad", "--by-row", "--report", str(report)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    page = _Page()
    page.feed(report.read_text(encoding="utf-8"))
    text = " ".join(" ".join(page.text).split())
    assert "Observations per series min 401, median 401, max 401" in text
    assert "Time span 2024-01-01 to 2024-01-17 15:00:00" in text
    assert "Frequency each row is one step (--by-row)" in text
    assert "Repeated timestamps kept: each row is its own step (--by-row)" in text
