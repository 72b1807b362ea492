"""Batch mode: the same instructions over every image in a folder, in parallel processes."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"}


def _edit_one(path: str, instructions: list[str], output_dir: str, store: str | None, engines: str | None) -> dict:
    from .api import Editor
    from .settings import Settings

    settings = Settings.load(store=store or "memory://", engines=engines)
    with Editor(settings) as editor:
        session = editor.session()
        scores = []
        try:
            for index, text in enumerate(instructions):
                result = session.send(text, image=path if index == 0 else None)
                scores.append(result.score)
        except Exception as exc:  # one bad image must not stop the batch
            return {"path": path, "ok": False, "error": f"{type(exc).__name__}: {exc}"}
        target = Path(output_dir) / (Path(path).stem + ".png")
        session.image.save(target)
        return {"path": path, "ok": True, "output": str(target), "scores": scores}


def edit_folder(folder: Path, instructions: list[str], output: Path, *, workers: int = 2,
                store: str | None = None, engines: str | None = None, console: Console | None = None) -> int:
    """Edit every image in ``folder``; returns a process exit code (1 if any image failed)."""
    console = console or Console()
    paths = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    output.mkdir(parents=True, exist_ok=True)
    failures = 0
    columns = (TextColumn("[bold]editing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress, ProcessPoolExecutor(max_workers=max(1, workers)) as pool:
        task = progress.add_task("edit", total=len(paths))
        futures = [pool.submit(_edit_one, str(p), instructions, str(output), store, engines) for p in paths]
        for future in as_completed(futures):
            outcome = future.result()
            if not outcome["ok"]:
                failures += 1
                console.print(f"[red]{outcome['path']}: {outcome['error']}[/red]")
            progress.advance(task)
    console.print(f"{len(paths) - failures}/{len(paths)} images edited into {output}")
    return 1 if failures else 0
