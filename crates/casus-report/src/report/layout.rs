//! A layered (Sugiyama-style) layout, left to right, for the decision graph's SVG.
//!
//! The decision graph is already layered: every edge goes from a decision to a later one, so
//! a node's column is its decision's place in the file. What is left is the classic recipe:
//! - every edge gets a *label box* in the column right after its source (as Graphviz does for
//!   labelled edges), and *dummy* points in the columns it crosses, so edges and their labels
//!   are ordinary boxes that never overlap anything;
//! - crossing reduction by barycenter sweeps, keeping the order with the fewest crossings;
//! - vertical positions by repeated least-squares alignment with neighbours under
//!   minimum-separation constraints (isotonic regression, pool-adjacent-violators), which
//!   keeps boxes in a column apart by construction;
//! - columns placed one after another, each as wide as its widest box.
//!
//! Everything is deterministic: no hashing, ties broken by the previous order.

/// A box to place.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Size {
    /// Width in pixels.
    pub(crate) w: f64,
    /// Height in pixels.
    pub(crate) h: f64,
}

/// What to lay out: nodes with a column each, and edges from a lower column to a higher one.
#[derive(Clone, Debug, Default)]
pub(crate) struct Input {
    /// Each node's size and column (columns need not be contiguous).
    pub(crate) nodes: Vec<(Size, usize)>,
    /// `(from, to, label size)`; `from`'s column must be lower than `to`'s.
    pub(crate) edges: Vec<(usize, usize, Size)>,
}

/// Where everything went. Coordinates are of box centres, in pixels, with the margin applied.
#[derive(Clone, Debug, Default)]
pub(crate) struct Layout {
    /// Centre of each node.
    pub(crate) nodes: Vec<(f64, f64)>,
    /// Each edge: the centre of its label box, and the points the edge passes through from
    /// the source's right side to the target's left side (label box sides included).
    pub(crate) edges: Vec<EdgeRoute>,
    /// Total width.
    pub(crate) width: f64,
    /// Total height.
    pub(crate) height: f64,
}

/// The route of one edge.
#[derive(Clone, Debug, Default)]
pub(crate) struct EdgeRoute {
    /// Centre of the label box.
    pub(crate) label: (f64, f64),
    /// Points from the source to the label's left side.
    pub(crate) to_label: Vec<(f64, f64)>,
    /// Points from the label's right side to the target.
    pub(crate) from_label: Vec<(f64, f64)>,
}

/// Space around the drawing.
const MARGIN: f64 = 16.0;
/// Vertical gap between boxes in a column when one of them is a node.
const GAP: f64 = 12.0;
/// Vertical gap between edge labels and passing edges: they read as a list.
const SMALL_GAP: f64 = 4.0;
/// Horizontal gap between columns.
const COLUMN_GAP: f64 = 28.0;
/// Height reserved for an edge passing through a column.
const DUMMY: f64 = 6.0;
/// Crossing-reduction sweeps.
const SWEEPS: usize = 24;
/// Alignment iterations.
const ALIGN: usize = 40;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Node(usize),
    Label(usize),
    Dummy,
}

#[derive(Clone, Debug)]
struct Item {
    kind: Kind,
    size: Size,
    layer: usize,
    /// Neighbours in the previous and next layer (item indices).
    prev: Vec<usize>,
    next: Vec<usize>,
}

