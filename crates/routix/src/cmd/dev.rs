//! `routix dev train|eval`: build the category classifier from the data under `training/`
//! and measure it on what it never saw.
//!
//! Titles (`youtube-titles.csv`, YouTube's own category ids) are split by a hash of the
//! text: folds 0–1 are the test split, never trained on; `--exclude-fold 2` leaves out a
//! validation fold for tuning. Hand-written requests come in `requests-train.tsv` (trained
//! on) and `requests-eval.tsv` (only measured).

use std::{
    path::{Path, PathBuf},
    time::Instant,
};

use anyhow::Context;
use routix_core::{
    analyzer::{
        self,
        classifier::Model,
        train::{self, Example, TrainConfig},
        Blend,
    },
    Category,
};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: DevCommand,
}

#[derive(Debug, clap::Subcommand)]
enum DevCommand {
    /// Train the category classifier and write the model file.
    Train(TrainArgs),
    /// Print accuracy on the held-out titles and the evaluation requests.
    Eval(EvalArgs),
    /// Print the model's five likeliest categories and the cue scores for a text.
    Explain(ExplainArgs),
}

#[derive(Debug, clap::Args)]
struct ExplainArgs {
    text: String,
    #[arg(long)]
    model: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct TrainArgs {
    /// Folder with youtube-titles.csv and requests-train.tsv.
    #[arg(long, default_value = "training")]
    data: PathBuf,
    /// Where to write the model.
    #[arg(long, default_value = "crates/routix-core/assets/category-model.bin")]
    out: PathBuf,
    /// Also leave these folds (2–9) of the titles and the training requests out: a
    /// validation split for tuning, e.g. `--exclude-fold 2,3`.
    #[arg(long, value_delimiter = ',')]
    exclude_fold: Vec<u32>,
    /// How much a hand-written request counts against one title.
    #[arg(long, default_value_t = 3.0)]
    request_weight: f32,
    #[arg(long, default_value_t = TrainConfig::default().epochs)]
    epochs: usize,
    #[arg(long, default_value_t = TrainConfig::default().bits)]
    bits: u32,
    #[arg(long, default_value_t = TrainConfig::default().learning_rate)]
    learning_rate: f32,
    /// 0 = data as it is, 1 = every class the same total weight.
    #[arg(long, default_value_t = TrainConfig::default().balance)]
    balance: f32,
    /// Weight of the naive Bayes model against the linear one; 0 leaves it out.
    #[arg(long, default_value_t = TrainConfig::default().bayes_weight)]
    bayes_weight: f32,
    #[arg(long, default_value_t = TrainConfig::default().bayes_alpha)]
    bayes_alpha: f32,
    #[arg(long, default_value_t = TrainConfig::default().bayes_bits)]
    bayes_bits: u32,
}

#[derive(Debug, clap::Args)]
struct EvalArgs {
    #[arg(long, default_value = "training")]
    data: PathBuf,
    /// A model file to measure instead of the one built into this binary.
    #[arg(long)]
    model: Option<PathBuf>,
    /// What to score: `test` (title folds 0–1 and requests-eval.tsv), or validation folds
    /// of the titles and of requests-train.tsv, e.g. `2,3`.
    #[arg(long, default_value = "test")]
    split: String,
    #[arg(long, default_value_t = Blend::SHIPPED.rule_weight)]
    rule_weight: f32,
    #[arg(long, default_value_t = Blend::SHIPPED.general_below)]
    general_below: f32,
    /// Print every mistake.
    #[arg(long)]
    verbose: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        DevCommand::Train(a) => run_train(a),
        DevCommand::Eval(a) => run_eval(a),
        DevCommand::Explain(a) => run_explain(a),
    }
}

fn load(path: Option<&Path>) -> anyhow::Result<std::borrow::Cow<'static, Model>> {
    Ok(match path {
        Some(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            std::borrow::Cow::Owned(Model::from_bytes(&bytes).map_err(anyhow::Error::msg)?)
        }
        None => std::borrow::Cow::Borrowed(
            analyzer::classifier::shipped()
                .context("the built-in model did not load; run `routix dev train` and rebuild")?,
        ),
    })
}

fn run_explain(a: ExplainArgs) -> anyhow::Result<()> {
    let model = load(a.model.as_deref())?;
    let probs = model.predict(&a.text);
    let mut ranked: Vec<(Category, f32)> = model.classes().iter().copied().zip(probs).collect();
    ranked.sort_by(|x, y| y.1.total_cmp(&x.1));
    for (c, p) in ranked.iter().take(5) {
        println!("model  {:<14} {:.3}", c.as_str(), p);
    }
    for (c, s) in analyzer::rule_scores(&analyzer::normalise(&a.text)) {
        println!("cues   {:<14} {s:.1}", c.as_str());
    }
    Ok(())
}

/// One labelled title: its text and YouTube category id.
struct Title {
    text: String,
    youtube_id: u32,
}

