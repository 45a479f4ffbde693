"""The evaluation-report benchmark's instruments: memory and timing of this process, a PDF's page count, and
LibreOffice converting a filled .docx in batch mode (the baseline the PDF pipeline is compared with).
"""

import gc
import resource
import shutil
import statistics
import subprocess
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from report_bench_scene import check

LIBREOFFICE_BATCH = 10

# --- Memory and timing -----------------------------------------------------------------------------------------


def memory_mb() -> dict[str, float]:
    """The process's resident memory now (VmRSS) and its peak so far (VmHWM), in MB."""
    values: dict[str, float] = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            name, _colon, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    return {"rss": values.get("VmRSS", peak), "peak": values.get("VmHWM", peak)}


@dataclass
class Times:
    """Wall-clock times of runs, and the CPU time the process spent on each (what sharing the machine adds
    to the first and not to the second)."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def timed(action: Callable[[], Any], runs: int, into: Times | None = None) -> Times:
    """Times of `runs` calls; the garbage of earlier calls is collected first, so no run pays for another."""
    times = into if into is not None else Times()
    for _ in range(runs):
        gc.collect()
        cpu, wall = time.process_time(), time.perf_counter()
        action()
        times.wall.append(time.perf_counter() - wall)
        times.cpu.append(time.process_time() - cpu)
    return times


def summary(times: Times) -> dict[str, float]:
    wall = times.wall
    return {
        "median": statistics.median(wall),
        "min": min(wall),
        "max": max(wall),
        "runs": len(wall),
        "cpu": statistics.median(times.cpu),
    }


def page_count(pdf: bytes) -> int:
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo:
        result = subprocess.run([pdfinfo, "-"], input=pdf, capture_output=True, check=True)
        for line in result.stdout.decode().splitlines():
            if line.startswith("Pages:"):
                return int(line.split()[1])
    return pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page ")


# --- 2. LibreOffice converting a filled .docx ------------------------------------------------------------------


def libreoffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _paragraph(text: str, bold: bool = False) -> str:
    run_properties = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:p><w:r>{run_properties}<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def write_docx(path: Path, paragraphs: list[tuple[str, bool]]) -> None:
    """A filled .docx: with python-docx when installed, else the three parts a minimal one needs, by hand."""
    try:
        import docx  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        docx = None
    if docx is not None:
        document = docx.Document()
        for text, bold in paragraphs:
            document.add_paragraph().add_run(text).bold = bold
        document.save(str(path))
        return
    namespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(_paragraph(text, bold) for text, bold in paragraphs)
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="word/document.xml" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
            "</Relationships>"
        ),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<w:document xmlns:w="{namespace}"><w:body>{body}'
            '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
            '<w:pgMar w:top="1134" w:right="850" w:bottom="1247" w:left="1701"/></w:sectPr>'
            "</w:body></w:document>"
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)


def measure_libreoffice(workdir: Path, text: str) -> dict[str, Any] | None:
    """Per-document time of `soffice --headless --convert-to pdf` over a batch of ten filled .docx files."""
    binary = libreoffice()
    if binary is None:
        return None
    folder = workdir / "libreoffice"
    source, target = folder / "docx", folder / "pdf"
    source.mkdir(parents=True)
    target.mkdir()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    paragraphs = [(line, line.isupper()) for line in lines]
    files = []
    for number in range(1, LIBREOFFICE_BATCH + 1):
        path = source / f"bao-cao-{number:02d}.docx"
        write_docx(path, paragraphs)
        files.append(str(path))
    profile = (folder / "profile").as_uri()
    command = [binary, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(target)]
    # A first conversion creates the profile and warms the disk cache; the measured batch comes after.
    subprocess.run([*command, files[0]], check=True, capture_output=True, timeout=300)
    started = time.perf_counter()
    subprocess.run([*command, *files], check=True, capture_output=True, timeout=600)
    total = time.perf_counter() - started
    pdfs = sorted(target.glob("*.pdf"))
    check(len(pdfs) == LIBREOFFICE_BATCH, f"LibreOffice made {len(pdfs)} PDFs")
    return {
        "binary": binary,
        "version": subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip(),
        "total": total,
        "per_document": total / LIBREOFFICE_BATCH,
        "pages": page_count(pdfs[0].read_bytes()),
    }