/// Lays out `input`. Never fails; an edge that does not go rightwards is drawn from its
/// source's column onwards as if it did (the decision graph never has one).
pub(crate) fn layout(input: &Input) -> Layout {
    // Layers: node columns at even positions, label columns at odd ones, compressed so that
    // empty columns take no space.
    let mut columns: Vec<usize> = input.nodes.iter().map(|(_, c)| *c).collect();
    columns.sort_unstable();
    columns.dedup();
    let layer_of = |column: usize| 2 * columns.partition_point(|&c| c < column);
    let n_layers = 2 * columns.len().max(1);

    let mut items: Vec<Item> = input
        .nodes
        .iter()
        .enumerate()
        .map(|(i, (size, column))| Item {
            kind: Kind::Node(i),
            size: *size,
            layer: layer_of(*column),
            prev: Vec::new(),
            next: Vec::new(),
        })
        .collect();
    // For each edge, the chain of items it passes through (label first).
    let mut chains: Vec<Vec<usize>> = Vec::with_capacity(input.edges.len());
    for (e, &(from, to, label)) in input.edges.iter().enumerate() {
        let (Some(source), Some(target)) = (items.get(from), items.get(to)) else {
            chains.push(Vec::new());
            continue;
        };
        let (start, end) = (source.layer, target.layer.max(source.layer + 2));
        let mut chain = Vec::new();
        let mut last = from;
        for layer in start + 1..end {
            let kind = if layer == start + 1 {
                Kind::Label(e)
            } else {
                Kind::Dummy
            };
            let size = match kind {
                Kind::Label(_) => label,
                _ => Size { w: 0.0, h: DUMMY },
            };
            let id = items.len();
            items.push(Item {
                kind,
                size,
                layer,
                prev: vec![last],
                next: Vec::new(),
            });
            items[last].next.push(id);
            chain.push(id);
            last = id;
        }
        items[last].next.push(to);
        items[to].prev.push(last);
        chains.push(chain);
    }
    let n_layers = n_layers.max(items.iter().map(|i| i.layer + 1).max().unwrap_or(0));

    // Initial order: creation order, which is breadth first from the root.
    let mut order: Vec<Vec<usize>> = vec![Vec::new(); n_layers];
    for (i, item) in items.iter().enumerate() {
        order[item.layer].push(i);
    }
    let order = reduce_crossings(&items, order);
    let y = assign_y(&items, &order);

    // Columns left to right, each as wide as its widest item.
    let mut x_left = vec![0.0; n_layers];
    let mut widths = vec![0.0f64; n_layers];
    for item in &items {
        widths[item.layer] = widths[item.layer].max(item.size.w);
    }
    let mut x = MARGIN;
    for layer in 0..n_layers {
        x_left[layer] = x;
        if widths[layer] > 0.0 || layer % 2 == 1 {
            x += widths[layer] + COLUMN_GAP;
        }
    }
    let width = x - COLUMN_GAP + MARGIN;
    let centre_x = |i: usize| {
        let item = &items[i];
        match item.kind {
            // Nodes are centred in their column; labels hug the left of theirs, next to the
            // source; dummies sit in the middle.
            Kind::Node(_) => x_left[item.layer] + widths[item.layer] / 2.0,
            Kind::Label(_) => x_left[item.layer] + item.size.w / 2.0,
            Kind::Dummy => x_left[item.layer] + widths[item.layer] / 2.0,
        }
    };
    let top = items
        .iter()
        .enumerate()
        .map(|(i, item)| y[i] - item.size.h / 2.0)
        .fold(f64::INFINITY, f64::min);
    let shift = if top.is_finite() { MARGIN - top } else { 0.0 };
    let height = items
        .iter()
        .enumerate()
        .map(|(i, item)| y[i] + shift + item.size.h / 2.0)
        .fold(0.0, f64::max)
        + MARGIN;

    let position = |i: usize| (centre_x(i), y[i] + shift);
    let right = |i: usize| {
        let (cx, cy) = position(i);
        (cx + items[i].size.w / 2.0, cy)
    };
    let left = |i: usize| {
        let (cx, cy) = position(i);
        (cx - items[i].size.w / 2.0, cy)
    };
    let nodes = (0..input.nodes.len()).map(position).collect();
    let edges = input
        .edges
        .iter()
        .zip(&chains)
        .map(|(&(from, to, _), chain)| {
            let Some(&label) = chain.first() else {
                return EdgeRoute::default();
            };
            let mut from_label = vec![right(label)];
            for &d in &chain[1..] {
                let (cx, cy) = position(d);
                // A dummy is a straight run across its column, so curves stay between columns.
                from_label.push((x_left[items[d].layer], cy));
                from_label.push((x_left[items[d].layer] + widths[items[d].layer], cy));
                let _ = cx;
            }
            from_label.push(left(to));
            EdgeRoute {
                label: position(label),
                to_label: vec![right(from), left(label)],
                from_label,
            }
        })
        .collect();
    Layout {
        nodes,
        edges,
        width,
        height,
    }
}

