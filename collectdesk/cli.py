"""Program entry point: a headless command, or the desktop program with Collect! flags."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from .commands import command_names, run

    if argv and (argv[0] in command_names() or argv[0] in ("-h", "--help")):
        return run(argv)
    from .startup import StartupError, parse_flags, usage_text

    try:
        settings = parse_flags(argv)
    except StartupError as exc:
        print(f"collectdesk: {exc}", file=sys.stderr)
        return 2
    if settings.show_help:
        print(usage_text())
        return 0
    from .ui.app import run_program

    return run_program(settings)


if __name__ == "__main__":
    raise SystemExit(main())
