"""Benchmark: how long checking and re-encoding an officer photo takes, and the memory it needs.

Run: DEBUG=true .venv/bin/python -m bench.photos
Each case runs in a fresh process that reads a prepared file, so the peak memory (max RSS above
the process's baseline after start-up) belongs to checking and re-encoding alone.
"""

from __future__ import annotations

import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = {
    "jpeg-6000x6000": ("JPEG", (6000, 6000)),
    "jpeg-4032x3024": ("JPEG", (4032, 3024)),
    "png-4000x3000": ("PNG", (4000, 3000)),
    "webp-2000x2000": ("WEBP", (2000, 2000)),
}
RUNS = 5


def make_image(fmt: str, size: tuple[int, int]) -> bytes:
    from PIL import Image

    image = Image.radial_gradient("L").resize(size).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, fmt, quality=85)
    return buffer.getvalue()


def run_case(name: str, path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wijkportaal.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from officers.photos import prepare_photo

    data = path.read_bytes()
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        prepare_photo(upload=SimpleUploadedFile("photo", data))
        timings.append(time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"{name:16} {len(data) / 1e6:6.2f} MB  median {statistics.median(timings) * 1000:7.1f} ms  "
        f"max {max(timings) * 1000:7.1f} ms  extra peak memory {max(peak - baseline, 0) / 1024:6.1f} MB"
    )


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "make":
        fmt, size = CASES[sys.argv[2]]
        Path(sys.argv[3]).write_bytes(make_image(fmt, size))
        return
    if len(sys.argv) == 3:
        run_case(sys.argv[1], Path(sys.argv[2]))
        return
    print(
        f"prepare_photo, {RUNS} runs per case (upload size, time, peak memory above the baseline)"
    )
    # Images are made and measured in separate processes: Linux carries a process's peak
    # memory over exec, so a parent that made a big image would hide the child's own peak.
    with tempfile.TemporaryDirectory() as folder:
        for name in CASES:
            path = Path(folder) / name
            subprocess.run([sys.executable, __file__, "make", name, str(path)], check=True)
            subprocess.run([sys.executable, __file__, name, str(path)], check=True)


if __name__ == "__main__":
    main()