/// One hand-written request.
struct Request {
    lang: String,
    category: Category,
    text: String,
}

fn run_train(a: TrainArgs) -> anyhow::Result<()> {
    let titles = read_titles(&a.data.join("youtube-titles.csv"))?;
    let requests = training_requests(&a.data)?;
    let mut examples: Vec<Example> = Vec::new();
    for t in &titles {
        let f = train::fold(&t.text);
        if f < 2 || a.exclude_fold.contains(&f) {
            continue;
        }
        if let Some(label) = title_label(t) {
            examples.push(Example {
                text: t.text.clone(),
                label,
                weight: 1.0,
            });
        }
    }
    let n_titles = examples.len();
    let requests: Vec<&Request> = requests
        .iter()
        .filter(|r| !a.exclude_fold.contains(&train::fold(&r.text)))
        .collect();
    examples.extend(requests.iter().map(|r| Example {
        text: r.text.clone(),
        label: r.category,
        weight: a.request_weight,
    }));
    let cfg = TrainConfig {
        bits: a.bits,
        epochs: a.epochs,
        learning_rate: a.learning_rate,
        balance: a.balance,
        bayes_weight: a.bayes_weight,
        bayes_alpha: a.bayes_alpha,
        bayes_bits: a.bayes_bits,
        ..TrainConfig::default()
    };
    let started = Instant::now();
    let model = train::train(&examples, &cfg);
    let bytes = model.to_bytes();
    std::fs::write(&a.out, &bytes).with_context(|| format!("writing {}", a.out.display()))?;
    println!(
        "trained on {n_titles} titles + {} requests ({} classes) in {:.1} s; wrote {} ({:.2} MB)",
        requests.len(),
        model.classes().len(),
        started.elapsed().as_secs_f32(),
        a.out.display(),
        bytes.len() as f32 / 1e6
    );
    Ok(())
}

/// A title's training label: YouTube's category, made finer by cue words where YouTube's is
/// coarse ("Howto & Style" → cooking, beauty, …), and only to a category YouTube's accepts.
fn title_label(t: &Title) -> Option<Category> {
    let base = train::youtube_category(t.youtube_id)?;
    match analyzer::rule_category(&t.text) {
        Some(c) if c != base && train::youtube_accepts(t.youtube_id, c) => Some(c),
        _ => Some(base),
    }
}

