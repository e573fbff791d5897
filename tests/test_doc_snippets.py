"""Every code example in README.md and docs/**/*.md runs.

The rules the pages are written to:

- ```python blocks run in document order in one namespace per file, with the working
  directory a fresh temporary directory per file (a file written by one block is there for
  the next).
- ```bash blocks run with ``bash -euo pipefail -c`` in the same directory, in document
  order with the python blocks. ``fastsmote`` and ``python`` are this interpreter's
  (its bin directory first on PATH, this checkout first on PYTHONPATH).
- A command that starts with ``pip install`` is not run (installing is what the test
  command does before running this file); in ``pip install X && cmd`` only ``cmd`` runs.
  A command that starts with ``python -m pytest`` is not run either: it is the command
  that runs this file. A bash block that repeats one of README.md's blocks verbatim (the
  two commands, shown on several pages) runs once per test session.
- Any other language tag (text, console, yaml, toml, json, none) is shown, not run.

A failure names the file, the line of the block's opening fence and the error.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYTHON_TAGS = {"python", "py", "python3"}
BASH_TAGS = {"bash", "sh", "shell"}
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
BASH_TIMEOUT = 300


@dataclass
class Block:
    """One fenced code block: its language tag, the line of its opening fence (1-based)
    and its code with the fence's indentation removed."""

    lang: str
    line: int
    code: str

    @property
    def runnable(self) -> bool:
        return self.lang in PYTHON_TAGS or self.lang in BASH_TAGS


class SnippetError(AssertionError):
    """A block failed: the message names the file, the block's line and the error."""


def parse_blocks(text: str) -> list[Block]:
    """The fenced code blocks of a Markdown text, in order."""
    blocks = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        indent, fence = match["indent"], match["fence"]
        info = match["info"].strip()
        lang = info.split()[0].lstrip("{.").rstrip("}").lower() if info else ""
        start = i + 1
        body = []
        i += 1
        while i < len(lines):
            close = FENCE.match(lines[i])
            if (
                close
                and close["fence"][0] == fence[0]
                and len(close["fence"]) >= len(fence)
                and not close["info"].strip()
            ):
                break
            line = lines[i]
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            i += 1
        blocks.append(Block(lang, start, "\n".join(body) + "\n"))
        i += 1
    return blocks


def bash_commands(code: str) -> str:
    """The script a bash block runs: ``pip install`` commands dropped (``&& rest`` kept),
    ``python -m pytest`` dropped."""
    logical, current = [], ""
    for line in code.splitlines():
        current += line
        if line.endswith("\\"):
            current = current[:-1] + " "
            continue
        logical.append(current)
        current = ""
    if current:
        logical.append(current)
    kept = []
    for command in logical:
        stripped = command.strip()
        while stripped.startswith("pip install"):
            _, sep, rest = stripped.partition("&&")
            stripped = rest.strip() if sep else ""
        if stripped.startswith("python -m pytest"):
            continue
        if stripped:
            kept.append(stripped)
    return "\n".join(kept) + "\n"


