"""``--report``: one self-contained, valid HTML file per command, run as a user runs gluts."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

import gluts

from .conftest import long_frame

GLUTS = Path(sys.executable).with_name("gluts")
HOSTILE = '<script>alert("x")</script>'
VOID = {"meta", "link", "br", "hr", "img", "input", "col", "area", "base", "wbr", "source"}

pytestmark = pytest.mark.skipif(not GLUTS.exists(), reason="the gluts script is not installed")

COMMANDS = {
    "forecast": ["forecast", "--horizon", "6", "--model", "snaive", "--level", "80"],
    "backtest": ["backtest", "--models", "snaive,naive", "--horizon", "6", "--windows", "2"],
    "detect": ["detect", "--model", "mad", "--train-fraction", "0.5"],
}
# What each report's results say (a regular expression).
RESULTS = {
    "forecast": r"6-step forecast of SeasonalNaive, one row per series series last observed .*"
    r"80% lower, last step 80% upper, last step .*Plots Forecasts",
    "backtest": r"Leaderboard \(horizon 6, 2 windows, season length 24\), best MASE first # Model "
    r".* 1 (Naive|SeasonalNaive) .* 2 (Naive|SeasonalNaive) .*Leaderboard and backtest forecasts",
    "detect": r"\d+ alert events? in \d+ of 3 series unique_id start end .*Plots Alerts",
}


class _Page(HTMLParser):
    """Counts the tags of a page and notes every end tag that closes nothing open."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.errors: list[str] = []
        self.tags: Counter = Counter()
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._attributes(tag, attrs)
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self._attributes(tag, attrs)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()

    def handle_data(self, data):
        self.text.append(data)

    def _attributes(self, tag, attrs):
        self.tags[tag] += 1
        attrs = dict(attrs)
        self.ids += [attrs["id"]] if "id" in attrs else []
        self.hrefs += [v for k, v in attrs.items() if k.endswith("href")]


@pytest.fixture
def repaired_csv(tmp_path):
    """Three hourly series (one named like a script) with a missing value and a repeat."""
    frame = long_frame(n_series=3, length=400)
    frame["unique_id"] = frame["unique_id"].replace({"s2": HOSTILE})
    frame = frame.drop(index=50)  # a gap in s0, filled by interpolation
    frame = pd.concat([frame, frame.iloc[[600]]])  # a repeated timestamp in s1
    path = tmp_path / "sales data.csv"
    frame.to_csv(path, index=False)
    return path


def _run(args, cwd):
    return subprocess.run(
        [str(GLUTS), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=180
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_report_is_valid_self_contained_html(repaired_csv, tmp_path, command):
    args = [COMMANDS[command][0], repaired_csv.name, *COMMANDS[command][1:]]
    args += ["--duplicates", "last", "--report", "my report.html"]
    done = _run(args, repaired_csv.parent)
    assert done.returncode == 0, done.stderr
    assert "Wrote the report to my report.html." in done.stderr
    html = (tmp_path / "my report.html").read_text(encoding="utf-8")

    page = _Page()
    page.feed(html)
    page.close()
    assert html.startswith("<!DOCTYPE html>")
    assert page.errors == [] and page.open == []
    assert page.tags["html"] == page.tags["head"] == page.tags["body"] == 1
    # The data summary and the results table; one figure, inline.
    assert page.tags["table"] == html.count("<table") == 2
    assert page.tags["svg"] == html.count("<svg") == 1
    assert page.tags["figure"] == 1 and page.tags["caption"] == 1
    # Nothing runs and nothing is fetched: no script, no external link, no URL but the
    # SVG namespace, ids unique, every link inside the page.
    assert "<script" not in html.lower() and "javascript:" not in html.lower()
    assert re.findall(r"\w+://[^\s\"'<>]*", html) == ["http://www.w3.org/2000/svg"]
    assert not {"link", "img", "iframe", "object", "embed"} & set(page.tags)
    assert len(page.ids) == len(set(page.ids))
    assert all(h.startswith("#") and h[1:] in page.ids for h in page.hrefs)

    text = " ".join(" ".join(page.text).split())
    assert f"Command: gluts {shlex.join(args)}" in text
    today = datetime.now(timezone.utc)
    dates = {(today - timedelta(days=d)).strftime("%Y-%m-%d") for d in (0, 1)}
    assert any(f"Made by gluts {gluts.__version__} on {d}" in text for d in dates)
    assert "File sales data.csv" in text
    assert "Series 3 Observations per series min 400, median 400, max 400" in text
    assert "Frequency h (season length 24)" in text
    assert "Missing values filled 1 in 1 series (linear interpolation)" in text
    assert "Repeated timestamps 1 row merged into the rows they repeat (--duplicates last)" in text
    if command == "forecast":  # a row per series (the others' tables show models, alerts)
        assert HOSTILE in text  # shown as text, escaped in the file
    assert "&lt;script&gt;" in html
    assert re.search(RESULTS[command], text), text
