// json-rules-engine on the same rules: one rule per casus rule (its effect applied in the
// success handler, by priority layers so a fact is final before any rule reads it), one rule
// per outcome; evaluated for every combination of decisions. Checks every combination
// reaches casus's outcome before reporting a time.
'use strict';
const fs = require('fs');
const { Engine } = require('json-rules-engine');
const { version } = require('json-rules-engine/package.json');

const [specPath, outPath, runsArg] = process.argv.slice(2);
const data = JSON.parse(fs.readFileSync(specPath, 'utf8'));
const spec = data.spec;
const runs = Number(runsArg || 3);

function names(cond, out) {
  if (cond.op === 'and' || cond.op === 'or') cond.args.forEach((a) => names(a, out));
  else if (cond.op === 'not') names(cond.arg, out);
  else out.push(cond.name);
  return out;
}

function condition(cond) {
  switch (cond.op) {
    case 'and': return { all: cond.args.map(condition) };
    case 'or': return { any: cond.args.map(condition) };
    case 'not': return { not: condition(cond.arg) };
    default: {
      const operator = { eq: 'equal', ne: 'notEqual', ge: 'greaterThanInclusive', lt: 'lessThan' }[cond.op];
      return { fact: cond.name, operator, value: cond.value };
    }
  }
}

const top = (cond) => {
  const c = condition(cond);
  return c.all || c.any || c.not ? c : { all: [c] };
};

// Layers: a fact's layer is one more than the layers of the facts its writers read.
const derived = spec.derived.map((d) => d.id);
const reads = derived.map(() => new Set());
for (const r of spec.rules) {
  const targets = r.then.map(([t]) => t).concat(r.add.map(([t]) => t));
  for (const t of targets) for (const n of names(r.when, [])) if (derived.includes(n)) reads[t].add(derived.indexOf(n));
}
const layer = [];
const visit = (f) => {
  if (layer[f] === undefined) layer[f] = 1 + Math.max(-1, ...[...reads[f]].map(visit));
  return layer[f];
};
derived.forEach((_, f) => visit(f));
const maxLayer = Math.max(0, ...layer);
const defaults = Object.fromEntries(spec.derived.map((d) => [d.id, d.type === 'number' ? 0 : d.type === 'bool' ? false : d.values[0]]));

let best = null; // per run: fact -> [priority, value] of the best writer that fired
const engine = new Engine([], { allowUndefinedFacts: true });
spec.rules.forEach((r, i) => {
  const targets = r.then.map(([t]) => t).concat(r.add.map(([t]) => t));
  engine.addRule({
    name: r.id,
    priority: maxLayer + 2 - Math.max(...targets.map((t) => layer[t])),
    conditions: top(r.when),
    event: { type: 'effect', params: { rule: i } },
    onSuccess: (event, almanac) => {
      for (const [t, value] of r.then) {
        const b = best.get(t);
        if (!b || r.priority > b[0]) {
          best.set(t, [r.priority, value]);
          almanac.addRuntimeFact(derived[t], value);
        }
      }
      for (const [t, amount] of r.add) {
        const b = best.get(t) || [0, defaults[derived[t]]];
        const sum = b[1] + amount;
        best.set(t, [0, sum]);
        almanac.addRuntimeFact(derived[t], sum);
      }
    },
  });
});
for (const o of spec.outcomes) {
  if (o.when) engine.addRule({ name: 'outcome ' + o.id, priority: 1, conditions: top(o.when), event: { type: 'outcome', params: { id: o.id } } });
}
const fallback = (spec.outcomes.find((o) => !o.when) || {}).id;

function* combos(i, acc) {
  if (i === spec.decisions.length) { yield { ...acc }; return; }
  for (const o of spec.decisions[i].options) { acc[spec.decisions[i].id] = o; yield* combos(i + 1, acc); }
}
const all = [...combos(0, {})].map((c) => ({ ...defaults, ...c }));
const expected = data.casus.path_outcomes.map((o) => spec.outcomes[o].id);

async function evaluate(facts) {
  best = new Map();
  const { events } = await engine.run(facts);
  const o = events.find((e) => e.type === 'outcome');
  return o ? o.params.id : fallback;
}

(async () => {
  const got = [];
  for (const c of all) got.push(await evaluate(c));
  const disagreements = got.filter((g, i) => g !== expected[i]).length;
  const times = [];
  for (let k = 0; k < runs; k++) {
    const start = process.hrtime.bigint();
    for (const c of all) await evaluate(c);
    times.push(Number(process.hrtime.bigint() - start) / 1e3 / all.length);
  }
  times.sort((a, b) => a - b);
  const stat = (v) => ({ median: v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2, min: v[0], max: v[v.length - 1], runs: v.length });
  const paths = data.casus.paths;
  const result = {
    json_rules_engine: {
      package: 'json-rules-engine', version,
      scenario: `${spec.family.toLowerCase()} ${spec.size.decisions}x${spec.size.rules}`,
      combinations: all.length, agree: disagreements === 0, disagreements,
      per_combination_us: stat(times),
      casus_per_path_us: stat(data.casus.eval_seconds.map((s) => s / paths * 1e6).sort((a, b) => a - b)),
    },
  };
  fs.writeFileSync(outPath, JSON.stringify(result, null, 1));
  console.log('json-rules-engine:', result.json_rules_engine.agree, result.json_rules_engine.per_combination_us.median);
})();