def snippet_env() -> dict[str, str]:
    """This interpreter's bin directory first on PATH, this checkout first on PYTHONPATH,
    matplotlib without a display."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["PYTHONPATH"] = os.pathsep.join(p for p in [str(ROOT), env.get("PYTHONPATH", "")] if p)
    env["MPLBACKEND"] = "Agg"
    return env


def run_python(block: Block, namespace: dict, name: str) -> None:
    tree = ast.parse(block.code, filename=name)
    ast.increment_lineno(tree, block.line)  # line numbers of the Markdown file
    exec(compile(tree, name, "exec"), namespace)


_README_BASH_DONE: set[str] = set()


def readme_bash_blocks() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return {b.code for b in parse_blocks(text) if b.lang in BASH_TAGS}


def run_bash(block: Block, cwd: Path) -> None:
    script = bash_commands(block.code)
    if not script.strip() or block.code in _README_BASH_DONE:
        return
    proc = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env=snippet_env(),
        capture_output=True,
        text=True,
        timeout=BASH_TIMEOUT,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"exit code {proc.returncode}\n--- script\n{script}--- stdout\n{proc.stdout}"
            f"--- stderr\n{proc.stderr}"
        )
    if block.code in readme_bash_blocks():
        _README_BASH_DONE.add(block.code)


def run_markdown(text: str, name: str, workdir: Path) -> int:
    """Run the runnable blocks of ``text`` in ``workdir``; return how many ran.

    Raises SnippetError naming ``name``, the block's line and the error.
    """
    namespace: dict = {"__name__": "__doc_snippet__"}
    env = snippet_env()
    saved_env = {k: os.environ.get(k) for k in ("MPLBACKEND",)}
    os.environ["MPLBACKEND"] = env["MPLBACKEND"]
    previous = os.getcwd()
    os.chdir(workdir)
    ran = 0
    try:
        for block in parse_blocks(text):
            if not block.runnable:
                continue
            try:
                if block.lang in PYTHON_TAGS:
                    run_python(block, namespace, name)
                else:
                    run_bash(block, workdir)
            except Exception as exc:
                detail = "".join(traceback.format_exception(exc)[-6:])
                raise SnippetError(
                    f"{name}:{block.line}: {block.lang} block failed: "
                    f"{type(exc).__name__}: {exc}\n{detail}"
                ) from exc
            ran += 1
    finally:
        os.chdir(previous)
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        try:
            import matplotlib.pyplot as plt

            plt.close("all")
        except ImportError:
            pass
    return ran


def doc_files() -> list[Path]:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    return [
        f for f in files if any(b.runnable for b in parse_blocks(f.read_text(encoding="utf-8")))
    ]


@pytest.mark.parametrize("path", doc_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_snippets_run(path, tmp_path):
    ran = run_markdown(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)), tmp_path)
    assert ran > 0


def test_readme_has_runnable_blocks():
    blocks = parse_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert any(b.lang in PYTHON_TAGS for b in blocks)
    assert any(b.lang in BASH_TAGS for b in blocks)


SELF_TEST = """\
# Title

```python
x = 41
```

Text in between.

```text
this is output, not code: raise SystemExit(1)
```

```bash
pip install some-package-that-does-not-exist && echo made > made.txt
pip install another-one-that-does-not-exist
python -m pytest -q --this-is-not-run
test -f made.txt
```

  ```python
  x += 1
  assert x == 42
  ```

```python
raise ValueError("boom at the fifth block")
```
"""


def test_runner_reports_failing_block_with_its_line(tmp_path):
    blocks = parse_blocks(SELF_TEST)
    assert [(b.lang, b.line) for b in blocks] == [
        ("python", 3),
        ("text", 9),
        ("bash", 13),
        ("python", 20),
        ("python", 25),
    ]
    with pytest.raises(SnippetError, match=r"self\.md:25: python block failed: ValueError"):
        run_markdown(SELF_TEST, "self.md", tmp_path)
    assert (tmp_path / "made.txt").read_text() == "made\n"  # only the command after &&


def test_runner_runs_python_and_bash_in_one_directory(tmp_path):
    bin_dir = Path(sys.executable).parent
    origin = ROOT / "fastsmote" / "__init__.py"
    text = (
        "```python\nfrom pathlib import Path\nPath('a.txt').write_text('1')\n```\n"
        '```bash\ntest "$(cat a.txt)" = 1\n'
        f'test "$(dirname "$(command -v fastsmote)")" = "{bin_dir}"\n'
        f'test "$(dirname "$(command -v python)")" = "{bin_dir}"\n'
        "python -c \"import importlib.util as u; print(u.find_spec('fastsmote').origin)\""
        f' | grep -qx "{origin}"\n```\n'
    )
    assert run_markdown(text, "ok.md", tmp_path) == 2
    failing = "```text\nok\n```\n\n```bash\necho fine\nfalse\n```\n"
    with pytest.raises(SnippetError, match=r"bad\.md:5: bash block failed"):
        run_markdown(failing, "bad.md", tmp_path)


def test_bash_commands_drop_installs_only():
    script = bash_commands(
        'pip install -e ".[io]" && fastsmote demo\npip install x\n'
        "fastsmote resample a b \\\n    --target y\npython -m pytest -q\n"
    )
    assert script == "fastsmote demo\nfastsmote resample a b      --target y\n"
