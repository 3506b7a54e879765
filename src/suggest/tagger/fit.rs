//! Training the tagger: the averaged perceptron over gold lines, the scale of one
//! online count, and the Platt curve that calibrates a name's margin to a score.
//!
//! Must not: read files (the callers give the lines).

use super::{Model, ONLINE_RATE, spans_of};

/// One training line: the features of its tokens and their gold tags.
pub struct Example {
    pub feats: Vec<Vec<u64>>,
    pub gold: Vec<usize>,
}

/// Trains an averaged perceptron for `epochs` passes over `examples`, visiting them
/// in an order shuffled by a fixed seed, so the same data gives the same model.
pub fn train(labels: Vec<String>, examples: &[Example], epochs: usize) -> Model {
    let mut m = Model::empty(labels);
    let nt = m.nt;
    // Sums of c * update, for the average (Daumé's trick).
    let mut acc_w: Vec<f32> = Vec::new();
    let mut acc_t = vec![0.0f32; m.trans.len()];
    let mut c = 1.0f32;
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..epochs {
        // Fisher-Yates with a fixed xorshift generator.
        for i in (1..order.len()).rev() {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            order.swap(i, (seed % (i as u64 + 1)) as usize);
        }
        for &x in &order {
            let ex = &examples[x];
            let pred = m.tags_of(&ex.feats, None);
            if pred != ex.gold {
                for (i, fs) in ex.feats.iter().enumerate() {
                    let (g, p) = (ex.gold[i], pred[i]);
                    if g == p {
                        continue;
                    }
                    for f in fs {
                        let r = match m.rows.get(f) {
                            Some(&r) => r as usize,
                            None => {
                                let r = m.keys.len();
                                m.rows.insert(*f, r as u32);
                                m.keys.push(*f);
                                m.weights.extend(std::iter::repeat_n(0.0, nt));
                                acc_w.extend(std::iter::repeat_n(0.0, nt));
                                r
                            }
                        };
                        m.weights[r * nt + g] += 1.0;
                        m.weights[r * nt + p] -= 1.0;
                        acc_w[r * nt + g] += c;
                        acc_w[r * nt + p] -= c;
                    }
                }
                for i in 0..ex.gold.len() {
                    let from = |tags: &[usize]| if i == 0 { nt } else { tags[i - 1] };
                    let (gf, pf) = (from(&ex.gold), from(&pred));
                    if (gf, ex.gold[i]) != (pf, pred[i]) {
                        m.trans[gf * nt + ex.gold[i]] += 1.0;
                        m.trans[pf * nt + pred[i]] -= 1.0;
                        acc_t[gf * nt + ex.gold[i]] += c;
                        acc_t[pf * nt + pred[i]] -= c;
                    }
                }
            }
            c += 1.0;
        }
    }
    for (w, a) in m.weights.iter_mut().zip(&acc_w) {
        *w -= a / c;
    }
    for (w, a) in m.trans.iter_mut().zip(&acc_t) {
        *w -= a / c;
    }
    // Features whose averaged weights are all near zero carry nothing.
    let mut keep_keys = Vec::new();
    let mut keep_w = Vec::new();
    for (r, k) in m.keys.iter().enumerate() {
        let w = &m.weights[r * nt..(r + 1) * nt];
        if w.iter().any(|x| x.abs() >= 0.01) {
            keep_keys.push(*k);
            keep_w.extend_from_slice(w);
        }
    }
    m.rows = keep_keys
        .iter()
        .enumerate()
        .map(|(i, k)| (*k, i as u32))
        .collect();
    m.keys = keep_keys;
    m.weights = keep_w;
    m.eta = ONLINE_RATE * m.typical_weight();
    m
}

impl Model {
    /// The mean absolute weight of a feature's best tag: the scale one online count
    /// is given, so that a decision moves the scores about as much as a training
    /// mistake did.
    fn typical_weight(&self) -> f32 {
        let nt = self.nt;
        if self.keys.is_empty() {
            return 0.1;
        }
        let sum: f32 = (0..self.keys.len())
            .map(|r| {
                self.weights[r * nt..(r + 1) * nt]
                    .iter()
                    .fold(0.0f32, |a, x| a.max(x.abs()))
            })
            .sum();
        sum / self.keys.len() as f32
    }

    /// Fits the Platt curve from held-out lines: for each name the model finds, its
    /// margin and whether it was right.
    pub fn calibrate(&mut self, held_out: &[Example]) {
        let mut pairs: Vec<(f32, f32)> = Vec::new();
        for ex in held_out {
            let gold = spans_of(&ex.gold);
            for (f, l, k, m) in self.tag_margins(&ex.feats, None) {
                let right = gold.contains(&(f, l, k));
                pairs.push((m, if right { 1.0 } else { 0.0 }));
            }
        }
        self.calib = fit_platt(&pairs);
    }

    /// The Platt parameters in use.
    pub fn calibration(&self) -> [f32; 2] {
        self.calib
    }

    pub fn set_calibration(&mut self, c: [f32; 2]) {
        self.calib = c;
    }
}

/// Logistic regression of `y` on `x` by Newton's method (two parameters).
pub fn fit_platt(pairs: &[(f32, f32)]) -> [f32; 2] {
    if pairs.is_empty() {
        return [1.0, 0.0];
    }
    let (mut a, mut b) = (0.0f64, 0.0f64);
    for _ in 0..50 {
        let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for &(x, y) in pairs {
            let (x, y) = (x as f64, y as f64);
            let p = 1.0 / (1.0 + (-(a * x + b)).exp());
            let w = (p * (1.0 - p)).max(1e-9);
            ga += (p - y) * x;
            gb += p - y;
            haa += w * x * x;
            hab += w * x;
            hbb += w;
        }
        // A little ridge keeps it stable when the classes separate.
        haa += 1e-3;
        hbb += 1e-3;
        let det = haa * hbb - hab * hab;
        if det.abs() < 1e-12 {
            break;
        }
        let da = (hbb * ga - hab * gb) / det;
        let db = (haa * gb - hab * ga) / det;
        a -= da;
        b -= db;
        if da.abs() + db.abs() < 1e-7 {
            break;
        }
    }
    [a as f32, b as f32]
}
