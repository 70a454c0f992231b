"""gluts._atomic.replacing: the one atomic writer of model files and CLI outputs (whose
atomic_path wraps it)."""

import os
import stat

import pytest

from gluts._atomic import replacing
from gluts._cli.writing import atomic_path


@pytest.mark.parametrize("writer", [replacing, atomic_path], ids=["replacing", "atomic_path"])
def test_a_failure_leaves_the_target_and_no_temporary_file(tmp_path, writer):
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError), writer(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("while writing")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_a_replaced_file_keeps_its_mode_and_a_new_one_gets_the_umasks(tmp_path):
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    old.write_text("old")
    old.chmod(0o640)
    previous = os.umask(0o022)
    try:
        for path in (old, new):
            with replacing(path) as tmp:
                tmp.write_text("new")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(old.stat().st_mode) == 0o640
    assert stat.S_IMODE(new.stat().st_mode) == 0o644
    assert old.read_text() == new.read_text() == "new"


def test_a_symlink_is_written_through_and_kept(tmp_path):
    (tmp_path / "real.csv").write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to("real.csv")
    with replacing(link) as tmp:
        tmp.write_text("new")
    assert link.is_symlink() and (tmp_path / "real.csv").read_text() == "new"


def test_a_deferred_commit_owns_the_written_file(tmp_path):
    pending = []
    target = tmp_path / "out.csv"
    with replacing(target, commit=lambda tmp, dest: pending.append((tmp, dest))) as tmp:
        tmp.write_text("new")
    assert not target.exists()
    [(written, dest)] = pending
    assert dest == os.path.realpath(target) and open(written).read() == "new"
