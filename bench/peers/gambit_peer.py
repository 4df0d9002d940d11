"""pygambit on the same game: the tree of every path (players' and nature's moves, outcome
payoffs at the leaves) built through pygambit's API, then backward induction over its node
API, timed. pygambit 16.7 has no subgame-perfect solver, so backward induction is written
here the way casus defines it: an actor takes the first option (in file order) whose payoff is
within 1e-9 (relative) of the best; nature averages by likelihood. The root payoffs must
equal casus's strategy payoffs before a time is reported. Building the game is not timed
against casus (it is reported apart); `read_efg` on the same game is slower still."""

import json
import sys
import time
from fractions import Fraction
from importlib.metadata import version

import pygambit as gbt

import common

TIE = 1e-9


def build(data):
    spec = data["spec"]
    actors = spec["actors"]
    game = gbt.Game.new_tree(players=actors, title="casus generated")
    outcomes = [game.add_outcome(o["id"], [Fraction(x) for x in o["payoff"]]) for o in spec["outcomes"]]
    level = [game.root]
    for d, decision in enumerate(spec["decisions"]):
        probs = [Fraction(p).limit_denominator(10**12) for p in data["probabilities"][d]]
        probs[-1] = 1 - sum(probs[:-1])
        nxt = []
        for node in level:
            player = game.players.chance if decision["actor"] is None else actors[decision["actor"]]
            game.append_move(node, player, decision["options"])
            if decision["actor"] is None:
                game.set_chance_probs(node.infoset, probs)
            nxt.extend(node.children)
        level = nxt
    for leaf, o in zip(level, data["casus"]["path_outcomes"]):
        game.set_outcome(leaf, outcomes[o])
    return game


def backward_induction(game):
    players = list(game.players)

    def value(node):
        if node.is_terminal:
            outcome = node.outcome
            return [float(outcome[p]) for p in players]
        children = [value(c) for c in node.children]
        if node.player.is_chance:
            probs = [float(a.prob) for a in node.infoset.actions]
            total = sum(probs)
            return [sum(p * v[i] for p, v in zip(probs, children)) / total for i in range(len(players))]
        i = players.index(node.player)
        best = None
        for v in children:
            if best is None or (v[i] > best[i] and not abs(v[i] - best[i]) <= TIE * max(abs(best[i]), 1.0)):
                best = v
        return best

    return value(game.root)


def main():
    data = common.load(sys.argv[1])
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    start = time.perf_counter()
    game = build(data)
    build_s = time.perf_counter() - start
    payoffs = backward_induction(game)
    expected = data["casus"]["payoffs"]
    agree = len(payoffs) == len(expected) and all(abs(a - b) <= 1e-9 for a, b in zip(payoffs, expected))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        backward_induction(game)
        times.append(time.perf_counter() - start)
    result = {"pygambit": {
        "package": "pygambit", "version": version("pygambit"),
        "leaves": len(data["casus"]["path_outcomes"]), "agree": agree,
        "payoffs": payoffs, "casus_payoffs": expected, "build_s": build_s,
        "backward_induction_s": common.stats(times),
        "casus_s": common.stats(data["casus"]["eval_seconds"]),
    }}
    with open(sys.argv[2], "w") as f:
        json.dump(result, f, indent=1)
    print("pygambit:", agree, result["pygambit"]["backward_induction_s"]["median"], "s; build", build_s, "s")


main()
