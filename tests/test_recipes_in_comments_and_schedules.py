"""The chores of issue 14 run the three ways every recipe runs: a comment command (its positional
word and key=value parameters) and a schedule entry of `.gitops-bot.yaml` both resolve to the
recipe's checked parameters, and a plan of them on the example repository succeeds."""

from __future__ import annotations

import pytest

from gitops_bot.cli import main
from gitops_bot.delivery.comments import parse, resolve_params
from gitops_bot.domain.config import parse_config
from gitops_bot.engine.recipe import find_recipe

from .conftest import EXAMPLE

INVOCATIONS = [
    ("set-param", "autoscaling.minReplicas", {"value": "2", "apps": "auth-service,user-service", "env": "prod"}),
    ("set-value", "k8s/helm/environments/prod.yaml", {"key": "user-service.replicaCount", "value": "2"}),
    ("add-pod-annotation", "livekit", {"key": "prometheus.io/scrape", "value": "true"}),
    ("sidecar-exclude", "livekit", {}),
    ("allow-source", "https://charts.bitnami.com/bitnami", {"project": "platform"}),
    ("mesh-mode", "sidecar", {}),
]


@pytest.mark.parametrize("recipe, word, params", INVOCATIONS, ids=[i[0] for i in INVOCATIONS])
def test_a_comment_command_and_a_schedule_entry_resolve_alike(recipe, word, params):
    found = find_recipe(recipe)
    main_param = next(p.name for p in found.parameters if p.positional)
    comment = parse(f"/gitops-bot {recipe} {word} " + " ".join(f"{k}={v}" for k, v in params.items()))
    from_comment = found.check_params(resolve_params(comment, found))
    entry = "".join(f"\n      {k}: {v!r}" for k, v in {main_param: word, **params}.items())
    (invocation,) = parse_config(f"schedule:\n  - recipe: {recipe}\n    params:{entry}\n").schedule
    assert found.check_params(invocation.params) == from_comment
    assert from_comment[main_param] == word


@pytest.mark.parametrize("recipe, word, params", INVOCATIONS, ids=[i[0] for i in INVOCATIONS])
def test_each_plans_on_the_example(recipe, word, params, capsys):
    main_param = next(p.name for p in find_recipe(recipe).parameters if p.positional)
    args = [f"{k}={v}" for k, v in {main_param: word, **params}.items()]
    assert main(["plan", recipe, *args, "--repo", str(EXAMPLE)]) == 0
    assert "residue" in capsys.readouterr().out
