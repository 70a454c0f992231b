"""Every snippet of the README works as written.

* Each ```python block runs on its own (a fresh namespace, in an empty directory), as a
  reader who copies that one block would run it; one marked ```python no-run (it needs
  an engine CI does not install) is compiled only.
* Each ``gluts`` command in a shell block (```bash, ```console, ```sh) names a real command
  and only its real options, with the values they take and no extra arguments.
* Each ```console block runs: its ``$`` lines, in order, in an empty directory, each
  exiting with 0, and every output line the README shows under a command appears in what
  that command printed (stdout or stderr, in any order).

New sections are covered as they are added; nothing here names a section.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
import typer.main

from gluts.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"
BIN = Path(sys.executable).parent
_FENCE = re.compile(r"^```([\w-]*)([^\n]*)\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
_SHELLS = {"bash", "sh", "shell", "console"}
_SEPARATORS = {"&&", "||", "|", ";", "&"}
_UsageError = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")


@dataclass(frozen=True)
class Block:
    """A fenced block of the README: its language, first line of code, and text."""

    language: str
    line: int
    code: str
    runs: bool = True

    @property
    def id(self) -> str:
        return f"README.md:{self.line}"


def blocks(language: set[str]) -> list[Block]:
    text = README.read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        if match.group(1) in language:
            line = text.count("\n", 0, match.start(3)) + 1
            runs = "no-run" not in match.group(2).split()
            found.append(Block(match.group(1), line, match.group(3), runs))
    return found


def commands(block: Block) -> list[tuple[int, str, list[str]]]:
    """The commands of a shell block: (line, command, lines of output shown under it).

    In a console block commands start with ``$ ``, and the lines after one, up to the next,
    are its output; in a script every line is a command. ``\\`` continues a line.
    """
    out: list[tuple[int, str, list[str]]] = []
    pending, start = "", 0
    for offset, line in enumerate(block.code.splitlines()):
        number = block.line + offset
        if pending:
            pending, line = "", pending + line
        elif block.language == "console":
            if not line.startswith("$ "):
                if out and line.strip():
                    out[-1][2].append(line.rstrip())
                continue
            line, start = line[2:], number
        else:
            start = number
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if line.strip() and not line.lstrip().startswith("#"):
            out.append((start, line.strip(), []))
    return out


def simple_commands(command: str) -> list[list[str]]:
    """The words of each simple command of a shell line, without redirections."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    found: list[list[str]] = [[]]
    skip = False
    for token in lexer:
        if skip:
            skip = False
        elif token in _SEPARATORS:
            found.append([])
        elif set(token) <= set("<>&"):
            skip = True  # the redirection's target
            if found[-1] and found[-1][-1].isdigit():
                found[-1].pop()  # the descriptor of ``2> file``
        else:
            found[-1].append(token)
    return [words for words in found if words]


def gluts_invocations() -> list[tuple[str, list[str]]]:
    """Every ``gluts ...`` command (``.venv/bin/gluts`` too) in the README's shell blocks."""
    found = []
    for block in blocks(_SHELLS):
        for line, command, _ in commands(block):
            for words in simple_commands(command):
                if Path(words[0]).name == "gluts":
                    found.append((f"README.md:{line}", words[1:]))
    return found


def check_invocation(words: list[str], workdir: Path) -> None:
    """Parse ``gluts WORDS`` as the command line would, without running the command.

    Unknown commands or options, values of the wrong type, missing values and extra
    arguments raise click's ``UsageError``. The files the words name are made empty in
    ``workdir`` first: the block's earlier commands would have made them.
    """
    for word in words:
        if not word.startswith("-") and "." in word and "/" not in word:
            (workdir / word).touch()
    command, name, args, parent = typer.main.get_command(app), "gluts", list(words), None
    cwd = os.getcwd()
    os.chdir(workdir)
    try:
        while hasattr(command, "commands"):  # gluts, gluts datasets: a command comes next
            assert args, f"{name} needs a command"
            parent = command.make_context(name, [], parent=parent, resilient_parsing=True)
            word = args[0]
            name, command, args = command.resolve_command(parent, args)
            assert command is not None, f"{parent.info_name} has no command {word!r}"
        command.make_context(name, args, parent=parent)
    finally:
        os.chdir(cwd)


@pytest.mark.slow  # the snippets train networks with their default budgets, as readers will
@pytest.mark.parametrize("block", blocks({"python"}), ids=lambda b: b.id)
def test_python_snippet_runs_on_its_own(block, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    code = compile(block.code, block.id, "exec")
    if block.runs:
        exec(code, {"__name__": "__main__"})


@pytest.mark.parametrize(
    ("where", "words"), gluts_invocations(), ids=[w for w, _ in gluts_invocations()]
)
def test_gluts_commands_use_real_options(where, words, tmp_path):
    check_invocation(words, tmp_path)


def test_the_readme_has_snippets_of_each_kind():
    assert len(blocks({"python"})) >= 3
    assert len(gluts_invocations()) >= 5
    assert blocks({"console"})


@pytest.mark.parametrize(
    "words",
    [
        ["forecast", "x.csv", "--horizn", "3"],
        ["forecast", "x.csv", "--horizon", "three"],
        ["detect", "x.csv", "y.csv"],
        ["datasets"],
        ["fit", "x.csv"],
        ["detect", "x.csv", "--model"],
        ["detect", "x.csv", "--duplicates", "oldest"],
    ],
)
def test_a_misspelt_command_is_caught(words, tmp_path):
    with pytest.raises((AssertionError, _UsageError)):
        check_invocation(words, tmp_path)


@pytest.mark.slow
@pytest.mark.skipif(not (BIN / "gluts").exists(), reason="the gluts script is not installed")
@pytest.mark.parametrize("block", blocks({"console"}), ids=lambda b: b.id)
def test_console_snippet_runs_and_prints_what_it_shows(block, tmp_path):
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    for line, command, shown in commands(block):
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        where = f"README.md:{line}: {command}"
        assert done.returncode == 0, f"{where}\n{done.stderr[-2000:]}"
        printed = {row.rstrip() for row in (done.stdout + done.stderr).splitlines()}
        missing = [row for row in shown if row not in printed]
        assert not missing, f"{where} does not print:\n" + "\n".join(missing)
