"""How long papo's NLU takes, next to a bare normalisation pass measured in the same run.

    python -m benchmarks.nlu [--rounds 5]

Prints parse latency p50/p99 per message, in wall time and in the thread's CPU time (steadier on a
busy machine), for the clinic bot (its held-out test set), for 30 and 130 generated
intents, and for Cosibot's 138 European-Portuguese intents (80 % of tests/nlu/data/cosibot_pt
trained, the other 20 % parsed), each with the model training chose (sharp or cautious); then the
training time, the cross-validated choice included, for Cosibot, the clinic bot and 5,000 examples. The generated data
(pt-BR filler words around topic words per intent) has the shape that sets the cost (classes,
vocabulary, message length), not meaning.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its name would hide the package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import datetime  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from flows.loader import load_bot  # noqa: E402
from nlu import NLU, holdout_split, load_training_data  # noqa: E402
from nlu.config import NluConfig  # noqa: E402
from nlu.text import _normalise as normalise  # noqa: E402  (the uncached pass: a fair floor)
from runtime.service.wiring import understanding  # noqa: E402

ROOT = Path(__file__).parents[1]
NOW = datetime(2026, 3, 11, 10, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))
FILLERS = ["oi", "quero", "saber", "sobre", "por favor", "vocês", "tem", "como", "faço", "pra", "preciso", "de",
           "uma", "informação", "boa tarde", "bom dia", "gostaria", "ver", "o", "a", "meu", "minha", "ajuda", "com"]
TOPICS = ["consulta", "exame", "vacina", "retorno", "receita", "atestado", "laudo", "boleto", "pix", "cartão",
          "estacionamento", "endereço", "horário", "convênio", "reembolso", "pediatra", "dermatologista",
          "cardiologista", "ginecologista", "ortopedista", "fisioterapia", "nutricionista", "psicólogo",
          "ultrassom", "raio", "sangue", "jejum", "resultado", "cadastro", "documentos", "teleconsulta",
          "acessibilidade", "wifi", "acompanhante", "urgência", "agenda", "desconto", "parcelamento", "nota",
          "telefone", "whatsapp", "email", "cancelamento", "remarcação", "preparo", "alergia", "medicação"]


def generated_intents(count: int, per_intent: int, seed: int = 7) -> dict[str, list[str]]:
    rng = random.Random(seed)
    intents = {}
    for n in range(count):
        topics = rng.sample(TOPICS, 3)
        intents[f"intent_{n:02d}"] = [
            " ".join(rng.sample(FILLERS, rng.randint(2, 5)) + rng.sample(topics, rng.randint(1, 2)))
            for _ in range(per_intent)]
    return intents


def latencies(work: Callable[[str], object], texts: list[str]) -> tuple[list[float], list[float]]:
    """Per message, microseconds of wall time and of this thread's CPU time (which a busy machine's
    other processes do not inflate), each sorted."""
    wall, cpu = [], []
    for text in texts:
        began, began_cpu = time.perf_counter_ns(), time.thread_time_ns()
        work(text)
        cpu.append((time.thread_time_ns() - began_cpu) / 1e3)
        wall.append((time.perf_counter_ns() - began) / 1e3)
    return sorted(wall), sorted(cpu)


def pct(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(p * len(values)))]


def kind(reader: NLU) -> str:
    return "sharp" if reader.classifier.tuning.sharp else "cautious"


def report(title: str, reader: NLU, texts: list[str], rounds: int) -> None:
    rows: dict[str, Callable[[str], object]] = {"bare normalisation": normalise,
                                                "parse (intent + entities)": lambda t: reader.parse(t, NOW)}
    columns = ("p50", "p99", "cpu p50", "cpu p99")
    found: dict[str, dict[str, list[float]]] = {k: {c: [] for c in columns} for k in rows}
    for _ in range(rounds):
        for name, fn in rows.items():
            wall, cpu = latencies(fn, texts)
            for column, values, p in (("p50", wall, 0.5), ("p99", wall, 0.99), ("cpu p50", cpu, 0.5),
                                      ("cpu p99", cpu, 0.99)):
                found[name][column].append(pct(values, p))
    median = {name: {c: statistics.median(v) for c, v in by.items()} for name, by in found.items()}
    floor = median["bare normalisation"]["p50"]
    print(f"\n{title}: {len(texts)} messages x {rounds} rounds, microseconds per message (median of the rounds)")
    print(f"  {'':28} {'p50':>8} {'p99':>8} {'cpu p50':>8} {'cpu p99':>8} {'p50 / normalisation':>20}")
    for name in rows:
        m = median[name]
        print(f"  {name:28} {m['p50']:>8.1f} {m['p99']:>8.1f} {m['cpu p50']:>8.1f} {m['cpu p99']:>8.1f} "
              f"{m['p50'] / floor:>20.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    clinic = ROOT / "examples" / "clinic"
    reader = understanding(load_bot(clinic), clinic)
    assert reader is not None
    held_out = [e.text for e in load_training_data([ROOT / "tests" / "nlu" / "data" / "test_nlu.yml"]).examples]
    title = f"clinic bot, {len(reader.classifier.intents)} intents, held-out set, {kind(reader)} model"
    report(title, reader, held_out, args.rounds)

    for count in (30, 130):
        queries = [text for examples in generated_intents(count, 12, seed=99).values() for text in examples]
        generated = NLU.from_intents(generated_intents(count, 40))
        report(f"{count} intents (generated), {kind(generated)} model", generated, queries, args.rounds)
    train, test = holdout_split(load_training_data([ROOT / "tests" / "nlu" / "data" / "cosibot_pt" / "nlu.yml"]))
    began = time.perf_counter()
    cosibot = NLU.from_data(train)
    cosibot_training = time.perf_counter() - began
    report(f"cosibot_pt, {len(cosibot.classifier.intents)} intents, held-out 20 %, {kind(cosibot)} model", cosibot,
           [text for text, _ in test], args.rounds)
    print(f"\ntraining cosibot_pt's 80 % ({len(train.examples):,} examples, {len(cosibot.classifier.intents)} intents; "
          f"cross-validated choice included, no cache): {cosibot_training:.2f} s")

    began = time.perf_counter()
    NLU.from_data(load_training_data([clinic / "nlu.yml"]), NluConfig())  # no cache_dir: trained afresh
    print(f"training the clinic bot's nlu.yml (cross-validated choice included, no cache): "
          f"{time.perf_counter() - began:.2f} s")

    five_thousand = generated_intents(30, 167)
    began = time.perf_counter()
    for text in (t for examples in five_thousand.values() for t in examples):
        normalise(text)
    bare = time.perf_counter() - began
    began = time.perf_counter()
    NLU.from_intents(five_thousand)
    trained = time.perf_counter() - began
    total = sum(map(len, five_thousand.values()))
    print(f"\ntraining on {total:,} examples (30 intents): {trained:.2f} s; "
          f"a bare normalisation pass over them: {bare:.3f} s (ratio {trained / bare:.0f})")


if __name__ == "__main__":
    main()
