"""How the `frontdesk` command prints: plain lines that read the same in a terminal, a pipe, a log file or CI.

Results go to stdout, errors to stderr as one `error: …` line. Nothing here interprets markup: customer text, KB
titles and error messages often hold square brackets (`[knowledge]`, `[/path]`) that a markup-aware printer would
eat or choke on. Colour is only a decoration that click drops by itself when the stream is not a terminal, and
tables are padded columns rather than box drawing, which garbles in narrow or non-UTF-8 consoles.
"""

from __future__ import annotations

from collections.abc import Sequence

import typer

USAGE_ERROR = 2  # the exit code for "you asked for something that cannot be done as asked" (as click uses)


def one_line(message: str) -> str:
    """Fold a message onto one line: library errors often carry their own newlines and indentation."""
    return "; ".join(" ".join(part.split()) for part in message.splitlines() if part.strip())


def print_error(message: str) -> None:
    """`error: <message>` on stderr, on one line."""
    typer.secho("error:", err=True, fg=typer.colors.RED, bold=True, nl=False)
    typer.echo(f" {one_line(message)}", err=True)


def print_warning(message: str) -> None:
    """`warning: <message>` on stderr: something worth knowing that does not stop the command."""
    typer.secho("warning:", err=True, fg=typer.colors.YELLOW, bold=True, nl=False)
    typer.echo(f" {one_line(message)}", err=True)


def fail(message: str, code: int = USAGE_ERROR) -> typer.Exit:
    """Print the error and return the exit to raise: `raise fail("…") from None`."""
    print_error(message)
    return typer.Exit(code)


def say(text: str = "") -> None:
    """A line of output on stdout, printed exactly as given."""
    typer.echo(text)


def heading(text: str) -> None:
    """A section title: bold in a terminal, plain elsewhere."""
    typer.secho(text, bold=True)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, right: Sequence[int] = ()) -> list[str]:
    """Rows as padded columns (two spaces apart), the header underlined with dashes; `right` aligns columns right.

    The last column is never padded, so a long value runs on instead of forcing every row wide.
    """
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            last = i == len(cells) - 1
            if i in right:
                out.append(str(cell).rjust(widths[i]))
            else:
                out.append(str(cell) if last else str(cell).ljust(widths[i]))
        return "  ".join(out).rstrip()

    return [line(headers), line(["-" * w for w in widths]), *(line(row) for row in rows)]
