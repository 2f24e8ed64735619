"""The `papo` command: new, chat, validate, graph, test, serve, studio, nlu, appointments, users, tokens,
incident, contacts, retention, templates."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from flows.errors import FlowInvalid, PapoError
from flows.graph import flow_mermaid, mermaid
from flows.loader import check_bot
from runtime import logs
from runtime.cli import access as cli_access
from runtime.cli import appointments as cli_appointments
from runtime.cli import nlu as cli_nlu
from runtime.cli import privacy as cli_privacy
from runtime.cli import templates as cli_templates
from runtime.engine.errors import ConfigError
from runtime.service.settings import Settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"papo: {exc}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level, settings.log_format, role=getattr(args, "role", None) or args.command)
    if args.command in ("chat", "test"):
        logging.getLogger().setLevel(max(logging.WARNING, logging.getLogger().level))
    try:
        return int(args.run(args))
    except FlowInvalid as exc:
        print(exc, file=sys.stderr)
        return 1
    except PapoError as exc:
        print(f"papo: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="papo", description="Run chatbot flows written as JSON.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    new = sub.add_parser("new", help="create a bot folder with one flow and one test")
    new.add_argument("botdir", type=Path)
    new.add_argument("--name", help="the bot's id (default: the folder's name)")
    new.add_argument("--locale", default="pt-BR", help="default locale (default pt-BR)")
    new.set_defaults(run=_new)

    chat = sub.add_parser("chat", help="talk to a bot in the terminal")
    chat.add_argument("botdir", type=Path)
    chat.add_argument("--user", default="local", help="the user id of this chat (default: local)")
    chat.set_defaults(run=_chat)

    validate = sub.add_parser("validate", help="check a bot folder; exit 1 when it has errors")
    validate.add_argument("botdir", type=Path)
    validate.add_argument("--json", action="store_true", help="print the issues as JSON")
    validate.set_defaults(run=_validate)

    graph = sub.add_parser("graph", help="print a Mermaid diagram of each flow")
    graph.add_argument("botdir", type=Path)
    graph.add_argument("--flow", help="only this flow")
    graph.set_defaults(run=_graph)

    test = sub.add_parser("test", help="run the bot's conversation tests (tests/*.yaml)")
    test.add_argument("botdir", type=Path)
    test.add_argument("-k", dest="select", help="only tests whose name contains this")
    test.add_argument("-v", "--verbose", action="store_true", help="print every transcript")
    test.add_argument("--dir", dest="folder", default="tests",
                      help="the folder of conversation files in the bot (default tests; e.g. corpus)")
    test.add_argument("--keep-going", action="store_true",
                      help="play every step after a failure and print the share of patient turns handled "
                           "(for a corpus); exits 1 only for invalid files")
    test.set_defaults(run=_test)

    serve = sub.add_parser("serve", help="serve bots' webhooks, workers and senders over HTTP")
    serve.add_argument("botdir", type=Path, nargs="*", help="one or more bot folders (webhooks are routed by account)")
    serve.add_argument("--bots-dir", type=Path, help="also serve every bot folder in this folder (one per clinic); "
                       "SIGHUP reloads the bots and opens folders added since")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    serve.add_argument("--role", choices=("all", "ingest", "worker", "sender", "timers", "campaigns"), default="all",
                       help="what this process runs (default all); with REDIS_URL, processes share the work")
    serve.set_defaults(run=_serve)

    studio = sub.add_parser("studio", help="edit the bot in the browser (the studio), on 127.0.0.1")
    studio.add_argument("botdir", type=Path)
    studio.add_argument("--port", type=int, default=8765, help="port to listen on (default 8765; 0 picks a free one)")
    studio.set_defaults(run=_studio)
    cli_nlu.add_parser(sub)
    cli_appointments.add_parser(sub)
    cli_privacy.add_parsers(sub)
    cli_access.add_parsers(sub)
    cli_templates.add_parser(sub)
    return parser


def _new(args: argparse.Namespace) -> int:
    from runtime.cli.scaffold import new_bot

    files = new_bot(args.botdir, name=args.name, locale=args.locale)
    print(f"created {args.botdir} ({len(files)} files). Try: papo chat {args.botdir}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from runtime.campaigns.templates import campaign_issues
    from runtime.conversations.validation import check_folder

    result = check_folder(args.botdir)
    if result.bot is not None:
        more = campaign_issues(args.botdir, result.bot)
        result = replace(result, issues=(*result.issues, *more),
                         bot=None if any(i.severity == "error" for i in more) else result.bot)
    if args.json:
        print(json.dumps([i.to_dict() for i in result.issues], ensure_ascii=False, indent=2))
    else:
        for issue in result.issues:
            print(issue)
        errors, warnings = len(result.errors), len(result.warnings)
        verdict = "invalid" if errors else "valid"
        print(f"{args.botdir}: {verdict} ({errors} error(s), {warnings} warning(s))")
    return 1 if result.errors else 0


def _graph(args: argparse.Namespace) -> int:
    result = check_bot(args.botdir)
    if result.bot is None:
        raise FlowInvalid(result.errors)
    bot = result.bot
    if args.flow:
        if args.flow not in bot.flows:
            raise PapoError(f"flow {args.flow!r} does not exist; flows: {', '.join(sorted(bot.flows))}")
        print(flow_mermaid(bot, bot.flows[args.flow]))
    else:
        print(mermaid(bot))
    return 0


def _chat(args: argparse.Namespace) -> int:
    from runtime.cli.chat import chat

    return asyncio.run(chat(args.botdir, user=args.user))


def _test(args: argparse.Namespace) -> int:
    from runtime.cli.testrun import run_tests

    return asyncio.run(run_tests(args.botdir, select=args.select, verbose=args.verbose, folder=args.folder,
                                 keep_going=args.keep_going))


def _serve(args: argparse.Namespace) -> int:
    from runtime.service.app import serve

    if not args.botdir and args.bots_dir is None:
        print("papo serve: name a bot folder, or --bots-dir with a folder of bot folders", file=sys.stderr)
        return 2
    return serve(args.botdir, host=args.host, port=args.port, role=args.role, bots_dir=args.bots_dir)


def _studio(args: argparse.Namespace) -> int:
    from runtime.service.studio.local import run_studio

    return run_studio(args.botdir, port=args.port)


if __name__ == "__main__":
    raise SystemExit(main())
