"""Reading PDFs back with poppler-utils (Debian's pdftotext, pdffonts, pdfinfo)."""

import subprocess
import tempfile


def _run(tool: str, pdf: bytes, *args: str) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        return subprocess.run(
            [tool, *args, f.name, "-"] if tool == "pdftotext" else [tool, *args, f.name],
            check=True,
            capture_output=True,
            text=True,
        ).stdout


def text(pdf: bytes) -> str:
    return _run("pdftotext", pdf, "-layout")


def pages_text(pdf: bytes) -> list[str]:
    return text(pdf).split("\f")[:-1]


def fonts(pdf: bytes) -> set[str]:
    lines = _run("pdffonts", pdf).splitlines()[2:]
    return {line.split()[0].split("+")[-1] for line in lines if line.strip()}


def info(pdf: bytes) -> dict[str, str]:
    out = {}
    for line in _run("pdfinfo", pdf).splitlines():
        key, _, value = line.partition(":")
        out[key.strip()] = value.strip()
    return out


def save(name: str, data: bytes) -> None:
    """Keep a rendered record under test-output/records/ for people to look at."""
    from tests.conftest import OUTPUT

    folder = OUTPUT / "records"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
