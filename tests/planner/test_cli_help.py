"""Every help text of the ``kinito`` command is bilingual, Greek first: "ελληνικά / English",
as every message it prints (argparse's own words, and its -h/--help, aside); and every argument,
positional or optional, has one."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator

import pytest

from planner.cli import build_parser

GREEK = re.compile(r"[\u0370-\u03ff]")


def _parsers(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ("kinito",)
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """``parser`` and, depth first, every subcommand's parser below it, with its words."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, (*path, name))


def _help_texts(parser: argparse.ArgumentParser) -> Iterator[tuple[str, str]]:
    """(what, text) of the parser's description, each argument's help (not -h/--help's) and each
    subcommand's help; arguments given no help at all are left out."""
    if parser.description is not None:
        yield "description", parser.description
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:  # the help of each subcommand
                yield f"subcommand {choice.dest}", str(choice.help)
            continue
        if action.help is None or action.help == argparse.SUPPRESS:
            continue
        yield "/".join(action.option_strings) or action.dest, str(action.help)


PARSERS = list(_parsers(build_parser()))


def test_every_subcommand_is_walked() -> None:
    commands = {" ".join(path[1:]) for path, _ in PARSERS}
    for expected in ("plan", "week", "unit add", "staff list", "roads build", "user demo", "import"):
        assert expected in commands


@pytest.mark.parametrize(("path", "parser"), PARSERS, ids=[" ".join(p) for p, _ in PARSERS])
def test_help_is_greek_then_english(path: tuple[str, ...], parser: argparse.ArgumentParser) -> None:
    texts = list(_help_texts(parser))
    assert texts or len(path) > 1
    english_only = [
        f"{what}: {text!r}"
        for what, text in texts
        if " / " not in text or not GREEK.search(text.split(" / ", 1)[0])
    ]
    assert not english_only, f"{' '.join(path)}: not 'ελληνικά / English': " + "; ".join(english_only)
    parser.format_help()  # and argparse can print it (a lone % would raise here)


def _argument_name(action: argparse.Action) -> str:
    return "/".join(action.option_strings) or action.dest


@pytest.mark.parametrize(("path", "parser"), PARSERS, ids=[" ".join(p) for p, _ in PARSERS])
def test_every_argument_has_help(path: tuple[str, ...], parser: argparse.ArgumentParser) -> None:
    """Positional arguments included: ``kinito plan -h`` must say what PROBLEM is."""
    command = " ".join(path)
    missing = []
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            continue  # -h/--help is argparse's own; subcommands are checked as "subcommand ..." above
        name = _argument_name(action)
        has_help = action.help is not None and action.help != argparse.SUPPRESS and str(action.help).strip()
        if not has_help:
            missing.append(name)
    assert not missing, f"{command}: no help text for " + ", ".join(missing)


def test_every_subcommand_has_help() -> None:
    """Every subcommand is listed, with its help text, in its parent's -h (argparse leaves a
    subcommand added without ``help=`` out of that list altogether)."""
    missing = []
    for path, parser in PARSERS:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                helped = {id(action.choices[c.dest]) for c in action._choices_actions if c.help}
                missing += [
                    f"{' '.join(path)} {n}" for n, sub in action.choices.items() if id(sub) not in helped
                ]
    assert not missing, "subcommands without help: " + ", ".join(missing)


def test_argparse_errors_are_in_greek_too(capsys: pytest.CaptureFixture[str]) -> None:
    """argparse's own messages were English only («the following arguments are required»):
    each now comes in Greek first, then English; Kinito's own messages stay as they are."""
    from planner.cli import main

    cases = [
        (["plan"], "λείπουν υποχρεωτικά ορίσματα: problem / the following arguments are required: problem"),
        (["plnn"], "άγνωστη εντολή 'plnn' (οι εντολές: 'plan', 'validate'"),
        (["plan", "x.json", "--bogus"], "άγνωστα ορίσματα: --bogus / unrecognized arguments: --bogus"),
        (["plan", "x.json", "--time-limit", "abc"], "το --time-limit: το 'abc' δεν είναι αριθμός / argument"),
        (["plan", "x.json", "--workers", "two"], "το --workers: το 'two' δεν είναι ακέραιος"),
        (["week", "2026-W50", "--units"], "το --units θέλει τουλάχιστον μία τιμή"),
        (["serve", "--port", "0"], "το --port: 0: θύρα από 1 έως 65535 / argument --port: a port from 1"),
    ]
    for words, expected in cases:
        with pytest.raises(SystemExit) as stop:
            main(words)
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert expected in err, err
        assert "σφάλμα / error" not in err  # each one recognised


@pytest.mark.parametrize(("path", "parser"), PARSERS, ids=[" ".join(p) for p, _ in PARSERS])
def test_argparse_own_words_in_help_are_greek_too(
    path: tuple[str, ...], parser: argparse.ArgumentParser
) -> None:
    """`kinito … --help` printed «usage:», «positional arguments:», «options:» and «-h, --help
    show this help message and exit» in English only."""
    text = parser.format_help()
    assert text.startswith(f"χρήση / usage: {' '.join(path)}"), text[:80]
    assert "\nεπιλογές / options:\n" in text and "\noptions:" not in text
    assert "\npositional arguments:" not in text
    if any(not a.option_strings for a in parser._actions):
        assert "\nορίσματα / positional arguments:\n" in text
    help_line = " ".join(text[text.index("-h, --help") :].split())
    help_text = "εμφάνιση αυτής της βοήθειας και έξοδος / show this help message and exit"
    assert help_line.startswith(f"-h, --help {help_text}"), help_line
    assert parser.format_usage().startswith("χρήση / usage: ")


def test_help_is_printed_with_the_greek_words(capsys: pytest.CaptureFixture[str]) -> None:
    from planner.cli import main

    for words in (["--help"], ["plan", "-h"], ["user", "add", "--help"], ["roads", "build", "-h"]):
        with pytest.raises(SystemExit) as stop:
            main(words)
        assert stop.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith("χρήση / usage: kinito") and "επιλογές / options:" in out, words
        assert "\nusage:" not in out and "\noptions:" not in out


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["user", "list"], "kinito user: άγνωστη εντολή 'list' (οι εντολές: 'add', 'unit', 'demo') / "
         "unknown command 'list' (commands: 'add', 'unit', 'demo')"),
        (["unit", "remove"], "kinito unit: άγνωστη εντολή 'remove' (οι εντολές: 'add', 'hours', 'list') / "
         "unknown command 'remove'"),
        (["roads", "bild"], "kinito roads: άγνωστη εντολή 'bild' (οι εντολές: "),
        (["plnn"], "kinito: άγνωστη εντολή 'plnn' (οι εντολές: 'plan', 'validate'"),
        (["user"], "kinito user: λείπει η εντολή (οι εντολές: 'add', 'unit', 'demo') / "
         "a command is missing (commands: 'add', 'unit', 'demo')"),
        ([], "kinito: λείπει η εντολή (οι εντολές: 'plan', "),
    ],
)  # fmt: skip
def test_an_unknown_or_missing_subcommand_is_said_so(
    capsys: pytest.CaptureFixture[str], words: list[str], expected: str
) -> None:
    """`kinito user list` said «το user_command: μη έγκυρη επιλογή 'list'», an internal name;
    the top level said «άγνωστη εντολή»: every level now does, with the commands it has."""
    from planner.cli import main

    with pytest.raises(SystemExit) as stop:
        main(words)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert expected in err, err
    assert "_command" not in err and "invalid choice" not in err and "required: command" not in err
    assert err.startswith("χρήση / usage: kinito")
