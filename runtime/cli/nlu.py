"""`papo nlu`: train, evaluate, parse and import NLU data."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from flows.loader import load_bot
from runtime.service.wiring import understanding


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("nlu", help="train, evaluate, parse and import NLU data (Rasa formats)")
    nlu_sub = parser.add_subparsers(dest="nlu_command", required=True, metavar="NLU_COMMAND")

    train = nlu_sub.add_parser("train", help="train the bot's intent classifier and choose its fallback rule by "
                                             "cross-validation (cached by a hash of the data)")
    train.add_argument("botdir", type=Path)
    train.set_defaults(run=_train)

    evaluate = nlu_sub.add_parser("evaluate", help="accuracy, fallback rate, top-1 accuracy, answered precision, "
                                                   "macro-F1, per-intent P/R, confusions, advice on the data")
    evaluate.add_argument("botdir", type=Path)
    evaluate.add_argument("--data", type=Path, help="a held-out test file (Rasa YAML, Markdown or JSON); "
                                                    "without it, 5-fold cross-validation on the bot's own data")
    evaluate.add_argument("--folds", type=int, default=5)
    evaluate.set_defaults(run=_evaluate)

    parse = nlu_sub.add_parser("parse", help="print the parse of a text, in Rasa's /model/parse shape")
    parse.add_argument("text")
    parse.add_argument("--bot", type=Path, help="the bot whose intents to use (default: entities only)")
    parse.set_defaults(run=_parse)

    imported = nlu_sub.add_parser("import", help="read Rasa NLU data (YAML 3.1, legacy Markdown or JSON), "
                                                 "write YAML 3.1")
    imported.add_argument("file", type=Path)
    imported.add_argument("-o", "--output", type=Path, help="write here (default: standard output)")
    imported.set_defaults(run=_import)


def _trained(botdir: Path) -> Any:
    bot = load_bot(botdir)
    found = understanding(bot, botdir)
    if found is None:
        raise SystemExit(f"papo: {botdir} has no nlu.yml and no flow with triggers.intents: nothing to train")
    return found


def _train(args: argparse.Namespace) -> int:
    began = time.perf_counter()
    trained = _trained(args.botdir)
    tuning = trained.classifier.tuning
    budget = trained.config.classifier.fallback_budget
    print(f"{args.botdir}: {len(trained.classifier.intents)} intents ready in {time.perf_counter() - began:.1f} s "
          f"(cache: {trained.config.cache_dir})")
    if tuning.sharp:
        print(f"model: sharp (linear SVM, C={tuning.c:g}, with \"no intent\" in its softmax)")
    else:
        print(f"model: cautious (logistic regression, C={tuning.c:g})")
    print(f"fallback below confidence {trained.threshold:.3f} or a lead under {trained.ambiguity_threshold:.3f} "
          f"({_origin(trained.config.threshold, trained.config.ambiguity_threshold, tuned=tuning.sharp)})")
    if not tuning.folds:
        print("too few examples per intent to cross-validate: papo's cautious model and rule are used")
        return 0
    print(f"{tuning.folds}-fold cross-validation of the sharp model on {tuning.examples + tuning.unknown_examples} "
          f"distinct examples, within a fallback budget of {budget:.0%}; held out: accuracy {tuning.accuracy:.3f}, "
          f"fallback rate {tuning.fallback_rate:.3f}, top-1 accuracy {tuning.top1:.3f}, answered precision "
          f"{tuning.answered_precision:.3f}; examples of intents hidden from the model: {tuning.unknown_fallback:.0%} "
          "fell back")
    if not tuning.sharp:
        print(f"the examples earn no sharp confidences: held out, {tuning.loosest_fallback:.0%} of them fall back even "
              f"under the loosest rule (0.3 / 0.1), over the budget; more examples per intent, in the words patients "
              f"use, would ('papo nlu evaluate' names the thin intents)")
    return 0


def _origin(threshold: float | None, ambiguity: float | None, *, tuned: bool) -> str:
    if threshold is not None and ambiguity is not None:
        return "both set in bot.json"
    chosen = "tuned on the bot's examples" if tuned else "papo's defaults"
    if threshold is None and ambiguity is None:
        return f"both {chosen}"
    return f"one set in bot.json, the other {chosen.replace('defaults', 'default')}"


class _Bar:
    """A progress bar on standard error, for runs long enough to need one."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        percent = 100 * done // max(total, 1)
        if percent != self.shown and sys.stderr.isatty():
            self.shown = percent
            filled = percent // 5
            print(f"\r{self.label} [{'#' * filled}{'.' * (20 - filled)}] {done}/{total}", end="", file=sys.stderr)
            if done >= total:
                print(file=sys.stderr)


def _evaluate(args: argparse.Namespace) -> int:
    from nlu import advice, cross_validate, evaluate, load_training_data

    if args.data is not None:
        examples = [(e.text, e.intent) for e in load_training_data([args.data]).examples if e.intent]
        trained = _trained(args.botdir)
        result = evaluate(trained, examples, progress=_Bar("evaluating"))
        training = trained.data.intent_examples()
        print(f"held-out set {args.data}: {len(examples)} examples")
    else:
        data = load_training_data([args.botdir / "nlu.yml"])
        result = cross_validate(data, folds=args.folds, progress=_Bar("cross-validating"))
        training = data.intent_examples()
        print(f"{args.folds}-fold cross-validation on {args.botdir / 'nlu.yml'}")
    print(result.summary())
    for line in advice(training, result):
        print(f"warning: {line}")
    return 0


def _parse(args: argparse.Namespace) -> int:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from nlu import extract_builtin

    if args.bot is not None:
        bot = load_bot(args.bot)
        now = datetime.now(ZoneInfo(bot.timezone))
        print(json.dumps(_trained(args.bot).parse(args.text, now), ensure_ascii=False, indent=2))
        return 0
    now = datetime.now(ZoneInfo("America/Sao_Paulo"))
    entities = [e.to_rasa() for e in extract_builtin(args.text, now)]
    print(json.dumps({"text": args.text, "intent": None, "intent_ranking": [], "entities": entities},
                     ensure_ascii=False, indent=2))
    return 0


def _import(args: argparse.Namespace) -> int:
    from nlu import load_training_data, write_yaml

    data = load_training_data([args.file])
    text = write_yaml(data)
    if args.output is not None:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    intents = {e.intent for e in data.examples if e.intent}
    print(f"{args.file}: {len(data.examples)} examples, {len(intents)} intents, {len(data.synonyms)} synonyms, "
          f"{len(data.regexes)} regexes, {len(data.lookups)} lookup tables", file=sys.stderr)
    return 0
