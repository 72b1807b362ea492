"""The `retouch` command line: edit, chat, demo, sessions, eval, serve."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from state.errors import RetouchError

from .api import Editor, TurnResult
from .settings import Settings

app = typer.Typer(help="Retouch: a conversational image editor.", no_args_is_help=True, add_completion=False)
# Soft wrapping: a long path or error line is printed whole, never broken at the terminal's width.
console = Console(soft_wrap=True)


def _editor(store: str | None, engines: str | None) -> Editor:
    settings = Settings.load(store=store, engines=engines)
    editor = Editor(settings)
    for note in editor.services.notes:
        console.print(f"[dim]{note}[/dim]")
    return editor


def _error(exc: Exception) -> None:
    """One unwrapped line naming the error; its text is printed as is, never read as markup."""
    console.print(f"[red]{type(exc).__name__}: {escape(str(exc))}[/red]")


def _show(result: TurnResult) -> None:
    if result.needs_answer:
        console.print(f"[bold yellow]?[/bold yellow] {result.reply}")
        return
    style = "green" if result.passed in (True, None) else "red"
    console.print(f"[{style}]{result.reply}[/{style}]")
    if result.critique is not None:
        for verdict in result.critique.operations:
            mark = "✓" if verdict.ok else "✗"
            console.print(f"  {mark} {verdict.op_id} {verdict.kind.value}: {verdict.reason}")
        for verdict in result.critique.constraints:
            if not verdict.holds:
                console.print(f"  ✗ constraint: {verdict.description}: {verdict.reason}")
        if result.critique.preservation:
            psnr = result.critique.preservation.get("psnr")
            console.print(f"  [dim]outside the edit: PSNR {psnr:.1f} dB, SSIM "
                          f"{result.critique.preservation.get('ssim', 1):.3f}[/dim]")


def _run(session, message: str, image=None, box=None, reference_images=(), confirm_plan=None) -> TurnResult:
    result = None
    with console.status(f"[bold]{message}[/bold]") as status:
        for event in session.stream(message, image=image, box=box, reference_images=reference_images,
                                    confirm_plan=confirm_plan):
            if event.result is not None:
                result = event.result
            else:
                status.update(f"[bold]{message}[/bold] · {event.stage}: {event.message[:80]}")
    return result


@app.command()
def edit(
    image: Path = typer.Argument(None, help="image to edit (omit with --new)"),
    instructions: list[str] = typer.Argument(..., help="one or more instructions, applied in order"),
    output: Path = typer.Option(Path("out"), "-o", "--output", help="output file (.png) or folder"),
    new: bool = typer.Option(False, "--new", help="start from words: the first instruction describes the image"),
    store: str = typer.Option(None, help="store URL (default: SQLite in the data dir)"),
    engines: str = typer.Option(None, help="classical, neural, auto or ray://HOST:PORT (engines served by Ray)"),
    workers: int = typer.Option(1, help="processes for a folder of images"),
) -> None:
    """Apply instructions to an image (or to every image in a folder) and save the result."""
    if new and image is not None:
        # With --new there is no image: the first positional word is the first instruction.
        instructions, image = [str(image), *instructions], None
    if image is not None and image.is_dir():
        from .batch import edit_folder

        code = edit_folder(image, instructions, output, workers=workers, store=store, engines=engines,
                           console=console)
        raise typer.Exit(code)
    if image is None and not new:
        console.print("[red]give an image, or --new to start from words[/red]")
        raise typer.Exit(2)
    try:
        with _editor(store, engines) as editor:
            session = editor.session()
            result = None
            for index, text in enumerate(instructions):
                result = _run(session, text, image=image if index == 0 else None)
                _show(result)
            target = output if output.suffix else output / "result.png"
            target.parent.mkdir(parents=True, exist_ok=True)
            session.image.save(target)
            console.print(f"saved {target} (session {session.id})")
    except RetouchError as exc:
        _error(exc)
        raise typer.Exit(1) from None


@app.command()
def chat(
    image: Path = typer.Argument(None, help="image to start with"),
    session_id: str = typer.Option(None, "--session", help="continue a stored session"),
    store: str = typer.Option(None), engines: str = typer.Option(None),
    output: Path = typer.Option(Path("retouch-chat.png"), "-o", "--output", help="where the image is saved after each turn"),
    confirm: bool = typer.Option(False, "--confirm", help="show each plan and ask y/n before it runs"),
) -> None:
    """Talk to Retouch about an image; the current image is saved after every turn.

    Besides messages: '/box X0 Y0 X1 Y1' points at a region for the next message ("remove this"),
    '/ref PATH' attaches an image to insert, '/image PATH' starts over from another image,
    'history' lists the turns, 'quit' stops. No error ends the conversation. With --confirm each
    plan is shown first: 'y' runs it, 'n' asks for another, any other answer is feedback for the next.
    """
    with _editor(store, engines) as editor:
        session = editor.session(session_id)
        console.print(f"session {session.id} — type 'quit' to stop, 'history' to list turns, "
                      "'/box x0 y0 x1 y1' to point at something")
        pending: dict = {"image": image}
        if confirm and (waiting := session.waiting()) is not None:  # a plan left waiting earlier
            _confirmed(session, waiting, output)
        while True:
            try:
                message = console.input("[bold cyan]you>[/bold cyan] ").strip()
            except (EOFError, KeyboardInterrupt):
                break
            if message in ("quit", "exit", ":q"):
                break
            if not message:
                continue
            if message == "history":
                for turn in session.history():
                    console.print(f"{turn.index:3d} {turn.kind.value:8s} {turn.message} → {turn.reply}")
                continue
            if message.startswith("/"):
                _chat_command(message, pending)
                continue
            try:
                result = _run(session, message, image=pending.pop("image", None), box=pending.pop("box", None),
                              reference_images=pending.pop("references", ()), confirm_plan=confirm or None)
            except Exception as exc:  # noqa: BLE001 — a chat survives every error a turn can raise
                _error(exc)
                _next_step(exc)
                continue
            if result.needs_approval:
                _confirmed(session, result, output)
                continue
            _show(result)
            if session.image is not None:
                session.image.save(output)
                console.print(f"[dim]saved {output}[/dim]")


def _confirmed(session, result: TurnResult, output: Path) -> None:
    """--confirm: show the waiting plan and ask; 'y' runs it, anything else asks for another plan."""
    try:
        while result.needs_approval:
            plan = result.pending_plan.plan
            console.print(f"[bold]plan {plan.round}[/bold] for turn {result.turn_index}:")
            for step in result.pending_plan.steps:
                console.print(f"  • {escape(step)}")
            if plan.round > 1 and plan.notes:
                console.print(f"  [dim]{escape('; '.join(plan.notes))}[/dim]")
            try:
                answer = console.input("[bold yellow]run it?[/bold yellow] [y/n, or say what to change] ").strip()
            except (EOFError, KeyboardInterrupt):
                console.print(f"[dim]the plan stays waiting: 'retouch chat --confirm --session {session.id}'[/dim]")
                raise
            if answer.lower() in ("y", "yes"):
                with console.status("[bold]running the plan[/bold]"):
                    result = session.approve()
            else:
                with console.status("[bold]planning again[/bold]"):
                    result = session.reject("" if answer.lower() in ("n", "no") else answer)
    except (EOFError, KeyboardInterrupt):
        raise typer.Exit(0) from None
    except Exception as exc:  # noqa: BLE001 — as for any turn: reported, the chat goes on
        _error(exc)
        return
    _show(result)
    if session.image is not None:
        session.image.save(output)
        console.print(f"[dim]saved {output}[/dim]")


def _chat_command(line: str, pending: dict) -> None:
    """'/box', '/ref' and '/image': what the next message comes with."""
    name, _, rest = line.partition(" ")
    if name == "/box":
        numbers = rest.replace(",", " ").split()
        if len(numbers) != 4 or not all(n.lstrip("-").isdigit() for n in numbers):
            console.print("[red]say /box X0 Y0 X1 Y1 (pixels), then e.g. 'remove this'[/red]")
            return
        pending["box"] = [int(n) for n in numbers]
        console.print(f"[dim]box {pending['box']} will go with the next message[/dim]")
    elif name in ("/ref", "/image") and rest.strip():
        path = Path(rest.strip()).expanduser()
        if not path.is_file():
            console.print(f"[red]no file {escape(str(path))}[/red]")
            return
        if name == "/ref":
            pending.setdefault("references", []).append(path)
        else:
            pending["image"] = path
        console.print(f"[dim]{escape(str(path))} will go with the next message[/dim]")
    else:
        console.print("[red]commands: /box X0 Y0 X1 Y1, /ref PATH, /image PATH[/red]")


def _next_step(exc: Exception) -> None:
    """What the person can do after an error, in one line."""
    if isinstance(exc, RetouchError) and getattr(exc, "code", "") == "target_not_found":
        console.print("[yellow]point at it with '/box X0 Y0 X1 Y1' and say e.g. 'remove this'[/yellow]")
    elif not isinstance(exc, RetouchError):
        console.print("[yellow]that was not expected; the session is as it was — try another message[/yellow]")


@app.command()
def demo(output: Path = typer.Option(Path("out/demo"), "-o", "--output")) -> None:
    """Run the offline demo conversations and write images and HTML traces."""
    from .demo import run_demo

    def progress(name: str, result: TurnResult) -> None:
        console.print(f"[bold]{name}[/bold] turn {result.turn_index}: {result.intent.text if result.intent else ''}")
        _show(result)

    reports = run_demo(output, on_turn=progress)
    for name, path in reports.items():
        console.print(f"{name}: {path}")
    console.print(f"[bold green]demo written to {output.resolve()}[/bold green]")


@app.command()
def sessions(store: str = typer.Option(None)) -> None:
    """List stored sessions."""
    with _editor(store, None) as editor:
        table = Table("id", "turns", "title")
        for meta in editor.sessions():
            table.add_row(meta.id, str(meta.turn_count), meta.title)
        console.print(table)


@app.command(name="eval", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def eval_(ctx: typer.Context) -> None:
    """Run the multi-turn evaluation harness (see `retouch eval --help`)."""
    from evals.cli import app as eval_app  # the harness is a separate package

    sys.exit(eval_app(ctx.args, standalone_mode=True))


def _register_server_commands() -> None:
    # serve/mcp need the `server` extra; without it the rest of the CLI still works.
    try:
        from .server_cli import register
    except ImportError:
        return
    register(app)


_register_server_commands()


def _register_engine_commands() -> None:
    from .engines_cli import engines_app

    app.add_typer(engines_app, name="engines")


_register_engine_commands()

if __name__ == "__main__":
    app()