/// Barycenter sweeps, down and up, keeping the order with the fewest crossings.
fn reduce_crossings(items: &[Item], mut order: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
    let mut best = order.clone();
    let mut best_crossings = crossings(items, &order);
    let n = order.len();
    for sweep in 0..SWEEPS {
        let downward = sweep % 2 == 0;
        let layers: Vec<usize> = if downward {
            (1..n).collect()
        } else {
            (0..n.saturating_sub(1)).rev().collect()
        };
        for layer in layers {
            let reference = if downward { layer - 1 } else { layer + 1 };
            let mut pos = vec![f64::NAN; items.len()];
            for (p, &i) in order[reference].iter().enumerate() {
                pos[i] = p as f64;
            }
            let current = &order[layer];
            let mut keyed: Vec<(f64, usize, usize)> = current
                .iter()
                .enumerate()
                .map(|(p, &i)| {
                    let neighbours = if downward {
                        &items[i].prev
                    } else {
                        &items[i].next
                    };
                    let known: Vec<f64> = neighbours
                        .iter()
                        .map(|&j| pos[j])
                        .filter(|v| !v.is_nan())
                        .collect();
                    let key = if known.is_empty() {
                        // Keep a node with no neighbours there roughly where it is.
                        p as f64 * order[reference].len().max(1) as f64
                            / current.len().max(1) as f64
                    } else {
                        known.iter().sum::<f64>() / known.len() as f64
                    };
                    (key, p, i)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            order[layer] = keyed.into_iter().map(|(_, _, i)| i).collect();
        }
        let c = crossings(items, &order);
        if c < best_crossings {
            best_crossings = c;
            best.clone_from(&order);
        }
    }
    best
}

/// Edge crossings between every pair of adjacent layers.
fn crossings(items: &[Item], order: &[Vec<usize>]) -> usize {
    let mut pos = vec![0usize; items.len()];
    for layer in order {
        for (p, &i) in layer.iter().enumerate() {
            pos[i] = p;
        }
    }
    let mut total = 0;
    for layer in order {
        let mut edges: Vec<(usize, usize)> = Vec::new();
        for &i in layer {
            for &j in &items[i].next {
                edges.push((pos[i], pos[j]));
            }
        }
        edges.sort_unstable();
        // Count inversions of the targets (small graphs: quadratic is fine and simple).
        for a in 0..edges.len() {
            for b in a + 1..edges.len() {
                if edges[a].0 < edges[b].0 && edges[a].1 > edges[b].1 {
                    total += 1;
                }
            }
        }
    }
    total
}

/// Vertical centres: each item pulled towards the mean of its neighbours, columns kept free
/// of overlaps by minimum separations.
fn assign_y(items: &[Item], order: &[Vec<usize>]) -> Vec<f64> {
    let mut y = vec![0.0; items.len()];
    for layer in order {
        let mut top = 0.0;
        for &i in layer {
            y[i] = top + items[i].size.h / 2.0;
            top += items[i].size.h + SMALL_GAP.max(GAP);
        }
    }
    for round in 0..ALIGN {
        let downward = round % 2 == 0;
        let layers: Vec<usize> = if downward {
            (0..order.len()).collect()
        } else {
            (0..order.len()).rev().collect()
        };
        for layer in layers {
            let ids = &order[layer];
            if ids.is_empty() {
                continue;
            }
            let desired: Vec<f64> = ids
                .iter()
                .map(|&i| {
                    let item = &items[i];
                    let neighbours: Vec<usize> = if round + 2 >= ALIGN {
                        // Final rounds: both sides, to settle in the middle.
                        item.prev.iter().chain(&item.next).copied().collect()
                    } else if downward {
                        item.prev.clone()
                    } else {
                        item.next.clone()
                    };
                    if neighbours.is_empty() {
                        y[i]
                    } else {
                        neighbours.iter().map(|&j| y[j]).sum::<f64>() / neighbours.len() as f64
                    }
                })
                .collect();
            let separations: Vec<f64> = ids
                .windows(2)
                .map(|w| {
                    (items[w[0]].size.h + items[w[1]].size.h) / 2.0
                        + gap(&items[w[0]], &items[w[1]])
                })
                .collect();
            let placed = separate(&desired, &separations);
            for (&i, v) in ids.iter().zip(placed) {
                y[i] = v;
            }
        }
    }
    y
}

/// The gap between two neighbours in a column.
fn gap(a: &Item, b: &Item) -> f64 {
    if matches!(a.kind, Kind::Node(_)) || matches!(b.kind, Kind::Node(_)) {
        GAP
    } else {
        SMALL_GAP
    }
}

/// The positions closest to `desired` (least squares) with `y[k+1] - y[k] >= sep[k]`:
/// subtract the cumulative separations, solve the isotonic regression by pooling adjacent
/// violators, add them back.
fn separate(desired: &[f64], sep: &[f64]) -> Vec<f64> {
    let mut offset = Vec::with_capacity(desired.len());
    let mut acc = 0.0;
    for k in 0..desired.len() {
        offset.push(acc);
        acc += sep.get(k).copied().unwrap_or(0.0);
    }
    // Blocks of (sum, count); each block's value is its mean.
    let mut blocks: Vec<(f64, usize)> = Vec::new();
    for (d, o) in desired.iter().zip(&offset) {
        blocks.push((d - o, 1));
        while blocks.len() >= 2 {
            let (s2, n2) = blocks[blocks.len() - 1];
            let (s1, n1) = blocks[blocks.len() - 2];
            if s1 / n1 as f64 > s2 / n2 as f64 {
                blocks.pop();
                blocks.pop();
                blocks.push((s1 + s2, n1 + n2));
            } else {
                break;
            }
        }
    }
    let mut out = Vec::with_capacity(desired.len());
    for (sum, count) in blocks {
        let value = sum / count as f64;
        for _ in 0..count {
            let k = out.len();
            out.push(value + offset[k]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overlaps(a: ((f64, f64), Size), b: ((f64, f64), Size)) -> bool {
        let ((ax, ay), sa) = a;
        let ((bx, by), sb) = b;
        (ax - bx).abs() < (sa.w + sb.w) / 2.0 && (ay - by).abs() < (sa.h + sb.h) / 2.0
    }

    #[test]
    fn separation_is_least_squares_and_keeps_order() {
        assert_eq!(separate(&[0.0, 0.0], &[10.0]), vec![-5.0, 5.0]);
        assert_eq!(separate(&[0.0, 50.0], &[10.0]), vec![0.0, 50.0]);
        let y = separate(&[5.0, 0.0, 0.0], &[10.0, 10.0]);
        assert!(y[1] - y[0] >= 10.0 - 1e-9 && y[2] - y[1] >= 10.0 - 1e-9);
    }

    #[test]
    fn nothing_overlaps_in_a_fan_with_long_edges() {
        let size = Size { w: 80.0, h: 30.0 };
        let label = Size { w: 60.0, h: 20.0 };
        let mut input = Input::default();
        input.nodes.push((size, 0));
        for k in 0..6 {
            input.nodes.push((size, 1 + k % 3));
            input.edges.push((0, 1 + k, label));
        }
        input.nodes.push((size, 5));
        for k in 0..6 {
            input.edges.push((1 + k, 7, label));
        }
        let out = layout(&input);
        let mut boxes: Vec<((f64, f64), Size)> = out
            .nodes
            .iter()
            .zip(&input.nodes)
            .map(|(p, (s, _))| (*p, *s))
            .collect();
        boxes.extend(out.edges.iter().map(|e| (e.label, label)));
        for a in 0..boxes.len() {
            for b in a + 1..boxes.len() {
                assert!(!overlaps(boxes[a], boxes[b]), "{a} and {b} overlap");
            }
            let ((x, y), s) = boxes[a];
            assert!(x - s.w / 2.0 >= 0.0 && x + s.w / 2.0 <= out.width);
            assert!(y - s.h / 2.0 >= 0.0 && y + s.h / 2.0 <= out.height);
        }
    }
}
