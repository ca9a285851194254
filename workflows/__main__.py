"""Command line: `python -m workflows diagram pip|induction|casc [--version N]`."""

from __future__ import annotations

import argparse
import sys

from workflows.engine import diagram
from workflows.errors import UnknownDefinition
from workflows.registry import CURRENT_VERSION


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m workflows")
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("diagram", help="print a pathway's state diagram as Mermaid")
    show.add_argument("pathway", help="one of: " + ", ".join(CURRENT_VERSION))
    show.add_argument("--version", type=int, default=None, help="pathway version (default: current)")
    args = parser.parse_args(argv)
    if args.pathway not in CURRENT_VERSION:
        parser.exit(2, f"unknown pathway {args.pathway!r}; choose one of: "
                       f"{', '.join(CURRENT_VERSION)}\n")
    try:
        text = diagram(args.pathway, args.version or CURRENT_VERSION[args.pathway])
    except UnknownDefinition as err:
        parser.exit(2, f"{err}\n")
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
