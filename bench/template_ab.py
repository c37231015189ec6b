"""Two typst templates compared on the same machine at the same moment: new 8-line invoices
rendered by each in turn, alternating, in one process, so that whatever else the machine runs
weighs on both alike. Also renders typst's floor (an empty A4 page) the same way.

    .venv/bin/python -m bench.template_ab OLD.typ [NEW.typ] [--repeat 100]

NEW defaults to the renderer's template.typ. Each template is copied beside the renderer's (its
fonts and its root); the copies are removed at the end. Printed: mean and median CPU time a
document, documents per second per core, and the file size. Not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import typst

from bench.documents import EMPTY_PAGE, numbered, sample_invoice
from billing.invoices.documents.render import FONTS, HERE, TEMPLATE, template_inputs


def compiler_of(source: str, name: str) -> tuple[Callable[[dict[str, str]], bytes], Path]:
    main = HERE / f"_bench_{name}.typ"
    main.write_text(source)
    fonts = typst.Fonts(
        include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(FONTS)]
    )
    compiler = typst.Compiler(str(main), root=str(HERE), font_paths=fonts, ignore_system_fonts=True)

    def render(inputs: dict[str, str]) -> bytes:
        return compiler.compile(
            format="pdf", sys_inputs=inputs, pdf_standards="a-3b", pdf_tags=False
        )

    return render, main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path, nargs="?", default=TEMPLATE)
    parser.add_argument("--repeat", type=int, default=100)
    arguments = parser.parse_args()
    repeat = arguments.repeat
    sources = {
        f"old: {arguments.old.name}": arguments.old.read_text(),
        f"new: {arguments.new.name}": arguments.new.read_text(),
        "floor: an empty page": EMPTY_PAGE,
    }
    inputs = [
        template_inputs(document, "en", "paged") for document in numbered(sample_invoice(), repeat)
    ]
    renders, made = {}, []
    try:
        for index, (label, source) in enumerate(sources.items()):
            render, path = compiler_of(source, str(index))
            renders[label] = render
            made.append(path)
        sizes = {label: len(render(inputs[repeat])) for label, render in renders.items()}
        cpu: dict[str, list[float]] = {label: [] for label in renders}
        for n in range(repeat):
            for label, render in renders.items():
                started = time.process_time()
                render(inputs[n])
                cpu[label].append(time.process_time() - started)
    finally:
        for path in made:
            path.unlink(missing_ok=True)
    load = os.getloadavg()
    print(f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    for label, times in cpu.items():
        mean_ms = statistics.mean(times) * 1000
        print(
            f"{label:<32} CPU mean {mean_ms:6.2f} ms  median "
            f"{statistics.median(times) * 1000:6.2f} ms  {1000 / mean_ms:5.0f} /s per core  "
            f"{sizes[label]:,} bytes"
        )


if __name__ == "__main__":
    main()
