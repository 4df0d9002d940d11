#!/usr/bin/env python3
"""Cross-check casus's strategy solver against Gambit (pygambit 16.7).

Usage: crosscheck.py MANIFEST.json

The manifest, written by `tests/gambit.rs`, lists games: an `.efg` file (written by
`casus export`, or an original game that casus imported) and casus's answer at every
non-terminal node of its tree, in pre-order: who moves, the optimal options, the option taken
and the expected payoff of every player in the subgame that starts there. Casus computes these
by evaluating each subgame with its own engine (`casus_rules::game::solve`).

For every game this script loads the `.efg` with pygambit and checks casus three ways:

1. An independent backward induction over pygambit's node API, in exact fractions: a player
   maximises its own payoff, nature averages by its probabilities, and of several optimal
   actions the first in file order is played (casus's documented tie rule, which decides the
   other players' payoffs). At every node the expected payoffs must agree to 1e-9; where the
   oracle's optimum is unique casus must choose it; where it is tied, casus's reported set of
   optimal options must equal the oracle's.
2. Gambit's own evaluation of casus's profile (`MixedBehaviorProfile.node_value`): the value
   of casus's choices, as Gambit computes it, must equal casus's subgame values.
3. Gambit's regret (`agent_max_regret`) of casus's profile must be 0: no player gains by
   changing a choice at any information set. Being subgame perfect implies this, not the
   other way round, which is why check 1 is the oracle and this is a sanity check.

Outcomes on non-terminal nodes add up along the path, as in Gambit. Prints a JSON summary;
exits 1 on any disagreement, 2 on a usage error.
"""

import decimal
import json
import sys
from fractions import Fraction

import pygambit as gbt

TOLERANCE = 1e-9


def exact(number):
    """A pygambit number (Rational or Decimal) as a Fraction."""
    if isinstance(number, decimal.Decimal):
        return Fraction(number)
    return Fraction(str(number))


def preorder(root):
    """Every node, parents first, children in action order; no recursion."""
    order, stack = [], [root]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(reversed(list(node.children)))
    return order


def outcome_payoffs(node, players):
    # An outcome-less node's view is falsy (pygambit 16.7), not `None`.
    if not node.outcome:
        return [Fraction(0)] * len(players)
    return [exact(node.outcome[p]) for p in players]


def backward_induction(game):
    """Per node: its subgame value (own outcome included, ancestors' excluded), the optimal
    actions and the action played, for personal nodes."""
    players = list(game.players)
    nodes = preorder(game.root)
    value, optimal, played = {}, {}, {}
    for node in reversed(nodes):
        own = outcome_payoffs(node, players)
        children = list(node.children)
        if not children:
            value[node] = own
            continue
        if node.player.is_chance:
            below = [Fraction(0)] * len(players)
            for action, child in zip(node.infoset.actions, children):
                p = exact(action.prob)
                below = [b + p * v for b, v in zip(below, value[child])]
        else:
            mover = players.index(node.player)
            options = [value[child][mover] for child in children]
            best = max(options)
            optimal[node] = [i for i, v in enumerate(options) if v == best]
            played[node] = optimal[node][0]
            below = value[children[played[node]]]
        value[node] = [o + b for o, b in zip(own, below)]
    return nodes, value, optimal, played


def close(a, b):
    return abs(a - b) <= TOLERANCE * max(1.0, abs(b))


def check_game(entry, counts, disagreements):
    name = entry["name"]
    game = gbt.read_efg(entry["efg"])
    players = list(game.players)
    nodes, value, optimal, played = backward_induction(game)
    inner = [n for n in nodes if n.children]
    if len(inner) != len(entry["nodes"]):
        disagreements.append(
            f"{name}: casus has {len(entry['nodes'])} decision nodes, Gambit {len(inner)}"
        )
        return
    counts["games"] += 1
    counts["terminal_nodes"] += len(nodes) - len(inner)

    def disagree(i, what):
        disagreements.append(f"{name}: node {i + 1} in pre-order: {what}")

    # Payoffs from outcomes above each node (casus's values count them, Gambit's do not).
    above = {game.root: [Fraction(0)] * len(players)}
    for node in nodes:
        here = [a + o for a, o in zip(above[node], outcome_payoffs(node, players))]
        for child in node.children:
            above[child] = here

    profile = game.mixed_behavior_profile(rational=True)
    for i, (node, answer) in enumerate(zip(inner, entry["nodes"])):
        counts["nodes"] += 1
        chance = node.player.is_chance
        expected_player = None if chance else players.index(node.player)
        if answer["player"] != expected_player:
            disagree(i, f"casus says player {answer['player']} moves, Gambit {expected_player}")
            continue
        oracle = [float(a + v) for a, v in zip(above[node], value[node])]
        if not all(close(c, o) for c, o in zip(answer["value"], oracle)):
            disagree(i, f"expected payoffs {answer['value']} (casus) vs {oracle} (oracle)")
        if chance:
            counts["chance_nodes"] += 1
            continue
        counts["choice_nodes"] += 1
        best = optimal[node]
        if len(best) > 1:
            counts["ties"] += 1
            if sorted(answer["optimal"]) != best:
                disagree(i, f"tie: casus's optimal options {answer['optimal']}, oracle's {best}")
        elif answer["choice"] != best[0] or answer["optimal"] != best:
            disagree(i, f"casus chooses {answer['choice']} (optimal {answer['optimal']}), oracle {best[0]}")
        for k, action in enumerate(node.infoset.actions):
            profile[action] = gbt.Rational(1 if k == answer["choice"] else 0)

    # Gambit's own evaluation of casus's profile, node by node.
    for i, (node, answer) in enumerate(zip(inner, entry["nodes"])):
        gambit = [exact(profile.node_value(p, node)) + a for p, a in zip(players, above[node])]
        if not all(close(c, float(g)) for c, g in zip(answer["value"], gambit)):
            disagree(i, f"Gambit values casus's profile at {[float(g) for g in gambit]}, casus {answer['value']}")
    counts["node_values"] += len(inner)

    if any(not n.player.is_chance for n in inner):
        regret = exact(profile.agent_max_regret())
        counts["regret_checks"] += 1
        if regret != 0:
            disagreements.append(f"{name}: Gambit finds regret {regret} in casus's profile")


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        manifest = json.load(f)
    counts = dict.fromkeys(
        ["games", "nodes", "choice_nodes", "chance_nodes", "ties", "terminal_nodes",
         "node_values", "regret_checks"], 0)
    disagreements = []
    for entry in manifest["games"]:
        try:
            check_game(entry, counts, disagreements)
        except Exception as error:  # a game Gambit cannot read is a disagreement too
            disagreements.append(f"{entry['name']}: {type(error).__name__}: {error}")
    print(json.dumps({"pygambit": gbt.__version__, **counts, "disagreements": disagreements},
                     indent=2))
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
