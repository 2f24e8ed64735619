"""Rasa retrieval intents ("faq/horario"): the intent ranking speaks of "faq", and a
`response_selector` section says which response key inside it was chosen."""

from __future__ import annotations

from typing import Any

from nlu.classifier import IntentScore


def split_retrieval(ranking: list[IntentScore]) -> tuple[list[IntentScore], dict[str, Any] | None]:
    """Fold "base/key" intents into their base; return the folded ranking and the selector section."""
    if not any("/" in score.name for score in ranking):
        return ranking, None
    totals: dict[str, float] = {}
    keys: dict[str, list[IntentScore]] = {}
    for score in ranking:
        base, _, key = score.name.partition("/")
        totals[base] = totals.get(base, 0.0) + score.confidence
        if key:
            keys.setdefault(base, []).append(score)
    folded = sorted((IntentScore(name, total) for name, total in totals.items()), key=lambda s: -s.confidence)
    selector: dict[str, Any] = {"all_retrieval_intents": sorted(keys)}
    for base, scores in keys.items():
        selector[base] = _section(scores, totals[base])
    return folded, selector


def _section(scores: list[IntentScore], total: float) -> dict[str, Any]:
    ranked = [{"confidence": s.confidence / total if total else 0.0, "intent_response_key": s.name}
              for s in sorted(scores, key=lambda s: -s.confidence)]
    best = ranked[0]
    return {
        "response": {**best, "utter_action": f"utter_{best['intent_response_key']}", "responses": []},
        "ranking": ranked,
    }