fn run_eval(a: EvalArgs) -> anyhow::Result<()> {
    let load_started = Instant::now();
    let model = load(a.model.as_deref())?;
    let model: &Model = &model;
    let load_ms = load_started.elapsed().as_secs_f64() * 1e3;
    let blend = Blend {
        rule_weight: a.rule_weight,
        general_below: a.general_below,
    };
    let classify =
        |text: &str| analyzer::categorise(text, &analyzer::normalise(text), Some(model), blend).0;

    let test = a.split == "test";
    let folds: Vec<u32> = if test {
        vec![0, 1]
    } else {
        a.split
            .split(',')
            .map(|f| f.trim().parse())
            .collect::<Result<_, _>>()
            .context("--split is `test` or fold numbers such as 2,3")?
    };
    let titles = read_titles(&a.data.join("youtube-titles.csv"))?;
    let mut table = Tally::default();
    for t in titles
        .iter()
        .filter(|t| folds.contains(&train::fold(&t.text)))
    {
        if train::youtube_category(t.youtube_id).is_none() {
            continue;
        }
        let got = classify(&t.text);
        let ok = train::youtube_accepts(t.youtube_id, got);
        if a.verbose && !ok {
            println!(
                "  miss  yt {:>2} → {:<13} {}",
                t.youtube_id,
                got.as_str(),
                t.text
            );
        }
        table.add(
            &format!("yt {:>2}", t.youtube_id),
            &format!("yt {:>2}", yt_of(got)),
            ok,
        );
    }
    println!(
        "\nYouTube titles, split {:?} ({} titles, never trained on)",
        a.split,
        table.total()
    );
    table.print();

    let requests = if test {
        read_requests(&a.data.join("requests-eval.tsv"))?
    } else {
        training_requests(&a.data)?
            .into_iter()
            .filter(|r| folds.contains(&train::fold(&r.text)))
            .collect()
    };
    let source = if test {
        "requests-eval.tsv, never trained on"
    } else {
        "validation folds of requests-train.tsv"
    };
    for lang in ["en", "fa"] {
        let mut table = Tally::default();
        for r in requests.iter().filter(|r| r.lang == lang) {
            let got = classify(&r.text);
            let ok = got == r.category;
            if a.verbose && !ok {
                println!(
                    "  miss  {:<13} → {:<13} {}",
                    r.category.as_str(),
                    got.as_str(),
                    r.text
                );
            }
            table.add(r.category.as_str(), got.as_str(), ok);
        }
        println!(
            "\nCreator requests ({lang}), {source} ({} requests)",
            table.total()
        );
        table.print();
    }

    // Whole analyses (rules, model, headline, colours), as `routix analyze` runs them.
    let mut times: Vec<f64> = requests
        .iter()
        .map(|r| {
            let started = Instant::now();
            std::hint::black_box(analyzer::analyze(&r.text));
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
    let (bits, bayes_bits) = model.bits();
    println!(
        "\nmodel: {} classes, 2^{bits} + 2^{bayes_bits} (sparse) rows, {:.2} MB; load {load_ms:.2} ms; \
         analysis p50 {:.3} ms, p99 {:.3} ms",
        model.classes().len(),
        model.to_bytes().len() as f64 / 1e6,
        pct(0.5),
        pct(0.99)
    );
    Ok(())
}

/// The YouTube id a Routix category is scored as (for the confusion column).
fn yt_of(c: Category) -> u32 {
    [24, 2, 10, 15, 17, 19, 20, 22, 23, 25, 26, 27, 28]
        .into_iter()
        .find(|id| train::youtube_category(*id) == Some(c))
        .or_else(|| {
            [26, 28, 27, 22, 1, 17, 29]
                .into_iter()
                .find(|id| train::youtube_accepts(*id, c))
        })
        .unwrap_or(0)
}

/// Per-class counts: how many of each true class, how many right, how many predicted.
#[derive(Default)]
struct Tally {
    rows: Vec<(String, usize, usize, usize)>,
}

impl Tally {
    fn row(&mut self, class: &str) -> usize {
        match self.rows.iter().position(|r| r.0 == class) {
            Some(i) => i,
            None => {
                self.rows.push((class.to_string(), 0, 0, 0));
                self.rows.len() - 1
            }
        }
    }
    fn add(&mut self, truth: &str, predicted: &str, ok: bool) {
        let t = self.row(truth);
        self.rows[t].1 += 1;
        self.rows[t].2 += usize::from(ok);
        let p = self.row(if ok { truth } else { predicted });
        self.rows[p].3 += 1;
    }
    fn total(&self) -> usize {
        self.rows.iter().map(|r| r.1).sum()
    }
    fn print(&mut self) {
        self.rows.sort_by(|a, b| a.0.cmp(&b.0));
        println!(
            "  {:<14} {:>5} {:>8} {:>10}",
            "class", "n", "recall", "precision"
        );
        let mut recalls = Vec::new();
        for (class, n, right, predicted) in &self.rows {
            if *n == 0 {
                continue;
            }
            let recall = *right as f64 / *n as f64;
            recalls.push(recall);
            let precision = if *predicted == 0 {
                "—".to_string()
            } else {
                format!("{:.1}%", 100.0 * *right as f64 / *predicted as f64)
            };
            println!(
                "  {class:<14} {n:>5} {:>7.1}% {precision:>10}",
                100.0 * recall
            );
        }
        let right: usize = self.rows.iter().map(|r| r.2).sum();
        println!(
            "  micro {:.1}%  macro {:.1}%",
            100.0 * right as f64 / self.total().max(1) as f64,
            100.0 * recalls.iter().sum::<f64>() / recalls.len().max(1) as f64
        );
    }
}

fn read_titles(path: &Path) -> anyhow::Result<Vec<Title>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut rows = parse_csv(&text).into_iter();
    let header = rows.next().context("empty titles file")?;
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("{} has no `{name}` column", path.display()))
    };
    let (title, id) = (col("title")?, col("youtube_category_id")?);
    Ok(rows
        .filter_map(|r| {
            Some(Title {
                text: r.get(title)?.clone(),
                youtube_id: r.get(id)?.trim().parse().ok()?,
            })
        })
        .collect())
}

/// Every `requests-train*.tsv` in `dir`, in name order (so retraining reads them alike).
fn training_requests(dir: &Path) -> anyhow::Result<Vec<Request>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("requests-train") && n.ends_with(".tsv"))
        })
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        out.extend(read_requests(&f)?);
    }
    Ok(out)
}

fn read_requests(path: &Path) -> anyhow::Result<Vec<Request>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let mut cols = line.splitn(3, '\t');
        let (Some(lang), Some(cat), Some(text)) = (cols.next(), cols.next(), cols.next()) else {
            anyhow::bail!(
                "{}:{}: expected lang, category, text",
                path.display(),
                i + 1
            );
        };
        let category = cat
            .parse()
            .with_context(|| format!("{}:{}: category {cat:?}", path.display(), i + 1))?;
        out.push(Request {
            lang: lang.to_string(),
            category,
            text: text.to_string(),
        });
    }
    Ok(out)
}

/// RFC 4180 rows: fields separated by commas, optionally quoted with `""` for a quote.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, '\r') => {}
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_may_be_quoted_with_commas_quotes_and_new_lines() {
        let rows = parse_csv("a,b\n\"x, \"\"y\"\"\",2\r\n\"two\nlines\",3");
        assert_eq!(rows[1], vec!["x, \"y\"".to_string(), "2".into()]);
        assert_eq!(rows[2], vec!["two\nlines".to_string(), "3".into()]);
    }
}
