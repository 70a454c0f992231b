"""The one progress bar of the library: silent unless verbose; one step per advance."""

import rich.progress

from gluts import GLUForecaster
from gluts._progress import progress_bar


class _Recorder:
    """Stands in for rich's Progress and records what the bar is told."""

    def __init__(self, transient):
        self.transient, self.tasks, self.updates = transient, [], []
        _Recorder.last = self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.closed = True

    def add_task(self, description, total):
        self.tasks.append((description, total))
        return 0

    def update(self, task, advance=None, description=None):
        self.updates.append((task, advance, description))


def test_without_verbose_nothing_is_drawn(capsys, monkeypatch):
    monkeypatch.setattr(rich.progress, "Progress", None)  # would fail if used
    with progress_bar(False, 3, "work") as advance:
        advance()
        advance("step 2")
    assert capsys.readouterr() == ("", "")


def test_verbose_bar_advances_one_step_per_call_and_relabels(monkeypatch):
    monkeypatch.setattr(rich.progress, "Progress", _Recorder)
    with progress_bar(True, 2, "work") as advance:
        advance()
        advance("step 2")
    bar = _Recorder.last
    assert bar.transient and bar.closed and bar.tasks == [("work", 2)]
    assert bar.updates == [(0, 1, None), (0, 1, "step 2")]


def test_glu_training_reports_each_step_with_its_loss(monkeypatch):
    monkeypatch.setattr(rich.progress, "Progress", _Recorder)
    y = [float(v % 7) + 1.0 for v in range(120)]
    GLUForecaster(2, n_channels=4, n_blocks=2, n_steps=3, verbose=True, random_state=0).fit(y)
    bar = _Recorder.last
    assert bar.tasks == [("GLU training", 3)]
    labels = [description for _, _, description in bar.updates]
    assert [label.split(" loss ")[0] for label in labels] == [f"GLU step {s}" for s in (1, 2, 3)]
