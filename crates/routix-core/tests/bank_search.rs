//! The bank's search by meaning: cross-language finds, colours against measured palettes,
//! ratings lowering an item, and recall@5 of a written query set over the layout templates
//! as bank items (what a fresh install's bank holds).

use routix_core::{
    bank::{
        search::{boost, Doc, Index},
        Composition, Place, StyleDna, Swatch,
    },
    Category, TemplateMeta,
};

fn dna(colours: &[(&str, f32)], energy: u8) -> StyleDna {
    StyleDna {
        palette: colours
            .iter()
            .map(|(hex, weight)| Swatch {
                hex: hex.to_string(),
                weight: *weight,
            })
            .collect(),
        brightness: 0.5,
        contrast: 0.5,
        saturation: 0.5,
        energy,
        composition: Composition {
            text: Place::Left,
            subject: Place::Right,
        },
        has_text: true,
        description: None,
        mood: None,
        has_face: None,
    }
}

fn doc(id: &str, title: &str, tags: &[&str], category: Option<Category>, dna: StyleDna) -> Doc {
    Doc {
        id: id.into(),
        title: title.into(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        category,
        dna: Some(dna),
        boost: 0.0,
    }
}

fn bank() -> Vec<Doc> {
    vec![
        doc(
            "castle",
            "Boss fight in a dark castle",
            &["gaming"],
            None,
            dna(&[("#120d1f", 0.6), ("#7b2ff7", 0.3), ("#ffd600", 0.1)], 8),
        ),
        doc(
            "makeup",
            "Pink makeup look",
            &["beauty", "makeup"],
            None,
            dna(&[("#ffd1dc", 0.6), ("#e91e63", 0.3), ("#ffffff", 0.1)], 3),
        ),
        doc(
            "giant",
            "نبرد با غول آخر",
            &["گیمینگ"],
            Some(Category::Gaming),
            dna(&[("#0b0b1a", 0.7), ("#e51b23", 0.3)], 9),
        ),
        doc(
            "pasta",
            "Creamy pasta in ten minutes",
            &["cooking", "food"],
            None,
            dna(&[("#f5e6c8", 0.6), ("#c0392b", 0.4)], 4),
        ),
        doc(
            "stocks",
            "How I invest my salary",
            &["finance", "money"],
            None,
            dna(&[("#0d1b12", 0.6), ("#00c853", 0.4)], 6),
        ),
        doc(
            "trip",
            "سفر به شمال ایران",
            &["سفر"],
            Some(Category::Travel),
            dna(&[("#1e88e5", 0.6), ("#ffffff", 0.4)], 5),
        ),
        doc(
            "red-car",
            "Track day in a supercar",
            &["cars"],
            None,
            dna(&[("#e51b23", 0.6), ("#0d0d0f", 0.4)], 9),
        ),
        doc(
            "blue-car",
            "Electric car road trip",
            &["cars"],
            None,
            dna(&[("#1e5eff", 0.6), ("#ffffff", 0.4)], 5),
        ),
    ]
}

fn first(index: &Index, query: &str) -> String {
    index
        .search(query, None, 5)
        .first()
        .map(|h| h.id.clone())
        .unwrap_or_default()
}

#[test]
fn queries_find_items_across_english_and_persian() {
    let index = Index::build(bank());
    let gaming = index.search("بازی ویدیویی", None, 2);
    let ids: Vec<&str> = gaming.iter().map(|h| h.id.as_str()).collect();
    assert!(ids.contains(&"castle") && ids.contains(&"giant"), "{ids:?}");
    assert_eq!(first(&index, "lipstick tutorial"), "makeup");
    assert_eq!(first(&index, "آموزش رژ لب"), "makeup");
    let boss = index.search("video game boss fight", None, 2);
    let ids: Vec<&str> = boss.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids[0], "castle", "the words match too: {ids:?}");
    assert!(
        ids.contains(&"giant"),
        "the Persian item by meaning: {ids:?}"
    );
    assert_eq!(first(&index, "trip to the north of iran"), "trip");
    assert_eq!(first(&index, "ماکارونی"), "pasta");
    // An edit or a removal needs no rebuild.
    let mut index = index;
    index.upsert(doc(
        "castle",
        "Quiet lake at dawn",
        &["travel"],
        None,
        dna(&[("#a0c4ff", 1.0)], 2),
    ));
    assert_ne!(first(&index, "boss fight in a dark castle"), "castle");
    assert_eq!(first(&index, "lake at dawn"), "castle");
    assert!(index.remove("castle") && !index.remove("castle"));
    assert_eq!(index.len(), bank().len() - 1);
    // Nothing about it in the bank: nothing found, not noise.
    assert!(index.search("quantum chromodynamics", None, 5).is_empty());
}

#[test]
fn named_colours_prefer_items_whose_palette_holds_them() {
    let index = Index::build(bank());
    assert_eq!(first(&index, "red car"), "red-car");
    assert_eq!(first(&index, "blue car"), "blue-car");
    assert_eq!(first(&index, "ماشین قرمز"), "red-car");
    // A category filter keeps to it.
    let only = index.search("car", Some(Category::Cars), 10);
    assert!(only.iter().all(|h| h.id.ends_with("-car")), "{only:?}");
}

#[test]
fn rated_down_items_rank_lower_and_one_vote_does_not_flip_them() {
    let mut docs = bank();
    docs.push(doc(
        "castle-2",
        "Boss fight in a dark castle",
        &["gaming"],
        None,
        dna(&[("#120d1f", 0.6), ("#7b2ff7", 0.3), ("#ffd600", 0.1)], 8),
    ));
    let order = |docs: Vec<Doc>| -> Vec<String> {
        Index::build(docs)
            .search("boss fight castle", None, 2)
            .into_iter()
            .map(|h| h.id)
            .collect()
    };
    // Identical items tie and sort by id.
    assert_eq!(order(docs.clone()), ["castle", "castle-2"]);
    // Ten uses of `castle`, four rated down: it falls behind its twin.
    let mut rated = docs.clone();
    rated[0].boost = boost(false, 0, 10, 10, 4);
    assert_eq!(order(rated), ["castle-2", "castle"]);
    // The boost is smoothed: one vote moves it little.
    assert!(boost(false, 0, 1, 1, 1).abs() < 0.1);
    assert!(boost(true, 0, 0, 0, 0) > boost(false, 0, 0, 0, 0));
}

/// The layout templates as a fresh install's bank: title, description and style tags.
fn template_bank() -> Vec<Doc> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../templates");
    let mut docs = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let meta: TemplateMeta =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let fa = meta.translations.get("fa");
        docs.push(Doc {
            id: meta.id.0.clone(),
            title: format!(
                "{} {} {}",
                meta.name,
                meta.description,
                fa.map(|t| format!("{} {}", t.name, t.description))
                    .unwrap_or_default()
            ),
            tags: meta.styles.clone(),
            category: Some(meta.category),
            dna: None,
            boost: 0.0,
        });
    }
    docs
}

#[test]
fn recall_at_5_of_the_written_query_set() {
    let docs = template_bank();
    let category_of: std::collections::HashMap<String, Category> = docs
        .iter()
        .map(|d| (d.id.clone(), d.category.unwrap()))
        .collect();
    let index = Index::build(docs);
    let queries = include_str!("bank-queries.tsv");
    let (mut n, mut found, mut fa_n, mut fa_found) = (0, 0, 0, 0);
    let mut misses = Vec::new();
    for line in queries
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (query, expected) = line.split_once('\t').unwrap();
        let expected: Category = expected.parse().unwrap();
        let hits = index.search(query, None, 5);
        let hit = hits.iter().any(|h| category_of[&h.id] == expected);
        let persian = routix_core::analyzer::is_rtl(query);
        n += 1;
        fa_n += usize::from(persian);
        if hit {
            found += 1;
            fa_found += usize::from(persian);
        } else {
            misses.push(format!(
                "{query} → {:?}",
                hits.iter().map(|h| &h.id).collect::<Vec<_>>()
            ));
        }
    }
    let recall = found as f32 / n as f32;
    println!(
        "recall@5: {found}/{n} = {:.1} % (English {}/{}, Persian {}/{})",
        recall * 100.0,
        found - fa_found,
        n - fa_n,
        fa_found,
        fa_n
    );
    println!("misses: {misses:#?}");
    assert!(n >= 40);
    assert!(recall >= 0.85, "recall@5 {recall}: {misses:#?}");
}

#[test]
fn a_named_mood_prefers_looks_of_its_energy_and_the_vision_models_mood() {
    let mut calm = dna(&[("#e8eef2", 1.0)], 2);
    calm.mood = Some("calm".into());
    calm.description = Some("A quiet reading nook by a rainy window.".into());
    let index = Index::build(vec![
        doc(
            "loud-study",
            "Study with me",
            &["education"],
            None,
            dna(&[("#e51b23", 1.0)], 9),
        ),
        doc("calm-study", "Study with me", &["education"], None, calm),
    ]);
    for query in ["calm study with me", "study with me آرام"] {
        let hits = index.search(query, None, 5);
        assert_eq!(hits[0].id, "calm-study", "{query}: {hits:?}");
    }
    let hits = index.search("epic study with me", None, 5);
    assert_eq!(hits[0].id, "loud-study", "{hits:?}");
    // The description is searchable: only it says "rainy".
    let hits = index.search("rainy window", None, 5);
    assert_eq!(hits.first().map(|h| h.id.as_str()), Some("calm-study"));
}
